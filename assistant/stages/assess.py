"""Assess: how the message reads and which parts of it the retrieved passages cover.

The coverage rules (assistant/coverage.py) are applied here only: to the retrieved passages
as a whole, to each part of a message that asks several things, and, asked by the verify
stage, to the passages an answer ends up citing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from assistant.coverage import Coverage, CoverageLevel, assess
from assistant.generate.base import AskedConcept, AskedPart
from assistant.index.retriever import Retrieval
from assistant.stages.data import Assessment, Turn
from assistant.understand import Concept, MessageKind, Understander, Understanding


@dataclass(frozen=True)
class Assess:
    understander: Understander
    floor: float  # evidence_floor of the answer settings
    min_evidence: float

    def __call__(self, turn: Turn, retrieval: Retrieval) -> Assessment:
        """The message's kind and, for a question, what the retrieved passages cover."""
        started = time.perf_counter()
        understanding = turn.understanding
        parts = self.parts(understanding, retrieval)
        kind = understanding.kind
        if kind is not MessageKind.QUESTION:
            meaning = self.understander.meaning(understanding.corrected.strip(" ?.!"))
            found = Coverage(CoverageLevel.NONE, (), (f"message: {kind}",))
            assessment = Assessment(found, kind, meaning, parts)
        else:
            passages = [h.chunk.embedding_text for h in retrieval.hits]
            found = self.coverage(understanding, passages, retrieval.best_similarity)
            assessment = Assessment(found, kind, None, parts)
        turn.timings_ms["assess"] = (time.perf_counter() - started) * 1000
        return assessment

    def coverage(
        self,
        understanding: Understanding,
        passages: list[str],
        best: float,
        *,
        quantities: bool = True,
    ) -> Coverage:
        """Which parts of the question ``passages`` address (see assistant/coverage.py);
        ``quantities``: whether the quantity asked of a drug must be stated (not asked of the
        passages an answer cites, which are judged on what they name)."""
        return assess(
            understanding,
            passages,
            best,
            terminology=self.understander.terminology,
            floor=self.floor,
            min_evidence=self.min_evidence,
            quantities=quantities,
        )

    def parts(self, understanding: Understanding, retrieval: Retrieval) -> tuple[AskedPart, ...]:
        """The parts of a message that asks several things, each with whether the passages
        cover what it names (coverage judges each part as a question of its own)."""
        questions = understanding.questions
        if len(questions) < 2:
            return ()
        passages = [h.chunk.embedding_text for h in retrieval.hits]
        parts = []
        for question in questions:
            alone = replace(understanding, questions=(question,))
            verdict = self.coverage(alone, passages, retrieval.best_similarity, quantities=False)
            own = [
                c for c in self.understander.concepts(question.text) if c.is_subject and c.essential
            ]
            covered = not verdict.declines
            parts.append(AskedPart(question.text, covered, tuple(asked(c) for c in own)))
        return tuple(parts)


def asked(c: Concept, leaned: bool = False) -> AskedConcept:
    """A concept of the question as the generator and verification see it."""
    return AskedConcept(
        frozenset((c.term.id, *c.term.broader)) if c.term else frozenset(),
        c.forms,
        drug=_treatment(c),
        leaned=leaned,
        kind_class=c.term is not None and c.term.kind == "class",
        condition=c.is_subject and c.term is not None and c.term.kind == "condition",
    )


def _treatment(concept: Concept) -> bool:
    """A drug, a drug class, or a clinical term of the hand lexicon or the aliases (LDN,
    CPAP): what a sentence about another drug does not answer."""
    term = concept.term
    if term is None:
        return False
    return term.kind in ("drug", "class") or (term.kind == "term" and term.source == "hand")
