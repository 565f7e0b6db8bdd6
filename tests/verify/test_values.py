"""Quantities are compared as values, not strings (issue 20 item 3): the same dose, rate or
bound written another way is kept; another value, another rate or the opposite bound is
removed with its reason. Each pair is one faithful claim and one wrong claim against the same
supporting sentence (a check that removed both, or kept both, would be no check).
"""

from __future__ import annotations

import pytest

from assistant.language.quantities import bound, quantities
from assistant.meaning import meaning_problem
from assistant.meaning.value_text import normalize
from assistant.meaning.values import grounded, side

SAME = [
    ("Naltrexone is taken at 50 mg once a day.", "Naltrexone 50 mg is taken once daily."),
    # A metered dose of a spray or inhaler is a puff.
    (
        "One or two puffs of the GTN spray go under the tongue.",
        "One or two metered doses of the GTN spray are sprayed under the tongue.",
    ),
    ("Naltrexone is taken at 50 mg every 24 hours.", "Naltrexone 50 mg is taken once daily."),
    ("The adult dose is 1 g of paracetamol.", "The adult dose of paracetamol is 1000 mg."),
    (
        "Dexamethasone is given at 0.15 mg/kg by mouth.",
        "Dexamethasone is given at 150 micrograms/kg by mouth.",
    ),
    (
        "Lorazepam is given at no more than 4 mg per dose.",
        "Lorazepam is given at 100 micrograms/kg (maximum 4 mg per dose).",
    ),
    (
        "Ibuprofen may be given no more than three times in 24 hours.",
        "Ibuprofen may be given up to 3 times in 24 hours.",
    ),
    ("Symptoms peak at 3 to 5 days.", "Symptoms usually peak between 3 and 5 days."),
    (
        "The 7.5 mg syringe is for children aged 5 to under 10 years.",
        "The 7.5 mg syringe is for children from 5 years to less than 10 years.",
    ),
    ("Low-dose naltrexone is 4.5 mg per day.", "Low-dose naltrexone is 4.5 mg daily."),
    (
        "Children are admitted if they are younger than 16 years.",
        "Children under 16 years are admitted.",
    ),
    # A negation before a verb of its own turns "more than" into a maximum.
    (
        "A single occasion should never involve more than 6 inhalations.",
        "No more than 6 inhalations are taken on any single occasion.",
    ),
    # A negated change bounded by how much it changes.
    (
        "Above 3000 m, sleeping altitude should go up by no more than 500 m each day.",
        "Above 3000 m, people should not increase their sleeping elevation by more than 500 m "
        "a day.",
    ),
    # The value the claim pairs is the one given for the case it names ("for toenails").
    (
        "Terbinafine 250 mg a day is taken for 3 to 6 months when the toenails are affected.",
        "Terbinafine is given as 250 mg once a day for 6 weeks to 3 months for fingernails "
        "and 3 to 6 months for toenails.",
    ),
    # A clause on one step of a regimen says nothing of the step after "followed by".
    (
        "Fluconazole 150 mg is taken every 72 hours for 3 doses.",
        "An induction course of fluconazole 150 mg every 72 hours for 3 doses is followed by "
        "maintenance with fluconazole 150 mg once a week for 6 months.",
    ),
    (
        "Escalation occurred in 12% against 23% with standard oxygen.",
        "Escalation occurred in 12% compared with 23% with standard oxygen.",
    ),
]

