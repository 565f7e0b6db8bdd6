"""Support across the passage (issue 20 item 2), on real sample passages and small ones of our
own: a claim joining facts that two adjacent sentences about one subject state is kept; one
that takes a value from a sentence about another drug, joins parts about different subjects or
changes a value another sentence gives is removed, and the finding names what failed.
"""

from __future__ import annotations

import pytest

from assistant.verify.support import Evidence, shares, support_problem
from tests.support.sample_passages import approved_sample_passages, check_citing_all


@pytest.fixture(scope="module")
def passages() -> dict[str, list[tuple[str, str]]]:
    return approved_sample_passages()


def check(sentence: str, chunks: list[tuple[str, str]]) -> tuple[str, str]:
    """The kept text and the findings (joined) of one sentence citing every chunk given."""
    text, findings = check_citing_all(sentence, chunks)
    return text, " ".join(findings)


def evidence(*sentences: str, context: str = "", passage: int = 1) -> list[Evidence]:
    return [Evidence(s, context, None, passage, i) for i, s in enumerate(sentences)]


def test_a_claim_joining_two_adjacent_sentences_of_a_trial_is_kept(passages: dict) -> None:
    # "86 patients" is in the design sentence, "53%" and "21%" in the result sentence.
    right = (
        "In a study of 86 patients with mismatch repair-deficient cancers, pembrolizumab "
        "produced objective responses in 53% and complete responses in 21% [1]."
    )
    wrong = right.replace("complete responses in 21%", "complete responses in 53%")
    assert check(right, passages["le-2017-mmr-deficiency-pd1"])[0]
    text, findings = check(wrong, passages["le-2017-mmr-deficiency-pd1"])
    assert text == "", findings


def test_a_value_is_not_borrowed_from_a_sentence_about_another_drug() -> None:
    found = evidence(
        "Corticosteroids such as dexamethasone or prednisolone reduce the severity of croup.",
        "The dose of dexamethasone for croup is 150 micrograms/kg by mouth as a single dose.",
        context="Croup: treatment summary",
    )
    right = "For croup, dexamethasone is given by mouth at 0.15 mg/kg [1]."
    assert support_problem(right, found) is None
    wrong = "For croup, prednisolone is given by mouth at 0.15 mg/kg [1]."
    assert support_problem(wrong, found) is not None


def test_a_run_stays_on_one_subject() -> None:
    found = evidence(
        "For patients with a history of a non-anaphylactic reaction to penicillin, "
        "cephalosporins can be given without prior testing.",
        "For patients with a history of penicillin anaphylaxis, a cephalosporin with a "
        "dissimilar side chain is suggested.",
    )
    wrong = (
        "For a patient with a history of penicillin anaphylaxis, cephalosporins can be given "
        "without prior testing [1]."
    )
    problem = support_problem(wrong, found)
    assert problem is not None and "anaphylaxis" in problem


def test_the_finding_names_the_part_that_failed() -> None:
    found = evidence(
        "Levetiracetam 40 mg/kg was given over 5 minutes.",
        "It was well tolerated.",
        "Seizures stopped in 70% of children.",
        passage=1,
    )
    claim = "Levetiracetam 40 mg/kg was given over 5 minutes, and seizures stopped in 80% [1]."
    problem = support_problem(claim, found)
    assert problem is not None
    assert "the part 'and seizures stopped in 80%" in problem and "'80%'" in problem
    kept = "Levetiracetam 40 mg/kg was given over 5 minutes, and seizures stopped in 70% [1]."
    assert support_problem(kept, found) is None


def test_a_value_another_sentence_gives_for_the_same_words_is_a_changed_value(
    passages: dict,
) -> None:
    chunks = passages["mebendazole-ascariasis-child"]
    wrong = (
        "The 500 mg mebendazole chewable tablet may be chewed, swallowed whole, or crushed and "
        "mixed with food [1]."
    )
    text, findings = check(wrong, chunks)
    assert text == "" and "'500 mg' is not in the cited sentence" in findings
    assert check(wrong.replace("500 mg", "100 mg"), chunks)[0]


def test_words_count_by_what_they_say() -> None:
    support = Evidence(
        "A single dose of oral dexamethasone 0.15 mg/kg is advised for every child with croup, "
        "whatever the severity.",
        "Croup",
    )
    paraphrase = "Every child with croup, mild cases included, should get one oral dose of "
    paraphrase += "dexamethasone 0.15 mg/kg [1]."
    added = "Every child with croup should get oral dexamethasone 0.15 mg/kg and nebulised "
    added += "budesonide [1]."
    assert shares(paraphrase, support)[1] > shares(added, support)[1]
    assert support_problem(paraphrase, [support]) is None
    assert support_problem(added, [support]) is not None
