"""Run eval cases through the product's own pipeline and collect what the report scores.

Every case goes through ``assistant.pipeline.answer`` (condense -> retrieve -> generate ->
verify -> decide -> persist) with a store in the output folder. The only difference from
the product is that the retriever is asked for a deeper list than it hands the generator, so
retrieval can be scored to depth 10 at source level while generation sees the usual top-k.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer_form import problems
from assistant.citations import verify
from assistant.compose import Composed, compose
from assistant.config import Settings
from assistant.errors import FollowupError
from assistant.index.embedder import Embedder
from assistant.index.indexer import IngestReport, ingest
from assistant.index.retriever import Retrieval, Retriever
from assistant.language import markers
from assistant.language.sentences import answer_sentences, strip_markup
from assistant.models import AnswerRecord, ReviewStatus
from assistant.pipeline import Ask, answer
from evals.cases import DECISIONS, EvalCase
from evals.scoring import (
    cites_relevant,
    coverage_level,
    score_outcome,
    score_parts,
    score_retrieval,
    uncovered_parts,
)

_DECISION = re.compile(rf"^\W*({'|'.join(DECISIONS)})\b", re.IGNORECASE)


class DeepRetriever(Retriever):
    """The product retriever, remembering a deeper result list than it returns."""

    depth: int = 30
    last: Retrieval | None = None

    def search(
        self, query: str, *, k: int | None = None, favour: Collection[str] = ()
    ) -> Retrieval:
        cut = k or self.settings.top_k
        full = super().search(query, k=max(cut, self.depth), favour=favour)
        if self.last is None:  # the request's own search, not its parts' (pipeline)
            self.last = full
        return Retrieval(full.hits[:cut], full.query_vector, full.timings_ms, full.rankings)


@dataclass
class CaseResult:
    """Everything one case produced, ready for scoring and the per-case table."""

    case: EvalCase
    standalone_question: str = ""
    retrieval: dict[str, dict[str, float]] | None = None
    compliance: dict[str, bool] = field(default_factory=dict)
    refused: bool | None = None
    stated_decision: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    answer: str = ""
    cited_sources: list[str] = field(default_factory=list)
    coverage: str | None = None  # full | partial | none (records without the field: full)
    uncovered: list[str] = field(default_factory=list)
    outcome: dict[str, bool] = field(default_factory=dict)  # scoring.score_outcome
    parts: list[bool] = field(default_factory=list)  # each part right (multi-part cases)
    # The form of every answer the case produced (its history turns too): problems found.
    answers_checked: int = 0
    form: list[str] = field(default_factory=list)  # "kind: sentence" (assistant.answer_form)
    error: str | None = None


def build_index(corpus: Sequence[Path], settings: Settings, embedder: Embedder) -> IngestReport:
    """Build the index of ``corpus`` or bring an existing one up to date (unchanged: no work)."""
    return ingest(list(corpus), settings.index_dir, embedder, settings.index, prune=True)


def open_composed(settings: Settings, embedder: Embedder, depth: int) -> Composed:
    """The product's composition, over a recording :class:`DeepRetriever`."""
    retriever = DeepRetriever.open(settings.index_dir, embedder, settings.retrieval, settings.index)
    assert isinstance(retriever, DeepRetriever)  # ``open`` builds the class it is called on
    retriever.depth = depth
    return compose(settings, embedder=embedder, retriever=retriever)


def compliance(record: AnswerRecord, composed: Composed) -> dict[str, bool]:
    """The answer rules every answer must keep, checked on the stored record."""
    retrieved = {h.chunk_id for h in record.retrieval}
    chunks = {c.chunk_id: composed.catalog.chunk(c.chunk_id) for c in record.citations}
    disclaimer = composed.pipeline.decide.wordings.clinician.disclaimer
    resolve = all(
        c.chunk_id in retrieved
        and (chunk := chunks[c.chunk_id]) is not None
        and c.passage == strip_markup(chunk.text)
        for c in record.citations
    )
    return {
        "disclaimer": bool(record.disclaimer) and record.disclaimer == disclaimer,
        "pending_review": record.review_status == ReviewStatus.PENDING,
        "citations_resolve": resolve,
        "numbers_grounded": not verify(claims_of(record), record.citations),
    }