DIFFERENT = [
    (  # the duration of the other branch
        "Terbinafine 250 mg a day is taken for 3 to 6 months when the fingernails are affected.",
        "Terbinafine is given as 250 mg once a day for 6 weeks to 3 months for fingernails "
        "and 3 to 6 months for toenails.",
        "not stated together",
    ),
    (  # the steps swapped
        "Fluconazole 150 mg is taken once a week for 3 doses.",
        "An induction course of fluconazole 150 mg every 72 hours for 3 doses is followed by "
        "maintenance with fluconazole 150 mg once a week for 6 months.",
        "not stated together",
    ),
    (  # an adverb after the negation: the support still denies it
        "A course does normally exceed 2 weeks.",
        "A course does not normally exceed 2 weeks.",
        "negation",
    ),
    (
        "Naltrexone is taken at 50 mg twice a day.",
        "Naltrexone 50 mg is taken once daily.",
        "not in the cited sentence",
    ),
    (
        "Dexamethasone is given at 0.15 mg by mouth.",  # per-kg doses keep their unit
        "Dexamethasone is given at 150 micrograms/kg by mouth.",
        "not in the cited sentence",
    ),
    (
        "Lorazepam is given at no less than 4 mg per dose.",
        "Lorazepam is given at 100 micrograms/kg (maximum 4 mg per dose).",
        "bounded above",
    ),
    (
        "The second sample is taken no earlier than 4 hours after onset.",
        "The second sample is taken ideally within 1-2 hours, but no later than 4 hours, "
        "after onset.",
        "bounded above",
    ),
    (
        "Oxygen is given when saturation stays above 90%.",
        "Oxygen is given when saturation is persistently below 90%.",
        "bounded above",
    ),
    (
        "Ibuprofen is given at 15 mg/kg/day.",
        "Ibuprofen is given at 15 mg/kg three times daily.",
        "not in the cited sentence",
    ),
    (
        "A lorazepam dose may be repeated every 10 minutes.",
        "A lorazepam dose is repeated once after 10 minutes if required.",
        "not in the cited sentence",
    ),
]


@pytest.mark.parametrize(("claim", "support"), SAME)
def test_the_same_value_written_another_way_is_kept(claim: str, support: str) -> None:
    assert meaning_problem(claim, support) is None


@pytest.mark.parametrize(("claim", "support", "why"), DIFFERENT)
def test_another_value_rate_or_bound_is_removed_with_its_reason(
    claim: str, support: str, why: str
) -> None:
    problem = meaning_problem(claim, support)
    assert problem is not None and why in problem, problem
    assert meaning_problem(support, support) is None


def test_normalize_keeps_every_character_where_it_was() -> None:
    text = "between 3 and 5 days, 5 to under 10 years, three times in any 24 hours, 7% against 9%"
    written = normalize(text)
    assert len(written) == len(text)
    assert [q.text.split()[0] for q in quantities(written)][:2] == ["3", "5"]
    assert "3 to" in written and "3 times a day" in written and "versus" in written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no less than 4 mg", "above"),
        ("no more than 4 mg", "below"),
        ("not exceeding 4 mg", "below"),
        ("up to 4 mg", "below"),
        ("below a creatinine clearance of 10 mL/min", "below"),
        ("30 mL/min or more", "above"),
    ],
)
def test_the_longest_comparator_gives_the_bound(text: str, expected: str) -> None:
    value = quantities(text)[-1]
    assert bound(text, value.start, value.end) == expected
    assert side(text, value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("children over 12 years", "above"),
        ("babies of 35 weeks' gestation or more", "above"),
        ("1 year of age and older", "above"),
        ("no later than 4 hours", "below"),
        ("given over 4 hours", None),  # a duration, not a bound
    ],
)
def test_the_meaning_lexicon_reads_bounds_the_grammar_does_not(
    text: str, expected: str | None
) -> None:
    value = quantities(text)[0]
    assert side(text, value) == expected


def test_a_dose_per_day_is_the_dose_daily_unless_another_rate_follows() -> None:
    (per_day,) = quantities("4.5 mg per day")
    assert grounded(per_day, ["4.5 mg daily at night"])
    assert grounded(per_day, ["4.5 mg a day"])
    assert not grounded(per_day, ["4.5 mg twice daily"])


def test_a_claim_may_leave_out_the_steps_between_two_of_its_values() -> None:
    """ "from 1.25 mg up to 10 mg" says what "1.25 mg, then 2.5, 3.75, 5 and 7.5 mg, to a
    maximum of 10 mg" says; a value outside the two is another value."""
    support = (
        "Bisoprolol is started at 1.25 mg once a day and, if tolerated, increased step by step "
        "to 2.5 mg, 3.75 mg, 5 mg and 7.5 mg, to a maximum of 10 mg once a day."
    )
    kept = (
        "Bisoprolol begins at 1.25 mg a day and, step by step if tolerated, climbs to a "
        "ceiling of 10 mg a day."
    )
    assert meaning_problem(kept, support) is None
    wrong = kept.replace("1.25 mg", "2.5 mg")
    assert meaning_problem(wrong, support) is not None
