"""The word lists of the meaning checks (:mod:`assistant.meaning`), compiled once.

Package data, versioned: ``assistant/data/lexicons/meaning.v1.yaml``. Terms are lower case
and match as whole words; a trailing ``*`` matches any ending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.config import PACKAGE_DATA
from assistant.language.grammar import read_yaml

LEXICON = PACKAGE_DATA / "lexicons" / "meaning.v1.yaml"
# Kinds of named things a sentence can put in place of one another (a drug for a drug, a
# condition for a condition); drug classes and comparators ("placebo") name no one thing.
SUBSTITUTABLE = frozenset({"treatments", "conditions", "populations"})
ENTITY_KINDS = SUBSTITUTABLE | {"classes"}


@dataclass(frozen=True)
class Pole:
    """Two opposite directions (partial/full, before/after): terms of side a and of side b."""

    name: str
    a: re.Pattern[str]
    b: re.Pattern[str]
    attaches: bool = False  # a number goes with the direction ("partial" with 4.5 mg)


@dataclass(frozen=True)
class Entity:
    """One named thing (a drug, condition or population): its display name, any of its
    names, and its kind (a key of the lexicon's ``entities``)."""

    name: str
    pattern: re.Pattern[str]
    kind: str


@dataclass(frozen=True)
class Lexicon:
    """The compiled word lists the checks use."""

    poles: tuple[Pole, ...]
    entities: tuple[Entity, ...]
    name_shape: re.Pattern[str]  # a word shaped like a drug or disease name ("-mab", "-itis")
    qualifiers: tuple[tuple[str, re.Pattern[str]], ...]  # what a number is (start, maintenance)
    same: Mapping[str, str]  # a word the negation check reads as another ("superior": "better")


def _term(term: str) -> str:
    body = re.escape(term.lower()).replace(r"\*", r"[\w-]*").replace(r"\ ", r"[\s-]+")
    left = r"(?<![\w-])" if term[:1].isalnum() else ""
    right = r"(?![\w])" if term[-1:].isalnum() else ""
    return left + body + right


def any_term(terms: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching any of the terms (longest first, so "high-flow" beats "high")."""
    ordered = sorted((str(t) for t in terms), key=len, reverse=True)
    return re.compile("|".join(_term(t) for t in ordered), re.IGNORECASE)


def _entities(raw: Mapping[str, Any]) -> tuple[Entity, ...]:
    return tuple(
        Entity(str(names[0]), any_term(names), kind)
        for kind, groups in raw.items()
        for names in groups
    )


def _same(groups: Sequence[Sequence[str]]) -> dict[str, str]:
    return {str(word): str(group[0]) for group in groups for word in group[1:]}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, compiled once."""
    raw = read_yaml(LEXICON.read_text(encoding="utf-8"))
    poles = tuple(
        Pole(p["name"], any_term(p["a"]), any_term(p["b"]), bool(p.get("attaches")))
        for p in raw["poles"]
    )
    shape = re.compile(
        rf"\b(?:(?:{'|'.join(raw['name_prefixes'])})[a-z]+|[a-z]+(?:{'|'.join(raw['name_suffixes'])}))\b",
        re.IGNORECASE,
    )
    qualifiers = tuple((str(q["name"]), any_term(q["terms"])) for q in raw["qualifiers"])
    return Lexicon(
        poles=poles,
        entities=_entities(raw["entities"]),
        name_shape=shape,
        qualifiers=qualifiers,
        same=_same(raw["same"]),
    )
