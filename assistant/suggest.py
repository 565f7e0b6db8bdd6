"""Related follow-up suggestions: questions the approved corpus can answer, as on the seed page.

Candidates come only from approved articles: each article's own ``question`` and its
``related_questions``, phrased as questions. A candidate is offered only from the same topic:
an article behind the answer's sources (the article quoted, or one citing a source quoted) or
the article the conversation follows; and when it is close to what was asked (but not the
same question), and an approved passage lies within the refusal threshold of it — so a
suggestion is never another topic's question nor one the assistant would refuse.

The candidates' vectors are the question index ingest built (assistant.index.sentences); the
evidence check is one nearest-neighbour lookup with that stored vector, once per candidate per
process — no question is embedded and no full search is run at answer time.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from assistant.index.embedder import Embedder
from assistant.index.retriever import Retriever
from assistant.index.sentences import article_questions, question_key
from assistant.models import Document

SAME_QUESTION = 0.75  # cosine at or above which a candidate is the question just asked
MIN_RELATED = 0.25  # cosine under which a candidate is about something else


@dataclass(frozen=True)
class Candidate:
    question: str
    article_id: str
    sources: frozenset[str]  # the article and the sources it cites


def is_question(text: str) -> bool:
    """Whether ``text`` is phrased as a question (not a bare title)."""
    return text.rstrip().endswith("?")


def candidates(documents: Collection[Document]) -> list[Candidate]:
    """Every question an approved article states it answers or relates to, deduplicated."""
    return [c for _, c in _keyed(documents)]


def _keyed(documents: Collection[Document]) -> list[tuple[tuple[str, int], Candidate]]:
    """Candidates with where their vector is stored: (article's group key, row)."""
    found: dict[str, tuple[tuple[str, int], Candidate]] = {}
    for doc in documents:
        questions = article_questions(doc)
        sources = frozenset({doc.id, *(r.id for r in doc.references)})
        key = question_key(questions) if questions else ""
        for row, text in enumerate(questions):
            if is_question(text):
                found.setdefault(text.lower(), ((key, row), Candidate(text, doc.id, sources)))
    return list(found.values())


class Suggester:
    """Picks 2-3 related questions for an answer. Built once by the composition; caches its work."""

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
        self._building = threading.Lock()

    def _load(self) -> tuple[list[Candidate], np.ndarray]:
        with self._building:  # concurrent first requests build the pool once, not each
            if self._pool is None or self._vectors is None:
                keyed = _keyed(self._retriever.catalog.documents())
                self._pool = [c for _, c in keyed]
                self._vectors = self._stored_vectors([where for where, _ in keyed])
            return self._pool, self._vectors

    def _stored_vectors(self, where: list[tuple[str, int]]) -> np.ndarray:
        """The question index's vectors; any the index lacks (an old index) are embedded."""
        store = self._retriever.sentences
        groups = store.get(sorted({key for key, _ in where})) if store is not None else {}
        rows: list[np.ndarray | None] = [
            groups[key][row] if key in groups and row < len(groups[key]) else None
            for key, row in where
        ]
        absent = [i for i, vec in enumerate(rows) if vec is None]
        if absent:
            assert self._pool is not None
            fresh = self._embedder.embed([self._pool[i].question for i in absent])
            for i, vec in zip(absent, fresh, strict=True):
                rows[i] = vec
        return np.stack([v for v in rows if v is not None]) if rows else np.zeros((0, 1))

    def answerable(self, question: str, vector: np.ndarray) -> bool:
        """Whether an approved passage lies within the evidence threshold of ``question``."""
        if question not in self._answerable:
            best = self._retriever.best_dense(vector)
            self._answerable[question] = best >= self._min_evidence
        return self._answerable[question]

    def suggest(
        self, query_vector: np.ndarray, cited_sources: Collection[str], asked: Collection[str]
    ) -> list[str]:
        """Up to ``limit`` questions of the same topic (an article behind ``cited_sources``)
        near the query, not yet asked, that the corpus answers."""
        pool, vectors = self._load()
        if not pool:
            return []
        similarity = vectors @ np.asarray(query_vector)
        asked_keys = {" ".join(a.split()).lower() for a in asked}
        scored = []
        topic = set(cited_sources)
        for i, (candidate, sim) in enumerate(zip(pool, similarity, strict=True)):
            if not MIN_RELATED <= sim < SAME_QUESTION or candidate.question.lower() in asked_keys:
                continue
            if not candidate.sources & topic:
                continue  # another topic: cefuroxime is not a follow-up to mebendazole
            scored.append((float(sim), candidate.question, i))
        chosen: list[str] = []
        # Bounded: each unchecked candidate costs one vector lookup (cached afterwards).
        for _, question, i in sorted(scored, reverse=True)[: self._limit * 3]:
            if self.answerable(question, vectors[i]):
                chosen.append(question)
            if len(chosen) == self._limit:
                break
        return chosen
