"""Meaning checks that look inside sentences, on the real sample passages: which number goes
with which treatment, condition, direction or regimen step; what a denial reaches; which
treatment the supporting sentence names; what comes before what; and another cited sentence
that says the opposite. Each wrong sentence is removed with its reason and the faithful one
beside it is kept (a check that removed both would be no check).
"""

from __future__ import annotations

import pytest

from assistant.meaning import meaning_problem
from tests.support.sample_passages import approved_sample_passages, check_citing_all


@pytest.fixture(scope="module")
def passages() -> dict[str, list[tuple[str, str]]]:
    return approved_sample_passages()


def check(sentence: str, chunks: list[tuple[str, str]]) -> tuple[str, str]:
    """The kept text and the findings (joined) of one sentence citing every chunk given."""
    text, findings = check_citing_all(sentence, chunks)
    return text, " ".join(findings)


CASES = [
    (  # a regimen step: 100 mg is an alternative schedule, the start is 25 mg
        "fda-label-naltrexone",
        "For opioid blockade, the starting dose of naltrexone is 100 mg [1].",
        "For opioid blockade, the starting dose of naltrexone is 25 mg [1].",
        "gives 'start' 25 mg, not 100 mg",
    ),
    (  # a condition: 500 mg is for skin infections and bronchitis, not sinusitis
        "ceftin-prescribing-information",
        "For acute bacterial maxillary sinusitis, adults take cefuroxime axetil 500 mg every "
        "12 hours for 10 days [1].",
        "For acute bacterial maxillary sinusitis, adults take cefuroxime axetil 250 mg every "
        "12 hours for 10 days [1].",
        "sinusitis' 250 mg, not 500 mg",
    ),
    (  # a direction: "full" goes with at least 50 mg, not with 1 to 5 mg
        "toljan-vrooman-2018-ldn-review",
        "A daily naltrexone dose of 1 to 5 mg acts as a full opioid receptor antagonist [1].",
        "A standard oral naltrexone dose of at least 50 mg acts as a full opioid receptor "
        "antagonist [1].",
        "gives 'full' 50 mg, not 1 to 5 mg",
    ),
    (  # a denial: "but not with improved fatigue or sleep"
        "younger-2013-ldn-crossover-trial",
        "In the 2013 crossover trial, low-dose naltrexone was associated with improved fatigue "
        "[1].",
        "In the 2013 crossover trial, low-dose naltrexone was not associated with improved "
        "fatigue or sleep [1].",
        "denies or rules out",
    ),
    (  # a contraindication read as an indication
        "movicol-smpc",
        "Movicol is given to patients with ileus or toxic megacolon [1].",
        "Movicol must not be used in patients with ileus or toxic megacolon [1].",
        "denies or rules out",
    ),
    (  # a comparator a few words from its number
        "ceftin-prescribing-information",
        "Oral cefuroxime axetil is given every 48 hours above a creatinine clearance of "
        "10 mL/min [1].",
        "Oral cefuroxime axetil is given every 48 hours below a creatinine clearance of "
        "10 mL/min [1].",
        "bounded above",
    ),
    (  # "a greater reduction" is a reduction
        "younger-2013-ldn-crossover-trial",
        "Baseline pain rose more with low-dose naltrexone than with placebo (28.8% versus "
        "18.0%) [1].",
        "Baseline pain fell more with low-dose naltrexone than with placebo (28.8% versus "
        "18.0%) [1].",
        "it says the opposite",
    ),
    (  # another cited sentence says the opposite of what the supporting one leaves out
        "umbilical-cord-prolapse",
        "Once filled to relieve cord compression, the bladder should be emptied after birth [1].",
        "Once filled to relieve cord compression, the bladder should be emptied before birth [1].",
        "another cited sentence",
    ),
]


@pytest.mark.parametrize(("doc", "wrong", "right", "why"), CASES)
def test_a_wrong_attachment_or_denial_is_removed_and_the_faithful_one_kept(
    passages: dict, doc: str, wrong: str, right: str, why: str
) -> None:
    text, findings = check(wrong, passages[doc])
    assert text == "" and why in findings, findings
    text, findings = check(right, passages[doc])
    assert text, findings


def test_what_comes_before_what_is_kept_in_order() -> None:
    support = "In COPD the guideline suggests a trial of NIV before HFNC."
    wrong = "In COPD the guideline suggests a trial of HFNC before NIV [1]."
    assert "reverses what comes before what" in (meaning_problem(wrong, support) or "")
    assert meaning_problem("In COPD a trial of NIV comes before HFNC [1].", support) is None


def test_a_treatment_only_the_title_names_is_no_support_for_a_swap() -> None:
    support = (
        "The ERS/ATS guideline strongly recommends bilevel noninvasive ventilation for "
        "respiratory acidosis caused by a COPD exacerbation."
    )
    title = "CPAP, bilevel NIV or high-flow nasal cannula"
    wrong = "High-flow nasal cannula is strongly recommended for respiratory acidosis [1]."
    assert "names 'bilevel', not 'High-flow nasal cannula'" in (
        meaning_problem(wrong, support, title) or ""
    )
    right = "Bilevel noninvasive ventilation is strongly recommended for respiratory acidosis [1]."
    assert meaning_problem(right, support, title) is None


@pytest.mark.parametrize(
    ("claim", "support"),
    [
        (  # the same denial in other words is no flip
            "No renal dose adjustment is needed when creatinine clearance is 30 mL/min or more.",
            "In adults no adjustment is needed when creatinine clearance is 30 mL/min or more.",
        ),
        (  # a denial about another value ("30 mL/min or more") says nothing of 10 mL/min
            "Below 10 mL/min the standard dose is given every 48 hours.",
            "No adjustment is needed when creatinine clearance is 30 mL/min or more; the "
            "standard dose is given every 48 hours below 10 mL/min.",
        ),
        (  # two alternatives listed together both go with what follows them
            "Adults with chronic bronchitis take 500 mg every 12 hours.",
            "Adults take 250 mg every 12 hours for sinusitis, and 250 mg or 500 mg every "
            "12 hours for chronic bronchitis.",
        ),
        (  # "differs from" denies as "is not similar to" does
            "It suggests a cephalosporin whose side chain differs from that of the culprit "
            "penicillin.",
            "It suggests a cephalosporin whose side chain is not similar to that of the culprit "
            "penicillin.",
        ),
    ],
)
def test_a_faithful_rewording_passes_the_meaning_checks(claim: str, support: str) -> None:
    assert meaning_problem(claim, support) is None
