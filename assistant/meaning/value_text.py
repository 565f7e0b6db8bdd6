"""Value wording written the one way the quantity grammar reads it (see
:func:`normalize`), keeping every character where it was, for :mod:`assistant.meaning.values`."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.language import quantities

NUM = r"\d+(?:[.,]\d+)?"
_COUNT = r"\d+|one|two|three|four|five|six"
# "between 3 and 5 days", "between 1 microgram and 1 mg"
_BETWEEN = re.compile(rf"\b(between\s+)({NUM}(?:\s*[A-Za-zµμ]+)?\s+)(and)(?=\s+{NUM})", re.I)
# "5 to under 10 years", "3 months to less than 18 years"
_UP_TO = re.compile(
    rf"(?<=\d)((?:\s*[A-Za-z]+)?\s+to\s+)(less than|under|below|younger than)(?=\s+{NUM})", re.I
)
# "3 times in 24 hours", "four times in any 24 hours", "2 times per day", "3 times daily"
_TIMES = re.compile(
    rf"\b({_COUNT})\s+times\s+(?:(?:in|within|per|every|each)\s+(?:any\s+|a\s+|one\s+)?"
    r"(?:24\s*(?:hours|hour|hrs|hr|h)|day)|daily)\b",
    re.I,
)
# "2 or 3 times daily" is 2 to 3 times a day: a choice of counts is a range
_OR_TIMES = re.compile(r"(?<=\d)(\s+or\s+)(?=\d+\s+times\b)", re.I)
# "3 times weekly", "twice weekly" (after :data:`_TIMES`): so many times a week
_WEEKLY = re.compile(
    rf"\b({_COUNT})\s+times\s+(?:(?:per|every|each|in)\s+(?:a\s+|one\s+)?week|weekly)\b", re.I
)
# "3 divided doses" is 3 doses: the word moves after ("3 doses divided"), same length
_DIVIDED = re.compile(r"(?<=\d)(\s+)((?:divided|separate|equal)\s)(doses|dose)\b", re.I)
# "7.3% against 15.3%" compares two values: no "advise against"
_AGAINST = re.compile(r"\bagainst(?=\s+\d)", re.I)
AGE_CONTEXT = re.compile(
    r"\b(?:aged?|ages|children|child|infants?|babies|baby|adults?|adolescents?|neonates?|"
    r"newborns?|toddlers?|people|patients?|girls?|boys?|women|men)\s*$",
    re.I,
)
OLD = re.compile(r"^\s*(?:old|of age)\b", re.I)
NEAR = 32  # characters before a value searched for a comparator of the lexicon


def blank(match: re.Match[str], group: int) -> str:
    """The match with one group replaced by spaces."""
    start, end = match.span(group)
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + " " * (end - start) + whole[end - offset :]


def _a_day(match: re.Match[str]) -> str:
    written = f"{match.group(1)} times a day"
    return written + " " * (len(match.group(0)) - len(written))


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """``text`` with ranges and daily rates written as the quantity grammar reads them (and
    "against" between values as "versus"), every other character where it was (spans stay
    true)."""
    text = _BETWEEN.sub(lambda m: " " * len(m.group(1)) + m.group(2) + "to ", text)
    text = _UP_TO.sub(lambda m: blank(m, 2), text)
    text = _AGAINST.sub("versus ", text)
    text = _counted().sub(_digits, text)
    text = _DIVIDED.sub(lambda m: f"{m[1]}{m[3]}{m[2][-1]}{m[2][:-1]}", text)
    text = _OR_TIMES.sub(lambda m: " to" + " " * (len(m.group(1)) - 3), text)
    text = _WEEKLY.sub(_a_week, text)
    return _TIMES.sub(_a_day, text)


def _a_week(match: re.Match[str]) -> str:
    written = f"{match.group(1)} times a week"
    return written + " " * (len(match.group(0)) - len(written))


_COUNTS = "one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905


@lru_cache(maxsize=1)
def _counted() -> re.Pattern[str]:
    """A number written as a word before a unit ("three times", "two doses")."""
    units = quantities.grammar().unit_pattern
    counts = "|".join(_COUNTS)
    # the first count of a range or choice counts too: "two to four times", "one or two doses";
    # from two, a count of anything ("five portions", "eight cups")
    listed = rf"(?:\s+(?:to|or)\s+(?:{counts}|\d+))?(?:\s+(?:divided|separate|equal))?"
    things = rf"(?<!\bone)(?<!\bOne)(?={listed}\s+[a-z]{{3,}}s\b)"
    return re.compile(rf"\b({counts})(?:(?={listed}\s+(?:{units})\b)|{things})", re.I)


def _digits(match: re.Match[str]) -> str:
    written = str(_COUNTS.index(match.group(1).lower()) + 1)
    return written + " " * (len(match.group(0)) - len(written))
