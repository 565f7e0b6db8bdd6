"""The quantity grammar: doses, units, ranges, per-kg doses, frequencies and bounds, as values.

A quantity is a number or a range with its unit as written ("500 mg", "1-5 mg", "6 months to
6 years", "15 mg/kg/day", "30 mL/min/1.73 m2"); two quantities are the same when they measure
the same thing with the same value ("1 g" is "1000 mg"; "15 mg per kg" is "15 mg/kg"). A
frequency is a number of doses per day ("once a day" = "once daily" = "every 24 hours"), or a
one-off dose. A bound says which side of a number is meant ("below 30 mL/min", "no more than
4 g", "30 or more"). Citation markers are never read as numbers.

Units, denominators, frequencies and comparators are listed in ``data/grammar.v1.yaml``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.language import markers
from assistant.language.grammar import Grammar, grammar

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_RANGE_JOIN = r"\s*(?:-|–|—|to)\s*"
_NAME_NUMBER = re.compile(r"[A-Za-z]-$")  # "KEYNOTE-355", "COVID-19" are names, not values
_YEAR = re.compile(r"(?:19|20)\d\d")
_BOUND_WINDOW = 48  # characters around a number searched for its comparator
# Values listed with one unit at the end: "250 or 500 mg", "4.5 and 50 mg".
_LISTED = re.compile(r"^\s*(?:,\s*(?:or|and)?|or|and)\s*$")
# A number that counts a time ("day 1", "weeks 4 to 8") takes no unit from a list after it.
_COUNTED = re.compile(r"\b(?:days?|weeks?|months?|years?|cycles?|steps?)\s+$", re.I)
# read when comparing, no claim of their own: "1 to 5 mg daily", "worse at night"
_WEAK = frozenset({"daily", "every day", "each day", "at night"})
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# The dimensions a dose is measured in ("500 mg", "5 mL", "10 units", "2 mmol").
DOSE_DIMENSIONS = frozenset({"mass", "volume", "units", "amount"})


@dataclass(frozen=True)
class Quantity:
    """A number or range, with its unit when one is written."""

    text: str  # as written
    start: int
    end: int
    low: float
    high: float  # == low for a single value
    unit: str | None = None  # canonical ("mg", "mL", "years"); None for a bare number
    dimension: str | None = None
    base: float = 1.0  # the unit's size in its dimension's base unit
    per: tuple[str, ...] = ()  # denominators: ("kg",), ("kg", "day")
    inherited: bool = False  # the unit was written once, after a list ("250 or 500 mg")

    @property
    def is_range(self) -> bool:
        return self.high != self.low

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two quantities the same value: dimension, denominators, base values."""
        if self.unit is None:
            return (None, self.low, self.high)
        low, high = (_round(v * self.base) for v in (self.low, self.high))
        return (self.dimension, self.per, low, high)

    def same(self, other: Quantity) -> bool:
        """Whether both state the same value in the same unit of measure."""
        return self.key == other.key


@dataclass(frozen=True)
class Frequency:
    """How often a dose is given: doses per day (``per_day``), "night" or "single"."""

    text: str
    start: int
    end: int
    per_day: float | None  # None for a one-off dose
    at_night: bool = False

    @property
    def weak(self) -> bool:
        """A bare "daily" ("1 to 5 mg daily"): read when comparing, no claim of its own."""
        return self.text.lower() in _WEAK

    def same(self, other: Frequency) -> bool:
        """Whether both state the same rate (and a night-time dose is at night in both)."""
        if (self.per_day is None) != (other.per_day is None):
            return False
        if self.at_night and not other.at_night:
            return False
        if self.per_day is None or other.per_day is None:
            return True
        return math.isclose(self.per_day, other.per_day, rel_tol=1e-3)


