"""What a question says of the patient: what they have not got, their sex, and a drug name
shortened as clinicians write it; and whether the evidence speaks of that patient."""

from __future__ import annotations

import pytest

from assistant.config import PACKAGE_DATA, Settings
from assistant.coverage import Coverage, CoverageLevel, assess
from assistant.language.negation import absent_spans
from assistant.language.terminology import load_terminology
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.meaning.sexes import sexes_named
from assistant.understand import Understander

VOCABULARY = [
    "amoxicillin", "doxycycline", "trimethoprim", "aciclovir", "shingles", "pregnant",
    "women", "urinary", "infection", "allergy", "penicillin", "dose", "days", "prednisolone",
    "corticosteroids", "bronchiolitis",
]  # fmt: skip


@pytest.fixture(scope="module")
def understander() -> Understander:
    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    terminology = load_terminology(Settings().index.terminology_cache, hand, VOCABULARY)
    return Understander(VOCABULARY, terminology)


def _coverage(understander: Understander, question: str, passages: list[str]) -> Coverage:
    return assess(
        understander.understand(question), passages, 0.6,
        terminology=understander.terminology, floor=0.2, min_evidence=0.42,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("CAP, CRB65 0, no allergies - amox dose?", ["allergies"]),
        ("no known drug allergies, what dose?", ["known drug allergies"]),
        ("19F, no cough or cold, came in on day 2", ["cough or cold"]),
        ("dose for a non-pregnant woman?", ["pregnant"]),
        ("KN-158 ORR in non-CRC dMMR?", ["CRC"]),  # "non-" reaches one word
        ("no more than 2 doses a day?", []),  # a bound
        ("is it not safe in pregnancy?", ["safe"]),  # the preposition ends it
        # organs said to work normally: no renal or hepatic impairment; a dose stays a dose
        ("starting dose with normal kidneys and liver?", ["normal kidneys and liver"]),
        ("normal renal function, what dose?", ["normal renal function"]),
        ("normal U&Es and LFTs - dose?", ["normal U&Es and LFTs"]),
        ("the normal dose?", []),
    ],
)
def test_what_the_patient_has_not_got(text: str, absent: list[str]) -> None:
    assert [text[a:b] for a, b in absent_spans(text)] == absent


def test_a_condition_the_patient_has_not_got_is_not_asked_about(
    understander: Understander,
) -> None:
    understood = understander.understand("CAP, no allergies - amoxicillin dose and duration?")
    labels = [c.label for q in understood.questions for c in q.concepts]
    assert "amoxicillin" in labels and not [x for x in labels if "allerg" in x]
    assert not [e for e in understood.expansions if "allerg" in e[0].lower()]
    passage = "Amoxicillin 500 mg three times a day for 5 days is offered."
    found = _coverage(understander, "no allergies - amoxicillin dose?", [passage])
    assert found.level is CoverageLevel.FULL


def test_a_drug_name_shortened_as_clinicians_write_it_is_the_corpus_drug(
    understander: Understander,
) -> None:
    assert understander.correct("doxy") == "doxycycline"
    assert understander.correct("trimeth") == "trimethoprim"
    assert understander.correct("days") is None  # everyday English
    assert understander.correct("pen") is None  # too short to say which


def test_a_shortened_name_is_searched_for_but_decides_nothing_alone(
    understander: Understander,
) -> None:
    # "pred" is read as prednisolone, a guess: a passage on corticosteroids still answers.
    question = "bronchiolitis - is pred worth trying?"
    (asked,) = understander.understand(question).questions
    (pred,) = [c for c in asked.concepts if c.label == "prednisolone"]
    assert not pred.essential
    passage = "Corticosteroids should not be used to treat bronchiolitis."
    assert not _coverage(understander, question, [passage]).declines
    # A typo that drops a last letter is no guess: the drug still decides.
    (typo,) = understander.understand("amoxicilli dose?").questions
    assert [c.essential for c in typo.concepts if c.label == "amoxicillin"] == [True]


@pytest.mark.parametrize(
    ("text", "sexes"),
    [("68 year old man", {"male"}), ("72F, alert", {"female"}), ("menopause", set()),
     ("women and men", {"female", "male"}), ("temp 101 overnight", set())],
)  # fmt: skip
def test_the_sex_a_text_names(text: str, sexes: set[str]) -> None:
    assert set(sexes_named(text)) == sexes


WOMEN_ONLY = (
    "Non-pregnant women with lower urinary tract infection are offered trimethoprim 200 mg "
    "twice a day for 3 days."
)
NO_SEX = "Trimethoprim 200 mg is taken twice a day."


def test_a_passage_on_one_sex_does_not_answer_for_the_other(understander: Understander) -> None:
    question = "trimethoprim dose for a UTI in a 68 year old man?"
    found = _coverage(understander, question, [WOMEN_ONLY])
    assert found.declines and found.uncovered == ("trimethoprim in men",)
    woman = _coverage(
        understander, "trimethoprim dose for a UTI in a 30 year old woman?", [WOMEN_ONLY]
    )
    assert woman.level is CoverageLevel.FULL
    # Evidence that names no sex speaks for both.
    assert (
        _coverage(understander, "trimethoprim dose for a man?", [NO_SEX]).level
        is CoverageLevel.FULL
    )


SHINGLES = (
    "Shingles: aciclovir. Aciclovir 800 mg is taken five times a day for 7 days. Until the "
    "lesions have crusted over, contact with pregnant women who have not had chickenpox is "
    "avoided."
)
IN_PREGNANCY = "Aciclovir 800 mg is taken five times a day. It is used in pregnancy only if needed."


def test_a_population_counts_only_in_a_sentence_about_the_drug(understander: Understander) -> None:
    question = "she's 28 weeks pregnant - can she have aciclovir?"
    found = _coverage(understander, question, [SHINGLES])
    assert found.declines and found.uncovered == ("aciclovir in pregnancy",)
    # A sentence on "it" in a passage about the drug speaks of the drug.
    assert _coverage(understander, question, [IN_PREGNANCY]).level is CoverageLevel.FULL


CELLULITIS = (
    "Cellulitis in adults: flucloxacillin.\n"
    "Adults with cellulitis are offered flucloxacillin 500 mg four times a day. "
    "Jaundice can occur after treatment for more than 14 days, and older age is a risk factor."
)


def test_an_adult_is_answered_from_passages_on_adults(understander: Understander) -> None:
    # The title's "adults" says who the passage is for; "14 days ... older age" is no band.
    found = _coverage(understander, "62M with cellulitis - flucloxacillin dose?", [CELLULITIS])
    assert found.level is CoverageLevel.FULL


NON_PREGNANT = (
    "Non-pregnant women with lower urinary tract infection are offered trimethoprim 200 mg "
    "twice a day for 3 days."
)


def test_a_passage_on_women_who_are_not_pregnant_says_nothing_of_pregnancy(
    understander: Understander,
) -> None:
    found = _coverage(understander, "trimethoprim in pregnancy?", [NON_PREGNANT])
    assert found.declines and found.uncovered == ("trimethoprim in pregnancy",)
    # A later question on "it" is about the drug the message asked about first.
    both = _coverage(
        understander, "trimethoprim dose for a UTI? and is it ok in pregnancy", [NON_PREGNANT]
    )
    assert both.level is CoverageLevel.PARTIAL
    assert both.uncovered == ("trimethoprim in pregnancy",)
