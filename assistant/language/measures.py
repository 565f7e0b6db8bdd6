"""What a question asks to be measured, and what a sentence measures.

"How long does a course take?" asks for a duration, "how often is he reviewed?" for an
interval or a frequency, "starting dose?" for a dose, "how many ...?" for a count. A sentence
that states a quantity of that kind (read by :mod:`assistant.language.quantities`) answers
that kind of question; one that states only another kind does not, however close its words.
The asking words are the question grammar's; the measures are read from the quantities, so
nothing here knows a corpus's drugs or topics.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.language.quantities import DOSE_DIMENSIONS, frequencies, values

DURATION = "duration"
FREQUENCY = "frequency"
DOSE = "dose"
COUNT = "count"

_ASKS = (
    (
        DURATION,
        re.compile(
            r"\bhow long\b|\bfor how (?:many|much)\b|\bduration\b|\bhow many "
            r"(?:days|weeks|months|years|hours)\b|\buntil when\b|\bcourse length\b",
            re.I,
        ),
    ),
    (
        FREQUENCY,
        re.compile(
            r"\bhow (?:often|frequently)\b|\bhow many times\b|\bintervals?\b|\bfrequency\b|"
            r"\btimes a (?:day|week)\b|\bhow regularly\b",
            re.I,
        ),
    ),
    (
        DOSE,
        re.compile(
            r"(?<![\w-])(?:dose|doses|dosage|dosing|strength|how much \w+ (?:do|does|should|"
            r"can|to)|how many "
            r"(?:mg|milligrams?|micrograms?|tablets?|units?|ml))\b",
            re.I,
        ),
    ),
    (
        COUNT,
        re.compile(r"\bhow (?:many|much)\b|\bnumber of\b|\bwhat (?:percentage|proportion)\b", re.I),
    ),
)
# Intervals written without a number: "annually", "weekly", "once a year".
_INTERVAL_WORDS = re.compile(
    r"\b(?:hourly|daily|weekly|fortnightly|monthly|yearly|annual(?:ly)?|once a (?:week|month|"
    r"year)|every (?:day|week|month|year))\b",
    re.I,
)
# A dose's dimensions, and the counted forms a dose is also given in ("2 puffs").
_DOSE_DIMENSIONS = DOSE_DIMENSIONS | {
    "doses", "puffs", "sprays", "drops", "capsules", "pessaries", "sachets", "tablets", "percent"
}  # fmt: skip


def asked_at(question: str) -> int | None:
    """Where ``question`` first asks for a quantity ("how long", "dose"), or None."""
    starts = [m.start() for _, pattern in _ASKS if (m := pattern.search(question))]
    return min(starts) if starts else None


def asked_measures(question: str) -> frozenset[str]:
    """The kinds of quantity ``question`` asks for (empty when it asks for none)."""
    return frozenset(kind for kind, pattern in _ASKS if pattern.search(question))


@lru_cache(maxsize=16384)
def stated_measures(sentence: str) -> frozenset[str]:
    """The kinds of quantity ``sentence`` states."""
    found = values(sentence)
    kinds = set()
    if any(q.dimension == "time" for q in found):
        kinds |= {DURATION, FREQUENCY}  # "for 4 weeks"; "review at 4 to 6 weeks"
    if any(not f.weak for f in frequencies(sentence)) or _INTERVAL_WORDS.search(sentence):
        kinds.add(FREQUENCY)
    if any(q.dimension in _DOSE_DIMENSIONS for q in found):
        kinds.add(DOSE)
    if found or re.search(r"\d", sentence):
        kinds.add(COUNT)
    return frozenset(kinds)


def answers_measure(question: str, sentence: str) -> bool:
    """Whether ``sentence`` states a quantity of a kind ``question`` asks for."""
    asked = asked_measures(question)
    return bool(asked) and bool(asked & stated_measures(sentence))
