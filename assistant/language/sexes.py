"""The sex a text names: of the patient a question describes, or of the people a passage is on.

The words are the grammar's (``data/grammar.v1.yaml``, ``sexes``); "72F" and "68M", the
clinician's shorthand for age and sex, are read by rule.
"""

from __future__ import annotations

import re

from assistant.language.grammar import grammar

_SHORTHAND = re.compile(r"\b\d{1,2}\s?(?P<sex>[MF])\b")
_SHORT = {"F": "female", "M": "male"}


def sexes_named(text: str) -> frozenset[str]:
    """The sexes ``text`` names ("female", "male")."""
    found = {name for name, words in grammar().sexes if words.search(text)}
    found |= {_SHORT[m.group("sex")] for m in _SHORTHAND.finditer(text)}
    return frozenset(found)
