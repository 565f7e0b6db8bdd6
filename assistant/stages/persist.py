"""Persist: the record assembled from the turn and the decision, related questions added,
and stored before any channel shows it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from assistant.generate.base import Draft
from assistant.index.base import Catalog
from assistant.index.retriever import Retrieval
from assistant.models import AnswerRecord, Citation, RetrievalHit, ReviewStatus, SourceReference
from assistant.references import build_references
from assistant.review.store import AnswerStore, new_id
from assistant.stages.data import Cited, Decision, Turn
from assistant.stages.understand import Serving
from assistant.stages.verify import documents_of
from assistant.suggest import Suggester


@dataclass(frozen=True)
class Persist:
    store: AnswerStore
    index: Serving
    suggester: Suggester | None = None  # related follow-up questions

    def record(
        self,
        turn: Turn,
        retrieval: Retrieval,
        draft: Draft,
        cited: Cited,
        decision: Decision,
        disclaimer: str,
    ) -> AnswerRecord:
        """The record of the decided answer, with the disclaimer and pending status set in
        code."""
        catalog = retrieval.catalog or self.index.catalog
        coverage = decision.coverage
        findings = cited.findings
        text, citations = decision.text, decision.citations
        return AnswerRecord(
            id=new_id(),
            conversation_id=turn.conversation.id,
            question=turn.question,
            standalone_question=turn.standalone_question,
            answer=text,
            citations=citations,
            references=_references(catalog, turn, text, citations, retrieval),
            disclaimer=disclaimer,
            review_status=ReviewStatus.PENDING,
            refused=decision.refused,
            decision=decision.outcome.value,
            decision_reason=decision.reason,
            generator=draft.generator,
            fallback=draft.fallback_reason,
            mode=draft.mode,
            prompt_version=draft.prompt_version,
            corpus_version=catalog.corpus_version,
            retrieval=hits_of(retrieval),
            findings=[*findings, *(f for f in coverage.findings if f not in findings)],
            anchor_article_id=turn.conversation.anchor_article_id,
            audience=turn.audience,
            timings_ms=turn.timings_ms,
            coverage=coverage.level.value,
            uncovered=list(coverage.uncovered),
            corrections=turn.understanding.correction_notes,
            search_question=turn.search_question,
            # The closest approved articles are offered as follow-ups, not quoted in the
            # refusal: their titles carry doses and ages that no citation backs.
            related_questions=decision.closest,
        )

    def __call__(self, record: AnswerRecord, turn: Turn, retrieval: Retrieval) -> float:
        """Add related questions and store ``record``; return the milliseconds storing took
        (timed after it, so not in its own timings)."""
        clock = time.perf_counter()  # timing: suggest
        if self.suggester is not None:
            asked = [record.question, record.standalone_question]
            asked += [a.question for a in turn.history]
            cited = {c.source_id for c in record.citations} | turn.favour
            suggested = self.suggester.suggest(retrieval.query_vector, cited, asked)
            record.related_questions += [q for q in suggested if q not in record.related_questions]
        record.timings_ms["suggest"] = (time.perf_counter() - clock) * 1000
        clock = time.perf_counter()  # timing: persist (the stored record cannot hold its own)
        self.store.save_answer(record)
        return (time.perf_counter() - clock) * 1000


def hits_of(retrieval: Retrieval) -> list[RetrievalHit]:
    """The retrieved passages as the record keeps them."""
    return [
        RetrievalHit(
            chunk_id=h.chunk.id,
            source_id=h.chunk.doc_id,
            score=h.score,
            dense_similarity=h.dense_similarity,
            dense_rank=h.dense_rank,
            lexical_rank=h.lexical_rank,
        )
        for h in retrieval.hits
    ]


def _references(
    catalog: Catalog, turn: Turn, text: str, citations: list[Citation], retrieval: Retrieval
) -> list[SourceReference]:
    """Each source behind the citations once, by its real citation (assistant/references.py)."""
    if not citations:
        return []
    documents = documents_of(catalog, retrieval.hits)
    for doc in list(documents.values()):
        for ref in doc.references:
            found = catalog.document(ref.id)
            if found is not None:
                documents.setdefault(found.id, found)
    raw = {h.chunk.id: h.chunk.text for h in retrieval.hits}
    anchor = turn.conversation.anchor_article_id
    return build_references(text, citations, raw, documents, catalog.articles(), anchor)
