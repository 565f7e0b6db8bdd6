"""The form checks every answer is held to (assistant.answer_form): no fact said twice, no
fragment, no sentence opening on a subject it never names. Examples are answers the extractive
generator produced before issue 22."""

from __future__ import annotations

import pytest

from assistant.answer_form import (
    FRAGMENT,
    REPEATED_FACT,
    UNEXPLAINED_OPENING,
    counts,
    is_fragment,
    problems,
    repeats,
    unexplained_opening,
)

CRUSHED_TWICE = (
    "For a child who cannot chew, the VERMOX CHEWABLE label describes placing the mebendazole "
    "tablet on a spoon with a small amount of drinking water [1]. The same dosage schedule "
    "applies to children and adults, and the tablet can be chewed, swallowed whole, or crushed "
    "and mixed with food [2]. The 100 mg mebendazole chewable tablet can be chewed, swallowed "
    "whole, or crushed and mixed with food [3]."
)


def kinds(text: str) -> list[str]:
    return [p.kind for p in problems(text)]


def test_a_fact_quoted_from_the_label_and_from_the_article_is_a_repeated_fact() -> None:
    found = problems(CRUSHED_TWICE)
    assert [p.kind for p in found] == [REPEATED_FACT]
    assert found[0].sentence.startswith("The 100 mg mebendazole")
    assert found[0].other and found[0].other.startswith("The same dosage schedule")


def test_the_same_dose_for_two_indications_is_two_facts() -> None:
    dose = "cefuroxime axetil is given as 250 mg every 12 hours for 10 days [1]."
    tonsils = f"For pharyngitis or tonsillitis in adults, {dose}"
    sinus = f"For acute bacterial maxillary sinusitis in adults, {dose}"
    assert not repeats(tonsils, sinus)
    given = "the standard individual dose is given every"
    renal_24 = f"When creatinine clearance is 10 to less than 30 mL/min, {given} 24 hours."
    renal_48 = f"When creatinine clearance is below 10 mL/min, {given} 48 hours [1]."
    assert not repeats(renal_24, renal_48)
    assert kinds(f"{tonsils} {sinus} {renal_24} {renal_48}") == []


def test_a_summary_of_results_already_given_repeats_them() -> None:
    text = (
        "Median progression-free survival was 9.7 months versus 5.6 months [1]. "
        "Median overall survival was 23.0 months versus 16.1 months [2]. "
        "Adding pembrolizumab improved progression-free survival from 5.6 to 9.7 months and "
        "overall survival from 16.1 to 23.0 months [3]."
    )
    assert kinds(text) == [REPEATED_FACT]


@pytest.mark.parametrize(
    "sentence",
    [
        "HFNC rather than conventional oxygen in patients at low risk of extubation failure; [3].",
        "The task force made 8 conditional recommendations: HFNC rather than oxygen and [2].",
        "rather than the shared beta-lactam ring [1].",
        "Treatment is recommended once a year where prevalence is 20% or higher [1]",
    ],
)
def test_cut_sentences_are_fragments(sentence: str) -> None:
    assert is_fragment(sentence)
    assert FRAGMENT in kinds(sentence)


def test_whole_sentences_and_the_pipeline_own_wording_are_not_fragments() -> None:
    text = (
        "The approved sources do not address breastfeeding. The approved sources do not answer "
        "this part of your question: \u201chow long does LDN take to work\u201d. "
        "Low-dose naltrexone is defined as a daily naltrexone dose of 1 to 5 mg [1]. "
        "\u201clithium\u201d on its own is not a question I can answer."
    )
    assert problems(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "It recommends bilevel NIV for acidotic COPD exacerbations [1].",
        "They found no difference in pain [2].",
        "The review separates LDN from very low-dose naltrexone.",  # which review? no citation
        "This is an off-label use [1].",
        "For acute respiratory failure from pulmonary oedema it recommends NIV or CPAP [1].",
    ],
)
def test_sentences_whose_subject_is_unexplained_are_found(sentence: str) -> None:
    assert unexplained_opening(sentence)
    assert kinds(sentence) == [UNEXPLAINED_OPENING]


@pytest.mark.parametrize(
    "sentence",
    [
        "It is recommended that the dose is reduced in renal impairment [1].",
        "The cefuroxime label advises asking about previous reactions to penicillins [1].",
        "The FINAL trial investigators concluded that LDN was not superior to placebo [2].",
        "This 2018 review by Toljan and Vrooman defines LDN as 1 to 5 mg a day [1].",
        "Naltrexone is contraindicated because it blocks opioid receptors [1].",
    ],
)
def test_sentences_that_name_their_subject_pass(sentence: str) -> None:
    assert not unexplained_opening(sentence)


def test_a_document_named_by_its_kind_is_the_one_its_citation_names() -> None:
    text = (
        "The FINAL trial randomised 99 women with fibromyalgia to low-dose naltrexone 6 mg or "
        "placebo [1]. The trial found a between-group difference of 0.34 points [1]."
    )
    assert problems(text) == []
    assert problems(text.replace("points [1].", "points.")) == []  # introduced just before
    uncited = "The trial found a between-group difference of 0.34 points."
    assert kinds(uncited) == [UNEXPLAINED_OPENING]


def test_counts_name_every_kind() -> None:
    assert counts(problems(CRUSHED_TWICE)) == {
        REPEATED_FACT: 1,
        FRAGMENT: 0,
        UNEXPLAINED_OPENING: 0,
    }