def claims_of(record: AnswerRecord) -> str:
    """What the answer claims from its sources: not the pipeline's own wording that names what
    was asked in the clinician's words (a refusal: "do not address metformin in a 5 year
    old"; the opening of a partial answer, up to its first cited sentence: "... this part of
    your question: “... the 2013 trial”"), which states nothing from a source."""
    if record.refused:
        return ""
    if record.coverage != "partial":
        return record.answer
    sentences = answer_sentences(record.answer)
    first = next((i for i, s in enumerate(sentences) if markers.cited_indices(s)), 0)
    return " ".join(sentences[first:])


def stated_decision(text: str) -> str | None:
    """The yes/no/maybe an answer opens with, if it states one."""
    match = _DECISION.match(text)
    return match.group(1).lower() if match else None


def _forget_search(composed: Composed) -> None:
    """Start recording the next request's search (not an earlier turn's)."""
    if isinstance(composed.retriever, DeepRetriever):
        composed.retriever.last = None


def _score(result: CaseResult, composed: Composed, cutoff: int) -> None:
    last = getattr(composed.retriever, "last", None)
    if result.case.relevant and last is not None:
        result.retrieval = score_retrieval(last, composed.catalog, result.case.relevant, cutoff)


def _outcome(result: CaseResult, record: AnswerRecord) -> None:
    result.coverage = coverage_level(record)
    result.uncovered = uncovered_parts(record)
    result.outcome = score_outcome(
        result.case,
        refused=record.refused,
        answer=record.answer,
        cited=result.cited_sources,
        coverage=result.coverage,
    )
    if result.case.parts:
        result.parts = score_parts(
            result.case,
            refused=record.refused,
            answer=record.answer,
            coverage=result.coverage,
            uncovered=result.uncovered,
        )
        relevant = cites_relevant(result.cited_sources, result.case.relevant)
        result.outcome |= {"all_parts_right": all(result.parts), "relevant_cited": relevant}


def check_form(result: CaseResult, record: AnswerRecord) -> None:
    """Count an answer and record its form problems (assistant.answer_form)."""
    result.answers_checked += 1
    result.form += [str(p) for p in problems(record.answer)]


def run_case(
    composed: Composed, case: EvalCase, cutoff: int, *, retrieval_only: bool = False
) -> CaseResult:
    """Ask the case's history, then its question, in one conversation; score what came back."""
    result = CaseResult(case)
    pipeline = composed.pipeline
    started = time.perf_counter()
    try:
        conversation: str | None = None
        for turn in case.history:
            earlier = answer(pipeline, Ask(turn, conversation_id=conversation))
            conversation = earlier.conversation_id
            if not retrieval_only:
                check_form(result, earlier)
        if retrieval_only:
            _forget_search(composed)
            # The question as read (its parts not split), as this gate has always scored it.
            prepared = pipeline.understand.read(Ask(case.question, conversation_id=conversation))
            retrieval = pipeline.retrieve(prepared)
            result.standalone_question = prepared.standalone_question
            result.timings_ms = {**prepared.timings_ms, **retrieval.timings_ms}
        else:
            _forget_search(composed)
            record = answer(pipeline, Ask(case.question, conversation_id=conversation))
            result.standalone_question = record.standalone_question
            result.compliance = compliance(record, composed)
            result.refused = record.refused
            result.answer = record.answer
            result.cited_sources = [c.source_id for c in record.citations]
            result.stated_decision = None if record.refused else stated_decision(record.answer)
            result.timings_ms = dict(record.timings_ms)
            _outcome(result, record)
            check_form(result, record)
        _score(result, composed, cutoff)
    except FollowupError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    result.timings_ms["total"] = (time.perf_counter() - started) * 1000
    return result


def run_cases(
    composed: Composed,
    cases: Sequence[EvalCase],
    cutoff: int,
    *,
    retrieval_only: bool = False,
    on_result: Callable[[CaseResult], Any] | None = None,
) -> list[CaseResult]:
    results = []
    for case in cases:
        result = run_case(composed, case, cutoff, retrieval_only=retrieval_only)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
