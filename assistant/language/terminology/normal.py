"""How terms and text are compared: one normal form for a phrase, shared by the index and the
scanner.

Lower case; hyphens, slashes and dashes are spaces ("pre-eclampsia" is "pre eclampsia");
apostrophes and a possessive "'s" go ("cord's" is "cord"); British spellings of longer words
are made American ("haemorrhage" is "hemorrhage", "paediatric" is "pediatric") because most
dataset names are American.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")
_POSSESSIVE = re.compile(r"['’]s$")
_BRITISH = ((re.compile(r"ae"), "e"), (re.compile(r"oe"), "e"), (re.compile(r"our\b"), "or"))
MIN_BRITISH = 6  # shorter words ("does", "hour", "toe") are left alone


@lru_cache(maxsize=65536)
def word(token: str) -> str:
    """One word in normal form."""
    lowered = _POSSESSIVE.sub("", token.lower()).replace("'", "").replace("’", "")
    if len(lowered) >= MIN_BRITISH and not lowered[0].isdigit():
        for pattern, replacement in _BRITISH:
            lowered = pattern.sub(replacement, lowered)
    return lowered


def words(text: str) -> list[str]:
    """The normal words of a phrase."""
    return [word(part) for part in _SPLIT.split(text.strip()) if part]


def phrase(text: str) -> str:
    """A phrase in normal form (its words joined by single spaces)."""
    return " ".join(w for w in words(text) if w)


def singular(term: str) -> str | None:
    """The singular of a phrase's last word ("seizures" -> "seizure"), or None."""
    head, _, last = term.rpartition(" ")
    if len(last) < 5 or not last.endswith("s") or last.endswith("ss"):
        return None
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "xes", "ses")):
        last = last[:-2]
    else:
        last = last[:-1]
    return f"{head} {last}" if head else last
