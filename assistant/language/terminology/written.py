"""How a word or an abbreviation's meaning is written: like an abbreviation, like a name,
or as a condition with words that only qualify it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.language.tokens import STOPWORDS

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


INITIALS_SEEN = 3  # times a phrase is written before its initials may be its shorthand


def spelled_often(texts: Iterable[str], initials: str) -> bool:
    """Whether ``texts`` write one phrase of two to four words, content words at both ends,
    whose initials are ``initials`` at least INITIALS_SEEN times ("ow": "once weekly").
    Words are joined by spaces or hyphens only; any other character ends a phrase."""
    return any(count >= INITIALS_SEEN for count in spelled(texts, initials).values())


def spelled(texts: Iterable[str], initials: str, *, compound: bool = False) -> Counter[str]:
    """How often ``texts`` write each phrase of two to four words, content words at both
    ends, whose initials are ``initials`` ("giant cell arteritis" for "gca"). With
    ``compound``, one word may also hold two of the letters, each opening a part of at least
    three and four letters ("polymyalgia rheumatica" for "pmr": poly-myalgia; "anogenital
    warts" for "agw")."""
    if not 2 <= len(initials) <= 4 or not initials.isalpha():
        return Counter()
    letters = [re.escape(letter) for letter in initials.lower()]
    groups = [[[letter] for letter in letters]]
    if compound:
        groups += [
            [[x] for x in letters[:i]] + [letters[i : i + 2]] + [[x] for x in letters[i + 2 :]]
            for i in range(len(letters) - 1)
        ]
    seen: Counter[str] = Counter()
    for group in groups:
        if len(group) < 2:
            continue
        words = r"[\s-]+".join(
            rf"({g[0]}[a-z]*)" if len(g) == 1 else rf"({g[0]}[a-z]{{2,}}{g[1]}[a-z]{{3,}})"
            for g in group
        )
        # A lookahead at every word start: overlapping phrases count, as a sliding window would.
        pattern = re.compile(rf"(?<![A-Za-z])(?=(?:{words})(?![A-Za-z]))", re.I)
        for text in texts:
            for match in pattern.finditer(text):
                found = [w.lower() for w in match.groups()]
                if found[0] not in STOPWORDS and found[-1] not in STOPWORDS:
                    seen[" ".join(found)] += 1
    return seen