Fact = Quantity | Frequency


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _number(text: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    g = grammar()
    unit = rf"(?:{g.unit_pattern})(?![A-Za-zµ])"
    per = rf"(?:\s*(?:/|\bper\b)\s*(?:{g.denominator_pattern})(?![A-Za-z]))*"
    return re.compile(
        rf"(?<![\w.])(?P<low>{_NUMBER})"
        rf"(?:(?:\s*(?P<lowunit>{unit}))?{_RANGE_JOIN}(?P<high>{_NUMBER}))?"
        rf"(?:\s*(?P<unit>{unit})(?P<per>{per}))?",
        re.IGNORECASE,
    )


def masked(text: str) -> str:
    """``text`` with its citation markers blanked out (same length: spans stay true)."""
    return markers.MARKER.sub(lambda m: " " * len(m.group(0)), text)


def _denominators(raw: str, g: Grammar) -> tuple[str, ...]:
    found = re.findall(rf"(?:/|\bper\b)\s*({g.denominator_pattern})", raw, re.IGNORECASE)
    pers = (g.denominators[" ".join(f.lower().split())] for f in found)
    return tuple(dict.fromkeys(p for p in pers if p != "dose"))  # mg/kg/dose is mg/kg


def quantities(text: str) -> list[Quantity]:
    """Every number or range stated in ``text`` (markers excluded), with its unit when one is
    written; a unit written once after a list goes with every value of the list."""
    return list(_quantities(text))


@lru_cache(maxsize=16384)
def _quantities(text: str) -> tuple[Quantity, ...]:
    """:func:`quantities`, remembered: the verifier reads each passage sentence once per
    claim it checks."""
    return tuple(_read_quantities(text))


def _read_quantities(text: str) -> list[Quantity]:
    g = grammar()
    plain = masked(text)
    found: list[Quantity] = []
    for match in _pattern().finditer(plain):
        found.append(_quantity(match, g))
    return _share_units(_up_to_ranges(found, plain), plain)


_UP_TO = re.compile(r"^\s*(?:up to|upto)\s*$", re.IGNORECASE)


def _up_to_ranges(found: list[Quantity], text: str) -> list[Quantity]:
    """ "500 mg up to 1 g" is the range 500 mg to 1 g, not a bound of 1 g: two values of one
    dimension joined by "up to", the second the larger."""
    merged: list[Quantity] = []
    for q in found:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.unit is not None
            and q.unit is not None
            and last.dimension == q.dimension
            and not last.is_range
            and _UP_TO.match(text[last.end : q.start])
            and last.low * last.base < q.high * q.base
        ):
            low = last.low * last.base / q.base
            merged[-1] = Quantity(text[last.start : q.end], last.start, q.end, low, q.high,
                                  q.unit, q.dimension, q.base, q.per)  # fmt: skip
            continue
        merged.append(q)
    return merged


def _quantity(match: re.Match[str], g: Grammar) -> Quantity:
    low = _number(match.group("low"))
    high = _number(match.group("high")) if match.group("high") else low
    written = match.group("unit") or match.group("lowunit")
    if written is None:
        return Quantity(match.group(0).strip(), match.start(), match.end(), low, high)
    unit = g.units[" ".join(written.lower().split())]
    if match.group("lowunit") and match.group("unit"):
        first = g.units[" ".join(match.group("lowunit").lower().split())]
        if first.dimension == unit.dimension and first.base != unit.base:
            low = low * first.base / unit.base  # "6 months to 2 years": both in years
    per = _denominators(match.group("per") or "", g)
    return Quantity(match.group(0).strip(), match.start(), match.end(), low, high,
                    unit.unit, unit.dimension, unit.base, per)  # fmt: skip


def _share_units(found: list[Quantity], text: str) -> list[Quantity]:
    """Bare numbers listed before a number with a unit take that unit ("250 or 500 mg")."""
    shared = list(found)
    for i in range(len(found) - 2, -1, -1):
        here, after = shared[i], shared[i + 1]
        if here.unit is None and after.unit and _LISTED.match(text[here.end : after.start]):
            if _COUNTED.search(text[max(0, here.start - 12) : here.start]):
                continue  # "on days 1 to 3, 0.5 mg": a day's number, not a dose
            shared[i] = Quantity(here.text, here.start, here.end, here.low, here.high,
                                 after.unit, after.dimension, after.base, after.per,
                                 inherited=True)  # fmt: skip
    return shared


def _is_name(text: str, q: Quantity) -> bool:
    return bool(_NAME_NUMBER.search(text[max(0, q.start - 2) : q.start]))


def values(text: str) -> list[Quantity]:
    """Quantities with a unit that are not part of a name ("KEYNOTE-355")."""
    plain = masked(text)
    return [q for q in quantities(plain) if q.unit is not None and not _is_name(plain, q)]


def frequencies(text: str) -> list[Frequency]:
    """Dosing frequencies stated in ``text`` ("twice daily", "every 48 hours", "q6h")."""
    return list(_frequencies(text))


@lru_cache(maxsize=16384)
def _frequencies(text: str) -> tuple[Frequency, ...]:
    plain = masked(text)
    g = grammar()
    found: list[Frequency] = []
    for match in g.frequency_pattern.finditer(plain):
        rate = g.frequencies[" ".join(match.group(0).lower().split())]
        per_day = None if rate == "single" else 1.0 if rate == "night" else float(rate)
        found.append(Frequency(match.group(0), match.start(), match.end(), per_day,
                               at_night=rate == "night"))  # fmt: skip
    for pattern, rate_of in _RULES:
        for match in pattern.finditer(plain):
            if not any(f.start <= match.start() < f.end for f in found):
                found.append(Frequency(match.group(0), match.start(), match.end(), rate_of(match)))
    return tuple(sorted(found, key=lambda f: f.start))


_PERIOD_DAYS = {
    "min": 1 / 1440,
    "h": 1 / 24,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.4375,
}


def period_days(unit: str) -> float:
    """How many days one ``unit`` ("hour", "weeks", "min") lasts."""
    unit = unit.lower().rstrip("s")
    if unit.startswith("min"):
        return _PERIOD_DAYS["min"]
    return _PERIOD_DAYS["h" if unit in ("h", "hr") else unit]


def _count(word: str) -> float:
    word = word.lower()
    return {"other": 2.0, "second": 2.0, "third": 3.0}.get(word) or float(
        _WORDS.get(word) or _number(word)
    )


