"""Related follow-up suggestions: questions the approved corpus can answer, as on the seed page.

Candidates come only from approved articles: each article's own ``question`` and its
``related_questions``. A candidate is offered when it is close to what was asked (but not
the same question), when it comes from an article behind the answer's sources, and when
retrieval finds approved evidence for it above the refusal threshold — so a suggestion is
never a question the assistant would refuse.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from assistant.index.embedder import Embedder
from assistant.index.retriever import Retriever
from assistant.models import APPROVED, Document

SAME_QUESTION = 0.75  # cosine at or above which a candidate is the question just asked
MIN_RELATED = 0.25  # cosine under which a candidate is about something else
RELATED_BONUS = 0.15  # for candidates from an article behind the answer's sources


@dataclass(frozen=True)
class Candidate:
    question: str
    article_id: str
    sources: frozenset[str]  # the article and the sources it cites


def candidates(documents: Collection[Document]) -> list[Candidate]:
    """Every question an approved article states it answers or relates to, deduplicated."""
    found: dict[str, Candidate] = {}
    for doc in documents:
        if not doc.is_article or doc.status != APPROVED:
            continue
        sources = frozenset({doc.id, *(r.id for r in doc.references)})
        questions = [doc.metadata.get("question"), *doc.metadata.get("related_questions", [])]
        for question in questions:
            if isinstance(question, str) and question.strip():
                text = " ".join(question.split())
                found.setdefault(text.lower(), Candidate(text, doc.id, sources))
    return list(found.values())


class Suggester:
    """Picks 2-3 related questions for an answer. Built once per Services; caches its work."""

    def __init__(
        self, retriever: Retriever, embedder: Embedder, min_evidence: float, limit: int = 3
    ) -> None:
        self._retriever = retriever
        self._embedder = embedder
        self._min_evidence = min_evidence
        self._limit = limit
        self._pool: list[Candidate] | None = None
        self._vectors: np.ndarray | None = None
        self._answerable: dict[str, bool] = {}

    def _load(self) -> tuple[list[Candidate], np.ndarray]:
        if self._pool is None or self._vectors is None:
            self._pool = candidates(self._retriever.catalog.documents())
            texts = [c.question for c in self._pool]
            self._vectors = self._embedder.embed(texts) if texts else np.zeros((0, 1))
        return self._pool, self._vectors

    def answerable(self, question: str) -> bool:
        """Whether retrieval finds approved evidence for ``question`` above the threshold."""
        if question not in self._answerable:
            retrieval = self._retriever.search(question, k=1)
            self._answerable[question] = retrieval.best_similarity >= self._min_evidence
        return self._answerable[question]

    def suggest(
        self, query_vector: np.ndarray, cited_sources: Collection[str], asked: Collection[str]
    ) -> list[str]:
        """Up to ``limit`` questions near the query, not yet asked, that the corpus answers."""
        pool, vectors = self._load()
        if not pool:
            return []
        similarity = vectors @ np.asarray(query_vector)
        asked_keys = {" ".join(a.split()).lower() for a in asked}
        scored = []
        for candidate, sim in zip(pool, similarity, strict=True):
            if not MIN_RELATED <= sim < SAME_QUESTION or candidate.question.lower() in asked_keys:
                continue
            bonus = RELATED_BONUS if candidate.sources & set(cited_sources) else 0.0
            scored.append((float(sim) + bonus, candidate.question))
        chosen: list[str] = []
        # Bounded: each unchecked candidate costs one retrieval (cached afterwards).
        for _, question in sorted(scored, reverse=True)[: self._limit * 3]:
            if self.answerable(question):
                chosen.append(question)
            if len(chosen) == self._limit:
                break
        return chosen
