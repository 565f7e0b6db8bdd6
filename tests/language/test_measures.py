"""What a question asks to be measured, and what a sentence measures."""

from __future__ import annotations

import pytest

from assistant.language.measures import (
    COUNT,
    DOSE,
    DURATION,
    FREQUENCY,
    answers_measure,
    asked_measures,
    stated_measures,
)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("how long does a course usualy take?", {DURATION}),
        ("how often to review a man on tamsulosin?", {FREQUENCY}),
        ("how many times a day should he put it on?", {FREQUENCY, COUNT}),
        ("IBS - TCA starting dose?", {DOSE}),
        ("low-dose naltrexone in pregnancy?", set()),  # a drug's name, not a dose asked for
        ("is it safe in pregnancy?", set()),
    ],
)
def test_the_kind_of_quantity_a_question_asks_for(question: str, asked: set[str]) -> None:
    assert asked_measures(question) == asked


def test_a_sentence_answers_the_kind_it_states_and_not_another() -> None:
    course = "A course usually lasts 16 to 24 weeks."
    dose = "Amitriptyline is started at 5 to 10 mg at night."
    assert DURATION in stated_measures(course) and DOSE not in stated_measures(course)
    assert DOSE in stated_measures(dose) and DURATION not in stated_measures(dose)
    assert FREQUENCY in stated_measures("People on a PPI are reviewed annually.")
    assert answers_measure("how long is a course?", course)
    assert not answers_measure("how long is a course?", dose)
    assert answers_measure("starting dose?", dose) and not answers_measure("starting dose?", course)
    assert not answers_measure("is it safe?", dose)  # nothing asked, nothing answered


@pytest.mark.parametrize(
    "sentence",
    [
        "The maintenance dose is 2 inhalations a day.",
        "The dose is 2 sprays into each nostril once a day.",
        "1 drop is put in every 2 hours for 2 days.",
        "Take 2 capsules with water.",
        "A single 500 mg pessary is inserted at night.",
    ],
)
def test_a_dose_in_the_units_a_product_is_given_in_is_a_dose(sentence: str) -> None:
    """Inhalations, sprays, drops, capsules and pessaries are what a dose is given in; "a
    drop in blood pressure" is no dose."""
    assert DOSE in stated_measures(sentence)
    assert DOSE not in stated_measures("A drop in blood pressure on standing.")
