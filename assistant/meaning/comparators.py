"""Comparators a value's bound is read from beyond the grammar's list: any comparative
before "than" ("larger than 30 g", "shorter than 4 weeks"), a limit set on what comes before
the value ("limit tea and coffee to 3 cups", "capped at 20 mg"), and a negation that turns a
comparator ("no longer than 4 weeks", "is not used on the face for longer than 5 days" - a
maximum, which :func:`unturned` reads as no denial of use).
"""

from __future__ import annotations

import re
from functools import lru_cache

# A limit set on what comes before the value: "limit tea and coffee to 3 cups a day".
LIMITED = re.compile(
    r"\b(?:limit|limits|limited|limiting|restrict|restricts|restricted|restricting|cap|capped)"
    r"(?:\s+[\w-]+){0,4}?\s+(?:to|at)\s*$",
    re.I,
)
# Any comparative before "than" bounds the value after it: above, but for the comparatives of
# the low end of a scale ("smaller than", "shorter than", "earlier than").
COMPARATIVE = re.compile(r"(?<![\w-])(more|less|fewer|[a-z]{2,}er)\s+than\s*$", re.I)
LOW_COMPARATIVES = frozenset(
    {"less", "fewer", "lower", "smaller", "shorter", "younger", "earlier", "slower"}
    | {"lighter", "narrower", "thinner", "weaker", "cheaper"}
)
# A negation just before a comparator turns its bound: "no longer than 4 weeks" is at most 4
# weeks; "should not be used for more than 4 weeks" is a maximum of 4 weeks.
NEGATION_REACH = 64  # characters before a comparator searched for a negation that turns it
_NOT = r"(?:\b(?:no|not|never)|n't)"
NEGATED_BOUND = re.compile(
    rf"{_NOT}(?:\s+(?:be|been|being|to|used|given|taken|applied|continued|prescribed|"
    r"continuously|regularly|routinely|for|give|take|use|apply|last|lasting|go|goes|rise|rises|"
    r"increased|raised|titrated|kept|exceed))*\s*$"
    # "is not used on the face for longer than 5 days": a duration its use is kept within
    rf"|{_NOT}\s+(?:(?:be|been|being|to)\s+)*(?:used|given|taken|applied|continued|"
    r"prescribed|use|give|take|apply|continue)(?:\s+[\w-]+){0,5}?\s+for\s*$",
    re.I,
)
# A verb of its own right after the negation, before "more than", "over", "exceed": "should
# never involve more than 6 inhalations" (not "does not recur within 24 hours").
NEGATED_VERB = re.compile(
    rf"{_NOT}(?:\s+(?:be|been|being|to))*"
    r"\s+(?!(?:in|with|of|at|on|and|or|if|when|than|the|a|an|for|more|less)\b)"
    r"(?![a-z]+ly\b)[a-z]+"  # "does not normally exceed": an adverb, the negation stays
    # what the verb changes, and by how much: "should not increase their sleeping elevation by
    # more than 500 m a day"
    r"(?:(?:\s+[a-z]+){1,3}\s+by)?\s*$",
    re.I,
)
_TURNABLE = re.compile(
    r"(?<![\w-])(?:(?:more|less|fewer|[a-z]{2,}er)\s+than|over|above|beyond|exceed\w*)"
    r"(?=\s+(?:a\s+|the\s+)?\d)",
    re.I,
)
_NEGATION_WORD = re.compile(r"\b(?:no|not|never)\b|n't", re.I)


def _turning(text: str, at: int) -> int | None:
    """Where the negation starts that turns the comparator written at ``at`` ("no more
    than", "should never involve more than"), or None; a verb of its own between them turns
    only a comparator of size."""
    start = max(0, at - NEGATION_REACH)
    before = text[start : max(0, at)]
    negation = NEGATED_BOUND.search(before)
    if negation is None and _TURNABLE.match(text, at):
        negation = NEGATED_VERB.search(before)
    return None if negation is None else start + negation.start()


@lru_cache(maxsize=8192)
def unturned(text: str) -> str:
    """``text`` with each negation that turns a comparator blanked (same length): "is not
    used on the face for longer than 5 days" bounds a duration, and denies no use."""
    for comparator in _TURNABLE.finditer(text):
        at = _turning(text, comparator.start())
        if at is not None:
            word = _NEGATION_WORD.search(text, at)
            if word and word.start() < comparator.start():
                text = text[: word.start()] + " " * len(word.group(0)) + text[word.end() :]
    return text


def negated_at(text: str, at: int) -> bool:
    """Whether a negation before the comparator written at ``at`` turns it."""
    return _turning(text, at) is not None


def turned(name: str) -> str:
    """The other side of a bound."""
    return "above" if name == "below" else "below"
