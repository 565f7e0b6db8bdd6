"""The quantity grammar: values, units, ranges, per-kg doses, frequencies and bounds."""

from __future__ import annotations

import pytest

from assistant.language.ages import age_bands, ages_in_years
from assistant.language.quantities import (
    bounds,
    facts,
    frequencies,
    grounded,
    quantities,
    stated,
    values,
)


def _one(text: str):  # type: ignore[no-untyped-def]
    (found,) = quantities(text)
    return found


def test_quantities_keep_units_ranges_and_ignore_markers() -> None:
    found = quantities("LDN at 1-5 mg, usually 4.5 mg [2], vs 50 mg once daily for 3 days [3].")
    assert [q.text for q in found] == ["1-5 mg", "4.5 mg", "50 mg", "3 days"]
    assert (found[0].low, found[0].high, found[0].unit) == (1.0, 5.0, "mg")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1 g", "1000 mg"),
        ("1,000 mg", "1 g"),
        ("500 micrograms", "0.5 mg"),
        ("15 mg per kg", "15 mg/kg"),
        ("15 mg/kg/dose", "15 mg/kg"),
        ("1 to 5 mg", "1-5 mg"),
        ("6 months to 2 years", "0.5-2 years"),
        ("500 mg up to 1 g", "500 mg to 1 g"),  # a range, not a bound of 1 g
    ],
)
def test_the_same_value_written_two_ways_is_one_value(a: str, b: str) -> None:
    assert _one(a).same(_one(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("50 mg", "50 mL"), ("15 mg/kg", "15 mg"), ("1-5 mg", "1-6 mg"), ("6-12 years", "6 years")],
)
def test_different_values_or_units_are_different(a: str, b: str) -> None:
    assert not _one(a).same(_one(b))


def test_up_to_between_a_dose_and_a_frequency_is_no_range() -> None:
    assert [q.text for q in values("10 mg up to 3 times a day")][:1] == ["10 mg"]


def test_a_unit_written_once_after_a_list_goes_with_every_value() -> None:
    found = values("give 250, 500 or 1000 mg")
    assert [(q.low, q.unit) for q in found] == [(250, "mg"), (500, "mg"), (1000, "mg")]


def test_per_kg_and_per_area_doses_keep_their_denominators() -> None:
    assert _one("15 mg/kg/day").per == ("kg", "day")
    assert _one("30 mL/min/1.73 m2").per == ("min", "m2")
    assert _one("max. 500 mg").per == ()


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("once daily", 1.0),
        ("once a day", 1.0),
        ("every 24 hours", 1.0),
        ("twice daily", 2.0),
        ("bd", 2.0),
        ("every 12 hours", 2.0),
        ("12-hourly", 2.0),
        ("three times a day", 3.0),
        ("tds", 3.0),
        ("q6h", 4.0),
        ("every other day", 0.5),
        ("every 48 hours", 0.5),
        ("every 3 weeks", 1 / 21),
    ],
)
def test_frequencies_are_doses_per_day(text: str, per_day: float) -> None:
    (found,) = frequencies(f"Give it {text} for a week.")
    assert found.per_day == pytest.approx(per_day)


def test_frequencies_compare_by_rate() -> None:
    (daily,) = frequencies("once a day")
    assert stated(daily, "taken once daily") and stated(daily, "every 24 hours")
    assert not stated(daily, "twice daily")
    (single,) = frequencies("as a single dose")
    assert not stated(single, "once daily")


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("below 30 mL/min", "below"),
        ("CrCl <10 mL/min", "below"),
        ("no more than 4 g in 24 hours", "below"),
        ("up to 4 g a day", "below"),
        ("max. 500 mg", "below"),
        ("a maximum of 10 mg", "below"),
        ("not exceeding 60 mg/kg", "below"),
        ("30 mL/min or more", "above"),
        ("at least 30 mL/min", "above"),
        ("aged 2 years and older", "above"),
    ],
)
def test_bounds_and_their_direction(text: str, side: str) -> None:
    assert [s for _, s in bounds(text)] == [side]


def test_grounding_is_by_value() -> None:
    dose, bedtime = facts("Give 4.5 mg at bedtime.")
    assert grounded(bedtime, ["nightly"])
    assert grounded(dose, ["take 4.5mg at bedtime"])
    (gram,) = facts("1 g twice daily")[:1]
    assert grounded(gram, ["1000 mg every 12 hours"])
    (rng,) = facts("1 mg to 5 mg")
    assert grounded(rng, ["doses of 1 to 5 mg"])
    (ml,) = facts("50 mg")
    assert not grounded(ml, ["50 mL of water"])
    (bare,) = facts("in 3 trials")
    assert not grounded(bare, ["for 3.5 days"])


def test_facts_leave_out_years_names_and_the_numbers_of_frequencies() -> None:
    found = facts("In KEYNOTE-355 (2020), 500 mg every 12 hours [2].")
    assert [f.text for f in found] == ["500 mg", "every 12 hours"]


def test_ages() -> None:
    assert ages_in_years("my 3 year old") == [3.0]
    assert ages_in_years("a 6-month-old baby") == [0.5]
    assert ages_in_years("8yo with croup") == [8.0]


def test_age_bands_and_times_that_are_no_ages() -> None:
    assert age_bands("children 6 months to 6 years") == [(0.5, 6.0)]
    assert age_bands("patients 1 year of age and older") == [(1.0, 130.0)]
    assert age_bands("infants under 12 months") == [(0.0, 1.0)]
    # A time after treatment beside a child is no age band.
    assert age_bands("If a child is not cured 3 weeks after treatment, repeat it.") == []
    # a course's length, for what: "3 to 6 months for toenails"
    assert (
        age_bands(
            "250 mg a day for 6 weeks to 3 months for fingernails and 3 to 6 months for toenails"
        )
        == []
    )
    assert age_bands("children aged 6 months to 6 years for threadworm") == [(0.5, 6.0)]
    assert age_bands("a child whose dose is repeated 2 weeks later") == []
    assert age_bands("the rash in adults can appear from 3 days to 3 months afterwards") == []
    # A course longer than a duration is no age, even beside "older age".
    assert age_bands("treatment for more than 14 days and older age are risk factors") == []
