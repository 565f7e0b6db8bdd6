"""Ages as values: the age bands a passage gives ("6 months to 6 years", "from 1 year of age",
"under 12 months") and the ages a message states ("4 year old", "8yo", "50M", "aged 72"), in
years. A duration ("for 3 days", "not cured 3 weeks after treatment") is no age.
"""

from __future__ import annotations

import re

from assistant.language.quantities import Quantity, masked, period_days, quantities

_YEAR_MINUTES = 525960.0
_AGE_UNITS = frozenset({"days", "weeks", "months", "years"})
# An age is written near one of these; a duration ("for 3 days", "within 2 weeks") is not.
_AGE_WORDS = re.compile(
    r"\b(?:aged?|ages|old|older|younger|of age|birth|children|child|infants?|adults?|"
    r"adolescents?|babies|baby|neonates?|newborns?|toddlers?|patients?)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:for|within|after|every|during|lasting|until|course of)"
    r"(?:\s+(?:more|less|longer|shorter) than|\s+(?:over|under|at least|up to))?\s*$",
    re.I,
)
# "not cured 3 weeks after treatment", "repeated 2 weeks later": a time, not an age.
_ELAPSED = re.compile(r"^\s*(?:afterwards?|after|later|before|beforehand|apart|ago)\b", re.I)
_LASTS_FOR = re.compile(r"^\s*for\b", re.I)
_FROM = re.compile(r"\b(?:from|over|older than|upwards of|at least)\s*$|[>≥]\s*$", re.I)
_UNDER = re.compile(r"\b(?:under|below|younger than|less than|up to)\s*$|[<≤]\s*$", re.I)
_ONWARDS = re.compile(r"^\s*(?:of age\s*)?(?:and|or)\s+(?:older|over|above)\b", re.I)


def age_bands(text: str) -> list[tuple[float, float]]:
    """The age bands a text gives, in years: "6 months to 6 years" (0.5, 6), "from 1 year of
    age" (1, 130), "under 12 months" (0, 1), "aged 2 years" (2, 3). A duration is no age."""
    plain = masked(text)
    bands = []
    for q in _age_spans(plain):
        before, after = plain[max(0, q.start - 40) : q.start], plain[q.end : q.end + 30]
        if _DURATION.search(before) or _ELAPSED.match(after):
            continue
        if _LASTS_FOR.match(after) and not _AGE_WORDS.search(before):
            continue  # "3 to 6 months for toenails": how long a course is, for what
        # "from 1 year", "under 6 months": a band even with no age word; "over 3 days" and
        # "up to 4 days" are durations.
        years = q.unit in ("months", "years")
        banded = years and (
            q.is_range or _FROM.search(before) or _UNDER.search(before) or _ONWARDS.match(after)
        )
        if not (banded or _AGE_WORDS.search(before) or _AGE_WORDS.search(after)):
            continue
        low, high = (v * q.base / _YEAR_MINUTES for v in (q.low, q.high))
        if q.is_range:
            bands.append((low, high))
        elif _FROM.search(before) or _ONWARDS.match(after):
            bands.append((low, 130.0))
        elif _UNDER.search(before):
            bands.append((0.0, low))
        else:
            bands.append((low, low + q.base / _YEAR_MINUTES))
    return bands


_UP_TO = re.compile(r"^\s*(?:to|until|-|–)\s+(?:less than|under|below|younger than)?\s*$", re.I)


def _age_spans(text: str) -> list[Quantity]:
    """The ages of a text, "from 3 months to less than 18 years" and "from 1 to under 5
    years" read as one range each."""
    found = quantities(text)
    spans: list[Quantity] = []
    skip = False
    for here, after in zip(found, [*found[1:], None], strict=False):
        if skip:
            skip = False
            continue
        joined = after is not None and after.unit in _AGE_UNITS and here.unit in (None, *_AGE_UNITS)
        if joined and after is not None and _UP_TO.match(text[here.end : after.start]):
            base = here.base if here.unit else after.base
            low = here.low * base / after.base
            spans.append(Quantity(text[here.start : after.end], here.start, after.end, low,
                                  after.high, after.unit, after.dimension, after.base))  # fmt: skip
            skip = True
        elif here.unit in _AGE_UNITS:
            spans.append(here)
    return spans


_AGE = re.compile(
    r"\b(\d{1,3})\s*(?:-?\s*(?:year|yr)s?[\s-]*old|\s*y/?o\b|(?=[MF]\b))"  # "72 yo", "50M"
    r"|\b(\d{1,2})[\s-]*(month|week|day)s?[\s-]*old\b"
    r"|\b(\d{1,2})/(12|52)\s*(?:old\b|of age\b)",  # "4/12 old": four months
    re.IGNORECASE,
)
_AGED = re.compile(r"\baged\s+(\d{1,3})\b(?!\s*(?:months?|weeks?|days?)\b)", re.IGNORECASE)


def ages_in_years(text: str) -> list[float]:
    """Ages a message states ("4 year old", "8yo", "6-month-old", "50M", "aged 72"), in
    years; "on metformin 5 yrs" is a duration, not an age."""
    found = [float(m.group(1)) for m in _AGED.finditer(text)]
    for match in _AGE.finditer(text):
        if match.group(1):
            found.append(float(match.group(1)))
        elif match.group(2):
            found.append(float(match.group(2)) * period_days(match.group(3)) / 365.25)
        else:
            found.append(float(match.group(4)) / float(match.group(5)))
    return found
