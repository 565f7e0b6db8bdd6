"""The sex a text names: of the patient a question describes, or of the people a passage is on.

The words are the meaning lexicon's "women/men" pole (``language/data/meaning.v2.yaml``), the
same the verifier reads a claim's population by; "72F" and "68M", a clinician's shorthand
for age and sex, are read by rule.
"""

from __future__ import annotations

import re

from assistant.meaning.lexicon import lexicon

_SHORTHAND = re.compile(r"\b\d{1,2}\s?(?P<sex>[MF])\b")
_SHORT = {"F": "female", "M": "male"}
SEX_POLE = "women/men"  # the pole whose sides are the words of each sex


def sexes_named(text: str) -> frozenset[str]:
    """The sexes ``text`` names ("female", "male")."""
    pole = lexicon().pole(SEX_POLE)
    if pole is None:
        return frozenset()
    found = {sex for sex, words in (("female", pole.a), ("male", pole.b)) if words.search(text)}
    found |= {_SHORT[m.group("sex")] for m in _SHORTHAND.finditer(text)}
    return frozenset(found)