_RULES = (
    (
        re.compile(
            r"\bevery\s+(other|second|third|\d+(?:\.\d+)?)\s+"
            r"(minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?)\b",
            re.IGNORECASE,
        ),
        lambda m: 1.0 / (_count(m.group(1)) * period_days(m.group(2))),
    ),
    (
        re.compile(r"\bevery\s+(hour|day|week|month)\b", re.IGNORECASE),
        lambda m: 1.0 / period_days(m.group(1)),
    ),
    (
        re.compile(
            r"\b(\d+|one|two|three|four|five|six)\s+times\s+(?:a|per|each)\s+(day|week)\b",
            re.IGNORECASE,
        ),
        lambda m: _count(m.group(1)) / period_days(m.group(2)),
    ),
    (
        re.compile(r"\bq\s?(\d+)\s?h\b|\b(\d+)[-\s]hourly\b", re.IGNORECASE),
        lambda m: 24.0 / float(m.group(1) or m.group(2)),
    ),
    (re.compile(r"(?<![\w-])hourly\b", re.IGNORECASE), lambda m: 24.0),
)


def facts(text: str) -> list[Fact]:
    """The values a text states that a supporting text must state too: numbers (with their
    unit when written) and frequencies. A year, a number that is part of a name
    ("KEYNOTE-355") and a number inside a frequency ("every 12 hours") are no values of
    their own."""
    plain = masked(text)
    often = frequencies(plain)
    found: list[Fact] = []
    for q in quantities(plain):
        if _is_name(plain, q) or (q.unit is None and _YEAR.fullmatch(q.text)):
            continue
        if any(f.start <= q.start < f.end for f in often):
            continue
        found.append(q)
    return [*found, *(f for f in often if not f.weak)]


def stated(fact: Fact, text: str) -> bool:
    """Whether ``text`` states ``fact``: the same value in the same unit of measure (a bare
    number anywhere as a number), the same range (or both its ends as values), the same
    frequency."""
    if isinstance(fact, Frequency):
        return any(fact.same(f) for f in frequencies(text))
    others = quantities(text)
    if fact.unit is None:
        return any(fact.low in (q.low, q.high) or fact.high in (q.low, q.high) for q in others)
    if any(fact.same(q) for q in others):
        return True
    if fact.is_range:  # "1 mg to 5 mg" against "1 mg ... 5 mg"
        ends = [_single(fact, fact.low), _single(fact, fact.high)]
        return all(any(end.same(q) for q in others) for end in ends)
    return False


def _single(q: Quantity, value: float) -> Quantity:
    return Quantity(q.text, q.start, q.end, value, value, q.unit, q.dimension, q.base, q.per)


def grounded(fact: Fact, texts: list[str]) -> bool:
    """Whether one of ``texts`` states ``fact``."""
    return any(stated(fact, t) for t in texts)


def bound(text: str, start: int, end: int) -> str | None:
    """ "below" or "above" when the number at ``text[start:end]`` carries a comparator
    ("below 30 mL/min", "no more than 4 g", "30 mL/min or more"), else None."""
    g = grammar()
    before = text[max(0, start - _BOUND_WINDOW) : start]
    after = text[end : end + _BOUND_WINDOW]
    # the longest comparator wins: "no less than 4 mg" is above, though it ends "less than"
    found = [(m.start(), side) for side, p in g.before if (m := p.search(before))]
    if found:
        return min(found)[1]
    for side, pattern in g.after:
        if pattern.search(after):
            return side
    return None


def bounds(text: str) -> list[tuple[Quantity, str]]:
    """Each single value of ``text`` that carries a bound, with its side."""
    plain = masked(text)
    found = []
    for q in quantities(plain):
        if q.is_range:
            continue  # a range carries its own bounds
        side = bound(plain, q.start, q.end)
        if side is not None:
            found.append((q, side))
    return found


_LISTED_JOIN = re.compile(r"\s*(?:,\s*)?(?:(?:or|and|to)\s+)?")


def listed_run(value: Quantity, same: list[Quantity], text: str) -> list[Quantity]:
    """``value`` and the values (of ``same``, in text order) listed next to it in ``text``
    ("250 mg or 500 mg", "250, 500 or 1000 mg")."""
    at = same.index(value)
    start = end = at
    while start > 0 and _LISTED_JOIN.fullmatch(text[same[start - 1].end : same[start].start]):
        start -= 1
    while end + 1 < len(same) and _LISTED_JOIN.fullmatch(text[same[end].end : same[end + 1].start]):
        end += 1
    return same[start : end + 1]


def kind(fact: Fact) -> str:
    """What a fact measures: its dimension (with denominators), "frequency", or "number"."""
    if isinstance(fact, Frequency):
        return "frequency"
    if fact.unit is None:
        return "number"
    return "/".join((fact.dimension or "", *fact.per))


def numbers(text: str) -> set[float]:
    """Every number value ``text`` states (range ends included), markers excluded."""
    return {v for q in quantities(text) for v in (q.low, q.high)}
