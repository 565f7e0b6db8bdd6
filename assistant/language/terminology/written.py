"""How a word or an abbreviation's meaning is written: like an abbreviation, like a name,
or as a condition with words that only qualify it."""

from __future__ import annotations

import re

NAME_LIKE = 4.0  # zipf under which a word of an abbreviation's meaning is a name
_ABBREVIATION = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Za-z][A-Za-z0-9-]{1,7}$")  # "CKD", "CrCl"


# Words that qualify a condition without making it another thing: "acute exacerbations of
# chronic obstructive pulmonary disease" is about COPD; "procedure for prolapsed
# hemorrhoids" is not about hemorrhoids.
_MODIFIERS = frozenset(
    """acute chronic severe mild moderate recurrent exacerbation exacerbations of the a an
    with in episode episodes attack attacks flare flares""".split()  # noqa: SIM905
)


def qualifies(meaning: str, start: int, end: int) -> bool:
    """Whether the words of ``meaning`` outside ``start:end`` only qualify what is there."""
    outside = f"{meaning[:start]} {meaning[end:]}"
    return all(w in _MODIFIERS for w in re.findall(r"[a-z]+", outside.lower()))


def name_like(meaning: str) -> bool:
    """Whether a meaning has a word that is no everyday English ("airway", "clearance")."""
    from wordfreq import zipf_frequency

    words = [w for w in re.findall(r"[a-z]+", meaning.lower()) if len(w) >= 4]
    return len(words) >= 2 and any(zipf_frequency(w, "en") < NAME_LIKE for w in words)


def looks_like_abbreviation(word: str) -> bool:
    """Whether a word is written like an abbreviation ("CKD", "CrCl", "MSI-H")."""
    return bool(_ABBREVIATION.match(word))
