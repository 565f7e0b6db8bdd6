"""Directions a claim names against its support: a sequence stated with "then" or "once"
states both of its ends; a paraphrase may name a change or an extent its support implies, but
never the opposite one."""

from __future__ import annotations

import pytest

from assistant.meaning.lexicon import lexicon
from assistant.meaning.sentence import pole_problem


@pytest.mark.parametrize(
    ("claim", "support"),
    [
        (
            "Permethrin cream stays on the skin for 8 to 12 hours before it is washed off.",
            "It is left on for 8 to 12 hours and then washed off.",
        ),
        (
            "After the haemoglobin is back to normal, iron is kept going for 3 months.",
            "Once the haemoglobin is normal, iron is continued for 3 months.",
        ),
        (
            "Spirometry after a bronchodilator showing an FEV1/FVC ratio under 0.7 confirms it.",
            "It is confirmed by post-bronchodilator spirometry with an FEV1/FVC ratio below 0.7.",
        ),
        (
            "Adherence is checked before asthma treatment is increased.",
            "Adherence is checked before asthma treatment is stepped up.",
        ),
        (
            "The total daily dose should never go above 24 mg.",
            "The dose can be raised weekly up to a maximum of 24 mg a day.",
        ),
    ],
)
def test_a_direction_the_support_implies_is_kept(claim: str, support: str) -> None:
    assert pole_problem(claim, support, lexicon()) is None


@pytest.mark.parametrize(
    ("claim", "support", "word"),
    [
        ("Take it after food.", "Take it on an empty stomach, before food.", "after"),
        (
            "The dose is increased in renal impairment.",
            "The dose is reduced in renal impairment.",
            "increased",
        ),
        ("It gives full opioid blockade.", "It gives only partial opioid blockade.", "full"),
        (
            "Taking sildenafil with food can speed up its effect.",
            "Taking it with food can delay its effect.",
            "speed up",
        ),
        # a support with no sequence word says no order at all
        (
            "Cord samples are taken before the baby is born.",
            "Paired cord samples are taken.",
            "before",
        ),
    ],
)
def test_an_opposite_or_unstated_order_is_found(claim: str, support: str, word: str) -> None:
    problem = pole_problem(claim, support, lexicon())
    assert problem is not None and f"'{word}'" in problem
