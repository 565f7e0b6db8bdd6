"""What a question asks for decides which of two equally close sentences is quoted first."""

from __future__ import annotations

import pytest

from assistant.generate.ranking import intent_bonus as _intent_bonus

MISSED = "If a dose is missed, the tablet is taken the morning after it is remembered."
WITH_FOOD = "The tablet is taken with a full glass of plain water before breakfast."
CRUSHED = "The chewable tablet can be crushed and mixed with food."
EVENING = "Sertraline is taken once a day, in the morning or in the evening."
REFERRAL = "Specialist advice is sought for cellulitis near the eyes or nose."
UPRIGHT = "The capsule is swallowed with plenty of water while sitting upright."
DOSE = "The dose is 100 mg once a day, started 2 days before travel."
SECOND_COURSE = "If symptoms continue after a first course, a second course is considered."


@pytest.mark.parametrize(
    ("question", "wanted", "other"),
    [
        ("what if she misses the weekly dose?", MISSED, WITH_FOOD),
        ("can it be crushed for a toddler?", CRUSHED, MISSED),
        ("which antibiotic, and should he be referred?", REFERRAL, WITH_FOOD),
        ("can it be taken at night?", EVENING, CRUSHED),
        ("any advice on how she should take it?", UPRIGHT, DOSE),
        ("still tired and achy - what now?", SECOND_COURSE, DOSE),
    ],
)
def test_the_sentence_giving_what_is_asked_is_favoured(
    question: str, wanted: str, other: str
) -> None:
    assert _intent_bonus(question, wanted) > _intent_bonus(question, other)
