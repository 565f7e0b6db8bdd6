"""Running the (blocking) pipeline from async routes: rate limit, generation slot, threadpool.

A stream sends its first event (the sources) as soon as retrieval is done, before it waits
for a generation slot: a clinician sees the evidence at once however long the queue is.

Revocation is checked again once a slot is held, before anything is generated (a question may
have waited while its asker was disabled), and the store checks it once more in the transaction
that would persist the answer. A question that starts a conversation (``conversation_id`` None,
as on ``/v1/chat/completions``) counts against ``server.conversations_per_minute`` like
``POST /api/conversations``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import asdict, replace
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from assistant.config import Settings
from assistant.errors import AuthenticationError, FollowupError
from assistant.models import AnswerRecord
from assistant.pipeline import (
    Ask,
    DeltaEvent,
    Event,
    FinalEvent,
    Pipeline,
    SourcesEvent,
    answer,
    stream_answer,
)
from assistant.review.store import AnswerStore
from assistant.review.users import User
from server.errors import error_body
from server.limits import GenerationSlots, RateLimiter

_END = object()


def limiter(request: Request) -> RateLimiter:
    value: RateLimiter = request.app.state.limiter
    return value


def slots(request: Request) -> GenerationSlots:
    value: GenerationSlots = request.app.state.slots
    return value


async def count_new_conversation(store: AnswerStore, settings: Settings, user: User) -> None:
    """Take one of the user's ``server.conversations_per_minute`` (429 past it)."""
    limit = RateLimiter(settings.server.conversations_per_minute, kind="new conversations")
    await limit.acheck(store.state, user.name)


async def _admit(
    request: Request, store: AnswerStore, settings: Settings, user: User, ask: Ask
) -> None:
    """Count the question (and the conversation it starts, if any) against the user's limits."""
    await limiter(request).acheck(store.state, user.name)
    if ask.conversation_id is None:
        await count_new_conversation(store, settings, user)


def _still_enabled(store: AnswerStore, user: User) -> None:
    if not store.users.enabled(user.name):
        raise AuthenticationError(
            f"{user.name} was disabled while the question waited; nothing was answered."
        )


async def answer_once(
    request: Request,
    pipeline: Pipeline,
    store: AnswerStore,
    settings: Settings,
    user: User,
    ask: Ask,
) -> AnswerRecord:
    """One persisted answer, counted against the user's rate and a generation slot."""
    ask = replace(ask, owner=user.name)
    await _admit(request, store, settings, user, ask)
    async with slots(request).slot(store.state):
        await run_in_threadpool(_still_enabled, store, user)
        return await run_in_threadpool(answer, pipeline, ask)


async def _next(events: Iterator[Event]) -> Any:
    return await run_in_threadpool(next, events, _END)


async def start_stream(
    request: Request,
    pipeline: Pipeline,
    store: AnswerStore,
    settings: Settings,
    user: User,
    ask: Ask,
) -> tuple[Event, AsyncGenerator[Event, None]]:
    """Start answering and return the first event (errors so far raise, to become a 4xx) and an
    async iterator over the rest. The first event comes from retrieval, without waiting for a
    generation slot; the rest waits for one and holds it until the iterator finishes."""
    ask = replace(ask, owner=user.name)
    await _admit(request, store, settings, user, ask)
    queue = slots(request)
    queue.refuse_if_full()
    events = stream_answer(pipeline, ask)
    first = await _next(events)

    async def rest() -> AsyncGenerator[Event, None]:
        async with queue.slot(store.state):
            await run_in_threadpool(_still_enabled, store, user)
            while (event := await _next(events)) is not _END:
                yield event

    return first, rest()


def event_payload(event: Event) -> dict[str, Any]:
    """JSON-ready form of a pipeline event."""
    if isinstance(event, SourcesEvent):
        return {
            "conversation_id": event.conversation_id,
            "standalone_question": event.standalone_question,
            "hits": [h.model_dump(mode="json") for h in event.hits],
        }
    if isinstance(event, DeltaEvent):
        return asdict(event)
    if isinstance(event, FinalEvent):
        return {
            "revised": event.revised,
            "record": event.record.model_dump(mode="json"),
            "persist_ms": event.persist_ms,
        }
    raise TypeError(f"unknown event {event!r}")


def sse(kind: str, payload: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def sse_stream(first: Event, rest: AsyncGenerator[Event, None]) -> AsyncIterator[str]:
    """Server-Sent Events of the pipeline; a failure mid-stream ends with an ``error`` event."""
    try:
        yield sse(first.type, event_payload(first))
        async for event in rest:
            yield sse(event.type, event_payload(event))
    except FollowupError as exc:
        body = error_body(type(exc).__name__, str(exc))
        yield sse("error", {**body, "status": exc.status})
    finally:
        await rest.aclose()  # frees the generation slot even if the client went away
