"""The verifier checks meaning against the supporting sentence, on the real sample passages.

The two sentences that the word-overlap check kept in issue 10 (a real Qwen2.5-Coder-1.5B
answer each) are removed, with a finding that says why; the faithful statements of the same
passages are kept. Sentences that say nothing (markers, a repeated title, punctuation) are
removed too, and an answer left with nothing is marked unusable.
"""

from __future__ import annotations

import pytest

from assistant.content import contentless, has_content
from assistant.verify import check_sentences
from tests.support.sample_passages import approved_sample_passages, check_citing_all


@pytest.fixture(scope="module")
def passages() -> dict[str, list[tuple[str, str]]]:
    return approved_sample_passages()


check = check_citing_all


def test_the_partial_to_full_blockade_reversal_is_removed(passages: dict) -> None:
    wrong = (
        "The dose of naltrexone changes from partial to full opioid blockade in fibromyalgia "
        "at 4.5 mg daily, most often 1 to 5 mg [1]."
    )
    # The article states 4.5 mg and "partial" in one sentence and "full" only with 50 mg.
    text, findings = check(wrong, passages["ldn-fibromyalgia-dosing"])
    assert text == ""
    assert "'full' is not what the cited sentence says" in " ".join(findings)
    assert check(wrong, passages["younger-2014-ldn-review"])[0] == ""
    right = "Low-dose naltrexone at 4.5 mg daily gives only partial, transient opioid blockade [1]."
    assert check(right, passages["ldn-fibromyalgia-dosing"])[0]


def test_the_48_hour_interval_is_not_moved_to_the_30_ml_band(passages: dict) -> None:
    wrong = (
        "The standard individual dose of oral cefuroxime axetil is given every 48 hours when "
        "creatinine clearance is below 30 mL/min [1]."
    )
    for doc in ("cefuroxime-renal-allergy", "ceftin-prescribing-information"):
        text, findings = check(wrong, passages[doc])
        assert text == "", doc
        # No sentence (or clause) of either passage puts every 48 hours with 30 mL/min.
        assert "in the cited sentence" in " ".join(findings)
        right = (
            "Below a creatinine clearance of 10 mL/min without haemodialysis, the standard "
            "individual dose of oral cefuroxime axetil is given every 48 hours [1]."
        )
        assert check(right, passages[doc])[0], doc


@pytest.mark.parametrize(
    ("doc", "wrong", "why"),
    [
        (
            "ceftin-prescribing-information",
            "Cefuroxime tablets and suspension are interchangeable milligram for milligram [1].",
            "negation differs",
        ),
        (
            "fda-label-naltrexone",
            "Naltrexone can be given to patients receiving opioid analgesics [1].",
            "denies or rules out",
        ),
        (
            "cefuroxime-renal-allergy",
            "No adjustment of oral cefuroxime axetil is needed when creatinine clearance is "
            "below 30 mL/min [1].",
            "bounded below",
        ),
        (
            "bruun-2024-ldn-final-trial",
            "The FINAL trial randomised 99 men with fibromyalgia to low-dose naltrexone [1].",
            "'men' is not what the cited sentence says",
        ),
        (
            "keytruda-prescribing-information",
            "The recommended adult dose of nivolumab is 200 mg every 3 weeks [1].",
            "'nivolumab' is not named",
        ),
        (
            "fda-label-naltrexone",
            "Naltrexone can be scheduled as 50 mg every other day [1].",
            "not stated together",
        ),
    ],
)
def test_a_changed_meaning_is_removed_with_its_reason(
    passages: dict, doc: str, wrong: str, why: str
) -> None:
    text, findings = check(wrong, passages[doc])
    assert text == ""
    assert why in " ".join(findings)


@pytest.mark.parametrize(
    "empty",
    [
        " [1] [2, 3] [4, 5]",
        "Low-dose naltrexone dosing: partial versus full opioid blockade in fibromyalgia and "
        "CRPS [1].",
        " . , ; [1] !",
    ],
)
def test_a_sentence_that_says_nothing_is_removed(passages: dict, empty: str) -> None:
    text, findings = check(empty, passages["ldn-fibromyalgia-dosing"])
    assert text == ""
    assert any("says nothing" in f for f in findings) or not findings


def test_an_answer_of_markers_and_titles_has_no_content(passages: dict) -> None:
    chunks = passages["ldn-fibromyalgia-dosing"]
    answer = (
        " [1] Low-dose naltrexone dosing: partial versus full opioid blockade in fibromyalgia "
        "and CRPS [2, 3] Low-dose naltrexone dosing: partial versus full opioid blockade in "
        "fibromyalgia and CRPS [4, 5]"
    )
    checked = check_sentences(answer, [t for t, _ in chunks], "", 0.6, [c for _, c in chunks])
    assert not checked.has_content and checked.text == ""
    assert sum("says nothing" in f for f in checked.findings) >= 2
    titles = [c for _, c in chunks]
    assert not has_content(answer, titles) and contentless(answer, titles)
    edited = "Low-dose naltrexone is given at 1 to 5 mg daily [1]."
    assert has_content(edited, titles) and contentless(edited, titles) == []
