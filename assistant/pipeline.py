"""One question through the stages, once each, in order:

understand -> retrieve -> assess -> generate -> verify -> decide -> persist

The stages (assistant/stages/) are built once by :func:`assistant.compose.compose`; this
module only runs them. The disclaimer and the pending-review status are set in code after
generation; the record is committed to the store before it is returned to any channel.
:func:`stream_answer` is the one entry point (events); :func:`answer` waits for its end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.drafting import revision
from assistant.generate.base import Draft
from assistant.models import AnswerRecord, RetrievalHit
from assistant.render import sentence_pieces
from assistant.stages.assess import Assess
from assistant.stages.data import Ask, Turn
from assistant.stages.decide import Decide
from assistant.stages.generate import Generate, generation_request
from assistant.stages.persist import Persist, hits_of
from assistant.stages.retrieve import Retrieve
from assistant.stages.understand import Understand
from assistant.stages.verify import Verify

__all__ = [
    "Ask",
    "DeltaEvent",
    "Event",
    "FinalEvent",
    "Pipeline",
    "SourcesEvent",
    "Turn",
    "answer",
    "stream_answer",
]


@dataclass(frozen=True)
class Pipeline:
    """The stages, each holding only what it needs (built by assistant.compose)."""

    understand: Understand
    retrieve: Retrieve
    assess: Assess
    generate: Generate
    verify: Verify
    decide: Decide
    persist: Persist


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
    persist_ms: float = 0.0  # storing the record: timed after it, so not in its timings_ms
    type: str = "final"


Event = SourcesEvent | DeltaEvent | FinalEvent


def stream_answer(pipeline: Pipeline, ask: Ask) -> Iterator[Event]:
    """Answer one question as a stream of events; the record is persisted before the final one."""
    turn = pipeline.understand(ask)
    retrieval = pipeline.retrieve(turn)
    clock = time.perf_counter()  # timing: a server waits for a generation slot at this yield
    yield SourcesEvent(turn.conversation.id, turn.standalone_question, hits_of(retrieval))
    turn.timings_ms["queue_wait"] = (time.perf_counter() - clock) * 1000
    started = time.perf_counter()
    assessment = pipeline.assess(turn, retrieval)
    request = generation_request(turn, retrieval, assessment)
    generate = pipeline.generate
    draft = pipeline.decide.before_generating(turn, assessment, generate.name)
    streamed: list[str] = []
    if draft is None:
        # A model's answer streams after this opening; a quoted answer may name parts of the
        # question it found unanswered, so its opening comes with it, after the record is saved.
        opening = pipeline.decide.opening(turn, assessment)
        if opening is not None and generate.streams:
            streamed.append(opening + " ")
            yield DeltaEvent(opening + " ")
        for item in generate(request, turn.timings_ms):
            if isinstance(item, Draft):
                draft = item
            else:
                streamed.append(item)
                yield DeltaEvent(item)
        assert draft is not None
    draft, cited, changes = pipeline.verify(turn, retrieval, request, draft)
    turn.timings_ms["generate"] = (time.perf_counter() - started) * 1000
    clock = time.perf_counter()  # timing: finalize (the decision and the record)
    decision = pipeline.decide(turn, retrieval, assessment, draft, cited)
    disclaimer = pipeline.decide.wordings.of(turn.audience).disclaimer
    record = pipeline.persist.record(turn, retrieval, draft, cited, decision, disclaimer)
    record.timings_ms["finalize"] = (time.perf_counter() - clock) * 1000
    persist_ms = pipeline.persist(record, turn, retrieval)
    # What was not streamed (an extractive answer: all of it after any partial opening) is
    # shown now, verified and persisted, sentence by sentence; the final event stays the word.
    shown = "".join(streamed)
    unseen = record.answer[len(shown) :] if record.answer.startswith(shown) else ""
    pieces = sentence_pieces(unseen)
    revised, changes = revision([*streamed, *pieces], record.answer, changes)
    for piece in pieces:
        yield DeltaEvent(piece)
    yield FinalEvent(record, revised=revised, changes=changes, persist_ms=persist_ms)


def answer(pipeline: Pipeline, ask: Ask) -> AnswerRecord:
    """Answer one question and persist the record before returning it."""
    for event in stream_answer(pipeline, ask):
        if isinstance(event, FinalEvent):
            return event.record
    raise AssertionError("stream_answer ended without a final event")
