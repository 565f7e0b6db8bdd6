"""Directions a claim names against its support: a sequence stated with "then" or "once"
states both of its ends; a paraphrase may name a change or an extent its support implies, but
never the opposite one."""

from __future__ import annotations

import pytest

from assistant.language.terminology import default_terminology
from assistant.meaning.lexicon import lexicon
from assistant.meaning.prefixes import prefix_problem
from assistant.meaning.sentence import pole_problem
from assistant.meaning.sequence import FIRST, LATER, places, sequence_problem


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
    ("claim", "support"),
    [
        (  # a discourse step
            "If asthma is not controlled, the dose is raised, and after that a second drug is "
            "added.",
            "If asthma is not controlled, the dose is raised, and if it is still not controlled, "
            "a second drug is added.",
        ),
        (  # the alternative the claim rules out
            "A bisphosphonate is offered straight away rather than after a bone scan.",
            "A bisphosphonate is offered at once, without a bone scan.",
        ),
    ],
)
def test_words_that_state_no_direction_of_the_claim_s_own_are_not_judged(
    claim: str, support: str
) -> None:
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
        (
            "During a fever the usual glucocorticoid dose is halved.",
            "During a fever the person doubles their usual glucocorticoid dose.",
            "halved",
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


@pytest.mark.parametrize(
    ("claim", "support", "opposite"),
    [
        (
            "In sarcoidosis, vitamin D can cause hypocalcaemia.",
            "In sarcoidosis, vitamin D can cause hypercalcaemia.",
            "hypercalcaemia",
        ),
        ("It may cause hypertension.", "It may cause hypotension.", "hypotension"),
    ],
)
def test_the_opposite_prefix_on_one_root_is_the_opposite(
    claim: str, support: str, opposite: str
) -> None:
    problem = prefix_problem(claim, support)
    assert problem is not None and opposite in problem
    assert prefix_problem(support, support) is None
    # other roots are other things: hypertension says nothing of hypoglycaemia
    assert prefix_problem("It may cause hypertension.", "It may cause hypoglycaemia.") is None


def test_a_step_puts_what_comes_before_it_first() -> None:
    terms = default_terminology()
    assert places("Sertraline is tried first, then fluoxetine.", terms) == {
        "drug:sertraline": {FIRST},
        "drug:fluoxetine": {LATER},
    }
    taper = "Prednisolone 15 mg a day is given for 3 weeks, then 12.5 mg a day for 3 weeks."
    claim = (
        "Prednisolone stays at 15 mg each day for the first 3 weeks and then at 12.5 mg each "
        "day for the next 3 weeks."
    )
    assert sequence_problem(claim, taper, terms) is None
    swapped = "Fluoxetine is tried first, then sertraline."
    assert sequence_problem(swapped, "Sertraline is tried first, then fluoxetine.", terms)
