"""Drug classes written otherwise than the datasets name them: in the singular ("an oral
antiviral" for "antivirals") or after one of their members ("tetracycline-class",
"penicillin type")."""

from __future__ import annotations

from assistant.language.terminology.build import TermIndex

CLASS_WORDS = frozenset({"class", "type", "family", "group"})
MIN_SINGULAR_CLASS = 6  # letters of a word read as the singular of a plural-only drug name


def plural_class(index: TermIndex, word: str) -> tuple[int, ...] | None:
    """The drugs or classes whose only name is the plural of ``word`` ("antivirals",
    "antidepressants"): a class is written in the singular too ("an oral antiviral")."""
    hit = index.variants.get(f"{word}s")
    if hit and all(index.kinds[n] in ("drug", "class") for n in hit):
        return tuple(hit)
    return None


def member_class(index: TermIndex, word: str) -> tuple[int, ...] | None:
    """The class named after one of its members ("tetracycline class": tetracyclines)."""
    hit = index.variants.get(f"{word}s")
    if hit and all(index.kinds[n] == "class" for n in hit):
        return tuple(hit)
    return None
