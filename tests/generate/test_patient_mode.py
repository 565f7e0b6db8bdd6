"""Patient mode without a model (issue 22, item 2): the same question answered for a patient or
carer differs from the clinician's answer where it should, through the real pipeline, and on the
CLI; it never invents a gloss."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.compose import Composed
from assistant.generate.plain import Glossary, framed_doses, lay_names, plainness, states_dose
from assistant.language import markers
from assistant.language.sentences import answer_sentences as sentences
from assistant.language.terminology.normal import phrase
from assistant.models import AnswerRecord
from assistant.pipeline import Ask, answer
from tests.support.cli import followup

DOSE = "What dose of mebendazole for a 14 kg child with roundworm?"
HFNC = "When is high-flow nasal cannula preferred over noninvasive ventilation?"
FRAMING = "Your clinician will decide whether this medicine is right for you and at what dose."
PATIENT_DISCLAIMER = "Information for patients and carers"
CLINICIAN_DISCLAIMER = "Professional medical disclaimer"


def both(services: Composed, question: str) -> tuple[AnswerRecord, AnswerRecord]:
    return (
        answer(services.pipeline, Ask(question, audience="clinician")),
        answer(services.pipeline, Ask(question, audience="patient")),
    )


def test_a_patient_answer_carries_the_patient_disclaimer_and_is_stored_as_such(
    services: Composed,
) -> None:
    clinician, patient = both(services, DOSE)
    assert clinician.disclaimer.startswith(CLINICIAN_DISCLAIMER)
    assert patient.disclaimer.startswith(PATIENT_DISCLAIMER)
    assert "pending review" in patient.disclaimer
    assert patient.audience == "patient" and clinician.audience == "clinician"
    assert services.store.get_answer(patient.id) == patient
    assert patient.review_status == clinician.review_status == "pending_review"


def test_a_dose_is_framed_as_the_clinician_s_decision_for_patients_only(
    services: Composed,
) -> None:
    clinician, patient = both(services, DOSE)
    assert FRAMING not in clinician.answer
    said = sentences(patient.answer)
    assert FRAMING in said
    first_dose = next(i for i, s in enumerate(said) if states_dose(s))
    assert said.index(FRAMING) == first_dose - 1  # just before the first dose stated
    assert re.search(r"500 mg|100 mg", patient.answer)  # the numbers stay as the sources say


PLAIN_QUESTIONS = [
    HFNC,
    DOSE,
    "Is polyethylene glycol safe for constipation in pregnancy?",
    "How is cord prolapse managed?",
    "What is the evidence for LDN in fibromyalgia?",
    "Can cefuroxime be given with a penicillin allergy?",
]


def test_patients_get_fewer_plainer_sentences(services: Composed) -> None:
    """Over several questions the patient answers quote at most three sentences, plainer on
    average (everyday words, shorter: assistant.generate.plain.plainness)."""
    means = {"clinician": 0.0, "patient": 0.0}
    for question in PLAIN_QUESTIONS:
        for audience in means:
            record = answer(services.pipeline, Ask(question, audience=audience))
            quoted = [
                markers.strip(s) for s in sentences(record.answer) if markers.cited_indices(s)
            ]
            if audience == "patient":
                assert 1 <= len(quoted) <= 3
            means[audience] += sum(map(plainness, quoted)) / len(quoted) / len(PLAIN_QUESTIONS)
    assert means["patient"] > means["clinician"]


def test_clinical_terms_are_glossed_from_the_datasets_never_invented(services: Composed) -> None:
    clinician, patient = both(services, HFNC)
    assert "(low blood oxygen level)" in patient.answer
    assert "(low blood oxygen level)" not in clinician.answer
    terminology = services.pipeline.understand.understander.terminology
    lay = set(lay_names().values())
    for gloss in re.findall(r"\(([^()\[\]]+)\)", patient.answer):
        if gloss in clinician.answer:
            continue  # the source's own brackets
        spelled = {phrase(c.name) for m in terminology.scan(gloss) for c in [m.concept]}
        assert gloss in lay or phrase(gloss) in spelled, f"invented gloss {gloss!r}"


def test_an_abbreviation_is_spelled_out_and_a_term_without_a_lay_name_left_alone(
    services: Composed,
) -> None:
    glossary = Glossary(services.pipeline.understand.understander.terminology)
    glossed = glossary.gloss(
        [
            "LDN may reduce symptoms in CRPS.",
            "Agranulocytosis has been reported.",
            "Bradycardia after rupture of membranes suggests cord prolapse.",
        ]
    )
    assert "CRPS (complex regional pain syndrome)" in glossed[0]
    assert glossed[1] == "Agranulocytosis has been reported."  # no dataset lay name
    assert "(slow heartbeats)" in glossed[2]


def test_the_framing_goes_before_the_first_dose_only() -> None:
    text = "Mebendazole treats roundworm [1]. Give 500 mg once [1]. Or 100 mg twice daily [2]."
    framed = framed_doses(text, FRAMING)
    assert framed.count(FRAMING) == 1
    assert framed.index(FRAMING) < framed.index("500 mg") and framed.startswith("Mebendazole")
    assert framed_doses("No dose here [1].", FRAMING) == "No dose here [1]."


def test_a_refusal_for_a_patient_points_to_their_own_clinician(services: Composed) -> None:
    clinician, patient = both(services, "What single dose of albendazole treats ascariasis?")
    assert patient.refused and clinician.refused
    assert "doctor, nurse or pharmacist" in patient.answer
    assert "specialist colleague" in clinician.answer and "specialist" not in patient.answer


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_the_cli_answers_each_audience_in_its_own_words(
    data_dir: Path,
    audience: str,
) -> None:
    result = followup(data_dir, "ask", "--audience", audience, DOSE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if audience == "patient":
        assert PATIENT_DISCLAIMER in out and FRAMING in out
        assert CLINICIAN_DISCLAIMER not in out
    else:
        assert CLINICIAN_DISCLAIMER in out and FRAMING not in out
    assert "Pending human review — answer " in out
