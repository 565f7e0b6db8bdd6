"""Drug classes written otherwise than the datasets name them: in the singular ("an oral
antiviral" for "antivirals") or after one of their members ("tetracycline-class",
"penicillin type")."""

from __future__ import annotations

from assistant.language.terminology.build import TermIndex

CLASS_WORDS = frozenset({"class", "type", "family", "group"})
MIN_SINGULAR_CLASS = 6  # letters of a word read as the singular of a plural-only drug name
SINGULAR_KINDS = ("drug", "class")  # "antivirals" is a drug group the datasets do not list
MEMBER_KINDS = ("class",)  # "tetracyclines" is a class with members


def plural_named(index: TermIndex, word: str, kinds: tuple[str, ...]) -> tuple[int, ...] | None:
    """The concepts of ``kinds`` whose name is the plural of ``word``: a class written in the
    singular ("an oral antiviral": antivirals, with ``SINGULAR_KINDS``) or after one of its
    members ("tetracycline class": tetracyclines, with ``MEMBER_KINDS``)."""
    hit = index.variants.get(f"{word}s")
    if hit and all(index.kinds[n] in kinds for n in hit):
        return tuple(hit)
    return None
