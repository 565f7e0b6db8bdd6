"""question -> condense -> retrieve -> generate -> verify -> finalize -> persist.

Small functions over injected services rather than one pipeline object. The disclaimer and
the pending-review status are set here, in code, after generation; the record is committed
to the store before it is returned to any channel.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.citations import build_citations, renumber, verify
from assistant.condense import condense
from assistant.drafting import draft_stream, revision, settle
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.generate.base import Draft, GenerationRequest
from assistant.index.retriever import Retrieval
from assistant.models import AnswerRecord, RetrievalHit, ReviewStatus
from assistant.review.store import Conversation, new_id
from assistant.services import Services

AUDIENCES = ("clinician", "patient")


@dataclass
class Turn:
    """One question in its conversation, ready for retrieval."""

    question: str
    standalone_question: str
    conversation: Conversation
    history: list[AnswerRecord]
    favour: frozenset[str]
    timings_ms: dict[str, float] = field(default_factory=dict)


def clean_question(text: str, max_chars: int) -> str:
    """The question with whitespace normalised; InvalidRequestError if unusable."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text):
        raise InvalidRequestError(
            "The question contains control characters; remove them and ask again."
        )
    question = " ".join(text.split())
    if not question:
        raise InvalidRequestError("The question is empty; type a question.")
    if len(question) > max_chars:
        raise InvalidRequestError(
            f"The question is {len(question)} characters long; the limit is {max_chars}."
        )
    return question


def _anchor(services: Services, article_id: str | None) -> tuple[str | None, frozenset[str]]:
    """Title and favoured document ids (the article and its cited sources) of an anchor article."""
    if article_id is None:
        return None, frozenset()
    doc = services.retriever.catalog.documents.get(article_id)
    if doc is None or not doc.is_article:
        raise NotFoundError(
            f"No approved article {article_id!r}; list articles with `followup articles`."
        )
    return doc.title, frozenset({doc.id, *(r.id for r in doc.references)})


