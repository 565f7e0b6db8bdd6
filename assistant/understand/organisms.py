"""Organism names a clinician shortens to the genus's initial ("C diff", "H. pylori",
"S. aureus"): read as the corpus's own binomial, so the question names what its passages
name. Only binomials the corpus writes are read, and only where one species fits."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# A binomial as passages write it, mid-sentence: a capitalised genus, a lower-case species.
_BINOMIAL = re.compile(r"(?<=[a-z,(] )([A-Z][a-z]{4,}) ([a-z]{4,})\b")
# The shortening: the genus's initial on its own, then the start of the species.
_SHORTENED = re.compile(r"(?<![\w.])([A-Za-z])(?:\.\s?|\s)([a-z]{3,})\b")


def corpus_binomials(texts: Iterable[str]) -> Counter[tuple[str, str]]:
    """How often the corpus writes each binomial (genus, species) mid-sentence, lower-cased."""
    return Counter(
        (genus.lower(), species) for text in texts for genus, species in _BINOMIAL.findall(text)
    )


def shortened_organisms(text: str, binomials: Counter[tuple[str, str]]) -> list[tuple[str, str]]:
    """(as written, the corpus's binomial) for each shortened organism name of ``text``
    that one species of ``binomials`` fits ("C diff": "clostridioides difficile", the genus
    the corpus writes most where it also writes an older one, "clostridium")."""
    found = []
    for match in _SHORTENED.finditer(text):
        initial, start = match.group(1).lower(), match.group(2)
        fits = [(n, g, s) for (g, s), n in binomials.items()
                if g[0] == initial and s.startswith(start)]  # fmt: skip
        if fits and len({s for _, _, s in fits}) == 1:
            _, genus, species = max(fits)
            found.append((match.group(0), f"{genus} {species}"))
    return found
