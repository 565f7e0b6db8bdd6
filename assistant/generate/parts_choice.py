"""Which quoted sentence answers which part of a question (the extractive generator's choice).

A message that asks two things ("can it be crushed, and does it need repeating?") gets, for
each part the passages cover, the sentence that answers that part best: the part's own words
embedded with the question's subject, the kind of statement it asks for (a second course for
"repeating", adverse effects for "side effects": ``assistant/data/answer/aspects.vN.yaml``),
and the ranking's own bonuses (concepts named, question words and numbers). A part no sentence
answers well enough is reported, so the answer names it as not covered instead of quoting
something else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import PACKAGE_DATA
from assistant.errors import ConfigError
from assistant.language import quantities
from assistant.language.grammar import load_entries
from assistant.language.negation import excluded_stems
from assistant.language.tokens import content_stems

ASPECTS = PACKAGE_DATA / "answer"
# A part that asks for a kind of statement is answered by a sentence that gives it and is at
# least ASPECT_SIMILARITY close (cosine); any other part by a sentence PART_SIMILARITY close.
PART_SIMILARITY = 0.5
ASPECT_SIMILARITY = 0.15
ASPECT_BONUS = 0.15
WORD_BONUS = 0.15
RANK_BONUS_WEIGHT = 0.5
FOCUS_BONUS = 0.6
FOCUS_SIMILARITY = 0.2
# Words any question uses, which say nothing of what a part asks about.
GENERIC = content_stems(
    "need needs needed can could use used using give given giving take taken taking get getting "
    "know tell expect happen happens mean means find found show showed shown work works "
    "patient patients someone people person doctor advise recommend recommended say says said "
    "should would will also still ok okay safe usual usually able way thing things did does "
    "do done"
)


class Quotable(Protocol):
    """What the choice needs of a ranked sentence (extractive.Candidate)."""

    @property
    def sentence(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def similarity(self) -> float: ...
    @property
    def vector(self) -> np.ndarray: ...


@dataclass(frozen=True)
class Aspect:
    """A kind of statement a part may ask for: how it is asked, and how a sentence gives it."""

    name: str
    asks: tuple[re.Pattern[str], ...]
    gives: tuple[re.Pattern[str], ...]


def _patterns(values: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where}: expected a list of regexes")
    try:
        return tuple(re.compile(v, re.I) for v in values)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid regex ({exc})") from exc


@lru_cache(maxsize=4)
def load_aspects(folder: Path = ASPECTS, version: int = 1) -> tuple[Aspect, ...]:
    """The aspects table (package data), checked when read."""
    path = folder / f"aspects.v{version}.yaml"
    entries = load_entries(path, "aspects")
    found = []
    for i, entry in enumerate(entries):
        where = f"{path} aspect {i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{where}: needs a name, asks and gives")
        found.append(
            Aspect(
                entry["name"],
                _patterns(entry.get("asks"), where),
                _patterns(entry.get("gives"), where),
            )
        )
    return tuple(found)


# "what about CRPS?", "and in children?": a part that asks what the part before it asked,
# about something else.
_ELLIPTICAL = re.compile(r"^\W*(?:and\s+|but\s+)?(?:(?:what|how)\s+about|for|in|with)\b", re.I)


def framed(parts: Sequence[str]) -> list[str]:
    """Each part as it is matched against sentences: an elliptical part ("what about CRPS?")
    with the part before it, whose question it repeats."""
    return [
        f"{parts[i - 1]} {part}" if i and _ELLIPTICAL.match(part) else part
        for i, part in enumerate(parts)
    ]


def asked(part: str, table: Sequence[Aspect]) -> list[Aspect]:
    """The aspects a part of a question asks for, the one its question words ask first
    ("how many women were in the trial": how many, before evidence)."""
    found = []
    for aspect in table:
        starts = [m.start() for p in aspect.asks if (m := p.search(part)) is not None]
        if starts:
            found.append((min(starts), aspect))
    return [a for _, a in sorted(found, key=lambda pair: pair[0])]


def head(aspects: Sequence[Aspect], part: str) -> list[Aspect]:
    """The aspects asked first in ``part`` (those a sentence must give to answer it)."""
    spans = {a.name: _first_span(a, part) for a in aspects}
    if not spans:
        return []
    first = min(start for start, _ in spans.values())
    return [a for a in aspects if spans[a.name][0] == first]


def _first_span(aspect: Aspect, part: str) -> tuple[int, int]:
    found = [m.span() for p in aspect.asks if (m := p.search(part)) is not None]
    return min(found) if found else (len(part), len(part))


def gives(aspects: Sequence[Aspect], sentence: str) -> bool:
    """Whether a sentence gives one of the aspects asked for."""
    return any(p.search(sentence) for a in aspects for p in a.gives)


@dataclass(frozen=True)
class PartMatch:
    """The best sentence found for one part, how well it fits, and whether it answers."""

    candidate: Quotable
    score: float
    answers: bool


def focus(part: str, aspects: Sequence[Aspect], subject: frozenset[str]) -> frozenset[str]:
    """What a part asks about besides its subject and the kind of statement it wants: "does
    LDN help sleep?" -> sleep; "should the filled bladder be emptied before birth?" -> fill,
    bladder, empty, birth."""
    asked_words = " ".join(m.group(0) for a in aspects for p in a.asks for m in p.finditer(part))
    return content_stems(part) - subject - content_stems(asked_words) - GENERIC


def part_score(
    part: str,
    vector: np.ndarray,
    candidate: Quotable,
    aspects: Sequence[Aspect],
    subject: frozenset[str] = frozenset(),
) -> tuple[float, bool]:
    """(score, answers) of ``candidate`` for one part of the question; ``subject``: stems of
    the names of what the question is about (every sentence here names them)."""
    similarity = float(np.dot(vector, candidate.vector))
    hit = gives(aspects, candidate.sentence)
    required = gives(head(aspects, part), candidate.sentence)
    # What the sentence sets aside ("without haemodialysis") is not what it is about.
    said = content_stems(candidate.sentence) - excluded_stems(candidate.sentence)
    words = content_stems(part)
    overlap = len(words & said) / len(words) if words else 0.0
    overlap += _numbers_shared(part, candidate.sentence)
    own = focus(part, aspects, subject)
    shared = len(own & said)
    fit = bound_fit(part, candidate.sentence)
    bonuses = candidate.score - candidate.similarity  # the ranking's concept/word/intent bonuses
    score = (
        similarity
        + (ASPECT_BONUS if hit else 0.0)
        + WORD_BONUS * (overlap + fit)
        + FOCUS_BONUS * (shared / len(own) if own else 0.0)
        + RANK_BONUS_WEIGHT * bonuses
    )
    # A part that asks for a kind of statement is answered only by a sentence giving it (the
    # one its question words ask first): a sentence about the same drug ("LDN is off-label")
    # does not say how long it takes to work. Any other part, by a close sentence, or a less
    # close one that names most of what it asks about ("the filled bladder ... emptied").
    if aspects:
        answers = required and similarity >= ASPECT_SIMILARITY
    else:
        names_most = bool(own) and 2 * shared >= len(own) and similarity >= FOCUS_SIMILARITY
        answers = similarity >= PART_SIMILARITY or names_most
    return score, answers and fit >= 0 and not _other_year(part, candidate.sentence)


def bound_fit(part: str, sentence: str) -> float:
    """+1 when a number the part gives ("CrCl is 25") lies on the side of a bound the sentence
    states ("less than 30"), -1 when it lies on the other side of every one ("30 or more",
    "below 10": another band), 0 when either has none."""
    values = [q.low for q in quantities.quantities(part) if not q.is_range]
    bounded = {(q.low, side) for q, side in quantities.bounds(part)}
    values = [v for v in values if not any(v == low for low, _ in bounded)]
    limits = quantities.bounds(sentence)
    if not values or not limits:
        return 0.0
    holds = any(
        (v >= q.low if side == "above" else v < q.low) for v in values for q, side in limits
    )
    return 1.0 if holds else -1.0


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def _other_year(part: str, sentence: str) -> bool:
    """Whether the part asks about one year's study ("the 2013 trial") and the sentence
    speaks only of others ("the 2024 trial")."""
    asked, said = set(_YEAR.findall(part)), set(_YEAR.findall(sentence))
    return bool(asked and said and not asked & said)


def _numbers_shared(part: str, sentence: str) -> float:
    """1 for each of: a number of the part in the sentence, a bound of the part on the same
    side ("CPS of 10 or more", not "1 or more")."""
    numbers = quantities.numbers(part) & quantities.numbers(sentence)
    bounds = {(side, q.low) for q, side in quantities.bounds(part)} & {
        (side, q.low) for q, side in quantities.bounds(sentence)
    }
    return float(bool(numbers)) + float(bool(bounds))


def matches(
    part: str,
    vector: np.ndarray,
    pool: Sequence[Quotable],
    table: Sequence[Aspect],
    subject: frozenset[str] = frozenset(),
) -> list[PartMatch]:
    """Every sentence of ``pool`` as an answer to ``part``: those that answer first, then by
    score."""
    aspects = asked(part, table)
    found = []
    for candidate in pool:
        score, answers = part_score(part, vector, candidate, aspects, subject)
        found.append(PartMatch(candidate, score, answers))
    return sorted(found, key=lambda m: (m.answers, m.score), reverse=True)