def prepare(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> Turn:
    """Validate the question, find or start its conversation and make it standalone."""
    started = time.perf_counter()
    question = clean_question(question, services.settings.max_question_chars)
    if audience not in AUDIENCES:
        raise InvalidRequestError(f"audience must be one of {', '.join(AUDIENCES)}")
    if conversation_id is not None:
        conversation = services.store.get_conversation(conversation_id)
        if owner is not None and conversation.owner not in (None, owner):
            raise NotFoundError(f"No conversation {conversation_id!r}.")
    else:
        _anchor(services, article_id)  # refuse an unknown anchor before creating anything
        conversation = services.store.create_conversation(
            owner=owner, anchor_article_id=article_id, audience=audience
        )
    topic, favour = _anchor(services, conversation.anchor_article_id)
    history = services.store.conversation_answers(conversation.id)
    if services.condenser is not None:
        pairs = [(a.standalone_question, a.answer) for a in history]
        standalone = services.condenser(question, pairs, topic)
    else:
        standalone = condense(question, [a.standalone_question for a in history], topic)
    timings = {"condense": (time.perf_counter() - started) * 1000}
    return Turn(question, standalone, conversation, history, favour, timings)


def retrieve(services: Services, turn: Turn) -> Retrieval:
    return services.retriever.search(turn.standalone_question, favour=turn.favour)


def has_evidence(services: Services, retrieval: Retrieval) -> bool:
    """Whether the best approved passage is close enough to the question to answer from."""
    return (
        bool(retrieval.hits) and retrieval.best_similarity >= services.settings.answer.min_evidence
    )


def generation_request(turn: Turn, retrieval: Retrieval, audience: str) -> GenerationRequest:
    return GenerationRequest(
        question=turn.question,
        standalone_question=turn.standalone_question,
        passages=retrieval.hits,
        audience=audience,
        history=tuple((a.question, a.answer) for a in turn.history),
    )


def _hits(retrieval: Retrieval) -> list[RetrievalHit]:
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


def finalize(
    services: Services,
    turn: Turn,
    retrieval: Retrieval,
    draft: Draft,
    refusal_text: str | None = None,
) -> AnswerRecord:
    """Renumber and verify citations, then add the disclaimer and pending status in code."""
    text, order, findings = renumber(draft.text, len(retrieval.hits))
    citations = build_citations(order, retrieval.hits, services.retriever.catalog.documents)
    findings = draft.findings + findings + verify(text, citations)
    refused = draft.refused or not citations
    if refused:
        # A refusal's wording comes from the pipeline's own templates, never from a model.
        text, citations = refusal_text or services.refusal, []
    return AnswerRecord(
        id=new_id(),
        conversation_id=turn.conversation.id,
        question=turn.question,
        standalone_question=turn.standalone_question,
        answer=text,
        citations=citations,
        disclaimer=services.disclaimer,
        review_status=ReviewStatus.PENDING,
        refused=refused,
        generator=draft.generator,
        fallback=draft.fallback_reason,
        mode=draft.mode,
        prompt_version=draft.prompt_version,
        corpus_version=services.retriever.catalog.corpus_version,
        retrieval=_hits(retrieval),
        findings=findings,
        anchor_article_id=turn.conversation.anchor_article_id,
        audience=turn.conversation.audience,
        timings_ms=turn.timings_ms,
    )


@dataclass(frozen=True)
class SourcesEvent:
    """First event of a stream: which passages were retrieved for the question."""

    conversation_id: str
    standalone_question: str
    hits: list[RetrievalHit]
    type: str = "sources"


@dataclass(frozen=True)
class DeltaEvent:
    """A piece of answer text as it is generated (provisional until the final event)."""

    text: str
    type: str = "delta"


@dataclass(frozen=True)
class FinalEvent:
    """The authoritative, verified, persisted answer. ``revised`` says whether it differs
    from the concatenated deltas (verification removed or changed something)."""

    record: AnswerRecord
    revised: bool = False
    changes: list[str] = field(default_factory=list)  # what verification changed, in words
    type: str = "final"


Event = SourcesEvent | DeltaEvent | FinalEvent


def evidence_gap(services: Services, turn: Turn, retrieval: Retrieval) -> Draft | None:
    """A refusal draft when the approved sources cannot support an answer, else None."""
    unknown = services.retriever.unknown_terms(
        turn.question, max_zipf=services.settings.answer.unknown_term_max_zipf
    )
    if unknown:
        terms = ", ".join(f"“{t}”" for t in unknown)
        return Draft(
            text=services.unknown_term_refusal.render(terms=terms),
            generator=services.generator.name,
            refused=True,
            findings=[f"question terms found in no approved source: {', '.join(unknown)}"],
        )
    if not has_evidence(services, retrieval):
        return Draft(
            text=services.refusal,
            generator=services.generator.name,
            refused=True,
            findings=[
                f"best passage similarity {retrieval.best_similarity:.2f} is under the "
                "evidence threshold"
            ],
        )
    return None


def stream_answer(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> Iterator[Event]:
    """Answer one question as a stream of events; the record is persisted before the final one."""
    turn = prepare(
        services,
        question,
        conversation_id=conversation_id,
        article_id=article_id,
        owner=owner,
        audience=audience,
    )
    retrieval = retrieve(services, turn)
    turn.timings_ms.update(retrieval.timings_ms)
    yield SourcesEvent(turn.conversation.id, turn.standalone_question, _hits(retrieval))
    started = time.perf_counter()
    gap = evidence_gap(services, turn, retrieval)
    request = generation_request(turn, retrieval, audience)
    draft = gap
    streamed: list[str] = []
    changes: list[str] = []
    if draft is None:
        for item in draft_stream(services, request, turn.timings_ms):
            if isinstance(item, Draft):
                draft = item
            else:
                streamed.append(item)
                yield DeltaEvent(item)
        assert draft is not None
        draft, changes = settle(services, request, draft)
    turn.timings_ms["generate"] = (time.perf_counter() - started) * 1000
    record = finalize(services, turn, retrieval, draft, gap.text if gap else None)
    if services.suggester is not None:
        asked = [record.question, record.standalone_question, *(a.question for a in turn.history)]
        cited = {c.source_id for c in record.citations} | turn.favour
        record.related_questions = services.suggester.suggest(retrieval.query_vector, cited, asked)
    services.store.save_answer(record)
    revised, changes = revision(streamed, record.answer, changes)
    if not streamed:
        yield DeltaEvent(record.answer)
    yield FinalEvent(record, revised=revised, changes=changes)


def answer(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> AnswerRecord:
    """Answer one question and persist the record before returning it."""
    events = stream_answer(
        services,
        question,
        conversation_id=conversation_id,
        article_id=article_id,
        owner=owner,
        audience=audience,
    )
    for event in events:
        if isinstance(event, FinalEvent):
            return event.record
    raise AssertionError("stream_answer ended without a final event")
