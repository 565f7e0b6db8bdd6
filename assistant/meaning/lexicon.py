"""The word lists of the meaning checks (:mod:`assistant.meaning`), compiled once, and how a
text's named things are read for them.

Closed-class words (directions, regimen steps, words read as one, the shapes of drug and
disease names) are package data of the language layer, versioned:
``assistant/language/data/meaning.v2.yaml``. The named things themselves - drugs, classes,
conditions, populations - come from the terminology (:mod:`assistant.language.terminology`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.language.grammar import load_data
from assistant.language.terminology import Mention, Terminology
from assistant.language.tokens import stem

LEXICON = Path(__file__).parents[1] / "language" / "data" / "meaning.v2.yaml"
# Kinds of named things a sentence can put in place of one another (a drug for a drug, a
# condition for a condition); drug classes name no one thing.
SUBSTITUTABLE = frozenset({"treatments", "conditions", "populations"})
ENTITY_KINDS = SUBSTITUTABLE | {"classes"}
# The terminology's kinds, as the meaning checks group them.
_ENTITY_OF = {
    "drug": "treatments",
    "term": "treatments",
    "class": "classes",
    "condition": "conditions",
    "population": "populations",
}


def entity_kind(mention: Mention) -> str | None:
    """The meaning checks' kind of a named thing ("treatments"), or None for what is no
    entity of theirs (an aspect, a substance)."""
    return _ENTITY_OF.get(mention.concept.kind)


def entities(text: str, terminology: Terminology) -> list[Mention]:
    """The drugs, clinical terms, classes, conditions and populations a text names, each
    name read whole."""
    return list(_entities(terminology, text, terminology.generation))


@lru_cache(maxsize=8192)
def _entities(terminology: Terminology, text: str, generation: int) -> tuple[Mention, ...]:
    return tuple(
        m
        for m in terminology.scan(text)
        if entity_kind(m) is not None and not _verb(m, text) and not _everyday_alias(m)
    )


_EVERYDAY = 4.5  # Zipf frequency from which a word is everyday English ("combined", "mixed")


def _everyday_alias(mention: Mention) -> bool:
    """Whether a one-word condition name is an everyday participle that shares no word with
    its concept's name: a dataset synonym such as "combined" (for a combined deficiency) names
    nothing in "a triptan combined with an NSAID"; "cancer" (Neoplasms) still names its
    concept, and "infected" (Infections) its own."""
    written = mention.text.strip().lower()
    if mention.concept.kind != "condition" or not written.isalpha():
        return False
    if not written.endswith("ed"):  # a participle ("combined", "mixed") names no condition
        return False
    if stem(written) in {stem(w) for w in re.findall(r"[a-z]+", mention.concept.name.lower())}:
        return False
    from wordfreq import zipf_frequency

    return zipf_frequency(written, "en") >= _EVERYDAY


# An everyday word that names a condition is a verb before these: "the eGFR falls below 30".
_VERB_NEXT = re.compile(r"^\s+(?:below|above|under|over|to|by|from|within|back)\b", re.I)


def _verb(mention: Mention, text: str) -> bool:
    """Whether a one-word name is used as a verb ("falls below", "drops to")."""
    if " " in mention.text.strip() or mention.concept.kind != "condition":
        return False
    return bool(_VERB_NEXT.match(text[mention.end :]))


@dataclass(frozen=True)
class Pole:
    """Two opposite directions (partial/full, before/after): terms of side a and of side b."""

    name: str
    a: re.Pattern[str]
    b: re.Pattern[str]
    attaches: bool = False  # a number goes with the direction ("partial" with 4.5 mg)
    # only a support that says the other side contradicts a claim (size, certainty: a claim
    # may call large what its support does not size, never what it calls small)
    opposite_only: bool = False
    # terms of a side read in the support only ("then" says "after" there, not in a claim)
    a_support: re.Pattern[str] | None = None
    b_support: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Lexicon:
    """The compiled word lists the checks use."""

    poles: tuple[Pole, ...]
    qualifiers: tuple[tuple[str, re.Pattern[str]], ...]  # what a number is (start, maintenance)
    same: Mapping[str, str]  # a word the negation check reads as another ("superior": "better")
    adjectives: tuple[tuple[str, str], ...] = ()  # noun ending -> adjective ending
    settings: tuple[tuple[str, re.Pattern[str]], ...] = ()  # a setting of care, its words

    def pole(self, name: str) -> Pole | None:
        """The pole of this name ("women/men"), or None."""
        return next((p for p in self.poles if p.name == name), None)


def _term(term: str) -> str:
    body = re.escape(term.lower()).replace(r"\*", r"[\w-]*").replace(r"\ ", r"[\s-]+")
    left = r"(?<![\w-])" if term[:1].isalnum() else ""
    right = r"(?![\w])" if term[-1:].isalnum() else ""
    return left + body + right


def any_term(terms: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching any of the terms (longest first, so "high-flow" beats "high")."""
    ordered = sorted((str(t) for t in terms), key=len, reverse=True)
    return re.compile("|".join(_term(t) for t in ordered), re.IGNORECASE)


def _same(groups: Sequence[Sequence[str]]) -> dict[str, str]:
    return {str(word): str(group[0]) for group in groups for word in group[1:]}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, compiled once."""
    raw = load_data(LEXICON)
    poles = tuple(
        Pole(
            p["name"],
            any_term(p["a"]),
            any_term(p["b"]),
            bool(p.get("attaches")),
            bool(p.get("opposite_only")),
            any_term(p["a_support"]) if p.get("a_support") else None,
            any_term(p["b_support"]) if p.get("b_support") else None,
        )
        for p in raw["poles"]
    )
    qualifiers = tuple((str(q["name"]), any_term(q["terms"])) for q in raw["qualifiers"])
    return Lexicon(
        poles=poles,
        qualifiers=qualifiers,
        same=_same(raw["same"]),
        adjectives=tuple((str(n), str(a)) for n, a in raw.get("adjectives", ())),
        settings=tuple((str(n), any_term(t)) for n, t in raw.get("settings", {}).items()),
    )
