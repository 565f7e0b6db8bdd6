"""Verify: the draft checked in code, sentence by sentence, against its passages (the
extractive answer substituted when nothing usable is left), then its citations renumbered,
resolved and checked, and what the cited passages cover."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from assistant.citations import build_citations, verify
from assistant.content import has_content
from assistant.drafting import contexts
from assistant.generate.base import Draft, GenerationRequest, Generator
from assistant.generate.extractive import NAME as EXTRACTIVE
from assistant.index.base import Catalog
from assistant.index.retriever import Retrieval
from assistant.judge import ModelJudge, apply_judge
from assistant.language.markers import renumber
from assistant.language.terminology import Terminology
from assistant.models import Document, RetrievedChunk
from assistant.review.fingerprints import fingerprint
from assistant.stages.assess import Assess
from assistant.stages.data import Cited, Turn
from assistant.stages.understand import Serving
from assistant.verify import check_sentences, passage_texts, sanitize


@dataclass(frozen=True)
class Verify:
    assess: Assess  # the coverage rules, asked about the cited passages
    index: Serving
    terminology: Terminology
    min_support: float
    fallback: Generator | None = None  # answers when the model's answer is unusable
    judge: ModelJudge | None = None  # a model's second opinion on each kept sentence

    def __call__(
        self, turn: Turn, retrieval: Retrieval, request: GenerationRequest, draft: Draft
    ) -> tuple[Draft, Cited, list[str]]:
        """The verified draft, its checked citations, and what verification changed (in
        words, for a streamed answer)."""
        clock = time.perf_counter()
        draft, changes = self.settle(request, draft)
        turn.timings_ms["settle"] = (time.perf_counter() - clock) * 1000
        return draft, self.cite(turn, retrieval, draft), changes

    def settle(self, request: GenerationRequest, draft: Draft) -> tuple[Draft, list[str]]:
        """The verified draft and the changes verification made; the extractive answer when
        the model's draft is unusable (a model's decline included: see ``MODEL_DECLINED``) or
        nothing of it survives verification; a refused draft as it is."""
        if draft.refused:
            return draft, []
        reason = draft.fallback_reason
        changes: list[str] = []
        if reason is None:
            draft = self._checked(request, draft)
            removed = [f for f in draft.findings if f.startswith("removed unsupported sentence")]
            changes = [
                f.replace("removed unsupported sentence", "removed a sentence", 1) for f in removed
            ]
            if draft.generator == EXTRACTIVE or has_content(draft.text, contexts(request)):
                return draft, changes
            reason = (
                "what survived verification says nothing (only citation markers, titles or"
                " punctuation)"
                if draft.text.strip()
                else "no sentence of the model's answer survived verification"
            )
        if self.fallback is None:
            withdrawn = replace(draft, text="", refused=True, fallback_reason=reason)
            return withdrawn, [*changes, f"the model's answer was withdrawn: {reason}"]
        substitute = self._checked(request, self.fallback.generate(request))
        substitute = replace(
            substitute,
            prompt_version=draft.prompt_version,
            findings=[
                *draft.findings,
                f"answered by the extractive generator: {reason}",
                *substitute.findings,
            ],
            fallback_reason=reason,
        )
        return substitute, [
            *changes,
            f"the model's answer was replaced by the extractive answer: {reason}",
        ]

    def cite(self, turn: Turn, retrieval: Retrieval, draft: Draft) -> Cited:
        """Markers renumbered, citations resolved to the passages (as they read in this
        generation) and checked; what the cited passages cover, when any are cited."""
        # The generation the passages came from, even if the serving catalog reloaded since.
        catalog = retrieval.catalog or self.index.catalog
        text, order, findings = renumber(draft.text, len(retrieval.hits))
        citations = build_citations(order, retrieval.hits, documents_of(catalog, retrieval.hits))
        citations = fingerprint(citations, catalog)  # the evidence as it reads in this generation
        findings = draft.findings + findings + verify(text, citations)
        coverage = None
        if not draft.refused and citations:
            # What is cited must cover the question too, whoever wrote the answer.
            chunks = (catalog.chunk(c.chunk_id) for c in citations)
            cited = [chunk.embedding_text for chunk in chunks if chunk is not None]
            best = retrieval.best_similarity
            coverage = self.assess.coverage(turn.understanding, cited, best, quantities=False)
        return Cited(text, citations, findings, coverage)

    def _checked(self, request: GenerationRequest, draft: Draft) -> Draft:
        clean = sanitize(draft.text)
        checked = check_sentences(
            clean.text,
            passage_texts([hit.chunk.text for hit in request.passages]),
            request.standalone_question,
            self.min_support,
            contexts(request),
            self.terminology,
        )
        if self.judge is not None and draft.generator != EXTRACTIVE:
            checked = apply_judge(checked, *self.judge)
        findings = draft.findings + clean.findings + checked.findings
        return replace(draft, text=checked.text, findings=findings)


def documents_of(catalog: Catalog, hits: list[RetrievedChunk]) -> dict[str, Document]:
    """The indexed documents the retrieved passages belong to, by id."""
    docs = (catalog.document(h.chunk.doc_id) for h in hits)
    return {d.id: d for d in docs if d is not None}
