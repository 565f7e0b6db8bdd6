"""Answerability: which parts of the question the passages that would be cited address.

Checked against the evidence of this request, never the whole corpus. A question is answered
when every drug or condition it asks about and every population that changes the answer
(pregnancy, children, renal impairment...) is named in its passages:

- ``full``: every question of the message is covered;
- ``partial``: some questions are covered, or only minor parts (a dose asked about, a
  non-essential qualifier) are not; the answer opens by naming what is not covered;
- ``none``: no question is covered: the assistant declines, naming what is missing.

A question about a drug or condition that no passage mentions is never answered with facts
about another one: an uncovered subject makes its question uncovered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from assistant.understand import Concept, ConceptKind, Question, Understanding


class CoverageLevel(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True)
class Coverage:
    """The coverage decision for one request."""

    level: CoverageLevel
    uncovered: tuple[str, ...] = ()  # what the sources do not address, named for the user
    findings: tuple[str, ...] = field(default=())

    @property
    def declines(self) -> bool:
        return self.level is CoverageLevel.NONE


@lru_cache(maxsize=4096)
def _form_pattern(form: str) -> re.Pattern[str]:
    body = r"[\s-]+".join(re.escape(p) for p in re.split(r"[\s-]+", form.lower()))
    # Plural and British/American endings of the same word count ("opioid" ~ "opioids").
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es|e)?(?![a-z0-9])")


def mentions(text: str, concept: Concept) -> bool:
    """Whether lower-cased ``text`` names ``concept`` by any of its forms."""
    return any(_form_pattern(form).search(text) for form in concept.forms)


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class _Verdict:
    answered: bool
    missing: tuple[str, ...]  # named gaps
    minor: tuple[str, ...]  # gaps that do not stop the question being answered
    has_concepts: bool


def _judge(question: Question, context: Sequence[Concept], text: str) -> _Verdict:
    concepts = [*question.concepts, *(c for c in context if c not in question.concepts)]
    subjects = [c for c in concepts if c.is_subject]
    covered = [c for c in subjects if mentions(text, c)]
    missing = [c.label for c in subjects if c not in covered]
    minor: list[str] = []
    anchor = covered[0].label if covered else None
    for concept in concepts:
        if concept.kind not in (ConceptKind.QUALIFIER, ConceptKind.NUMBER):
            continue
        if mentions(text, concept):
            continue
        named = (
            f"{anchor} in {concept.label}"
            if anchor and concept.kind is ConceptKind.QUALIFIER
            else concept.label
        )
        (missing if concept.essential else minor).append(named)
    judged = [c for c in concepts if c.kind is not ConceptKind.RARE]
    return _Verdict(not missing, tuple(missing), tuple(minor), bool(judged))


def assess(
    understanding: Understanding,
    passages: Sequence[str],
    best_similarity: float,
    *,
    floor: float,
    min_evidence: float,
) -> Coverage:
    """Coverage of ``understanding``'s questions by ``passages`` (the texts that may be cited).

    ``floor``: under this similarity nothing retrieved is about the question at all.
    ``min_evidence``: for a question with no concept to check (no drug, condition, population
    or dose), the similarity the best passage needs.
    """
    if not passages or best_similarity < floor:
        return Coverage(
            CoverageLevel.NONE,
            (),
            (f"best passage similarity {best_similarity:.2f} is under the floor {floor:.2f}",),
        )
    text = "\n".join(passages).lower()
    questions = understanding.questions or (Question(understanding.corrected, ()),)
    verdicts = [_judge(q, understanding.context, text) for q in questions]
    missing = tuple(dict.fromkeys(m for v in verdicts for m in v.missing))
    minor = tuple(dict.fromkeys(m for v in verdicts for m in v.minor))
    answered = [v for v in verdicts if v.answered]
    if not answered:
        return Coverage(CoverageLevel.NONE, missing, _findings(missing))
    if not any(v.has_concepts for v in answered) and best_similarity < min_evidence:
        finding = f"best passage similarity {best_similarity:.2f} is under {min_evidence:.2f}"
        return Coverage(CoverageLevel.NONE, missing, (finding,))
    if missing or minor:
        return Coverage(CoverageLevel.PARTIAL, missing + minor, _findings(missing + minor))
    return Coverage(CoverageLevel.FULL)


def _findings(missing: Sequence[str]) -> tuple[str, ...]:
    return (f"not addressed by the passages: {', '.join(missing)}",) if missing else ()


def missing_phrase(coverage: Coverage) -> str:
    """What is not covered, as a phrase for a sentence ("naltrexone in pregnancy")."""
    return _join(list(coverage.uncovered)) if coverage.uncovered else "what you asked"
