"""Conversations: start one (optionally anchored to an article), ask in it, read its history."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import NotFoundError
from assistant.models import AnswerRecord
from assistant.pipeline import Ask, Event, FinalEvent
from assistant.review.fingerprints import shown, with_earlier
from assistant.review.store import AnswerStore, Conversation
from assistant.review.users import User
from assistant.stages.understand import Serving
from server.auth import ANY_USER
from server.deps import IndexDep, PipelineDep, SettingsDep, StoreDep
from server.generation import answer_once, count_new_conversation, sse_stream, start_stream
from server.schemas import ConversationIn, ConversationOut, MessageIn

router = APIRouter(prefix="/api/conversations", tags=["chat"])

ConversationId = Annotated[str, Path(max_length=64, description="Conversation id.")]
UserDep = Annotated[User, Depends(ANY_USER)]


def own_conversation(store: AnswerStore, conversation_id: str, user: User) -> Conversation:
    """The user's own conversation; someone else's is reported as not found (404)."""
    conversation = store.get_conversation(conversation_id)
    if conversation.owner != user.name:
        raise NotFoundError(f"No conversation {conversation_id!r}.")
    return conversation


def as_shown(store: AnswerStore, index: Serving, record: AnswerRecord) -> AnswerRecord:
    """A new answer as every channel shows it: checked against the generation served now, with
    the notices of earlier answers of its conversation whose evidence changed."""
    history = store.conversation_answers(record.conversation_id)
    return with_earlier(record, history, index.catalog)


def _out(conversation: Conversation, answers: list[AnswerRecord]) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        created_at=conversation.created_at,
        anchor_article_id=conversation.anchor_article_id,
        audience=conversation.audience,
        answers=answers,
    )


@router.post("", status_code=201, response_model=ConversationOut)
async def create_conversation(
    body: ConversationIn, user: UserDep, store: StoreDep, index: IndexDep, settings: SettingsDep
) -> ConversationOut:
    """Start a conversation, optionally anchored to an approved article."""
    await count_new_conversation(store, settings, user)
    if body.article_id is not None:
        doc = index.catalog.document(body.article_id)
        if doc is None or not doc.is_article:
            raise NotFoundError(f"No approved article {body.article_id!r}.")
    conversation = await run_in_threadpool(
        store.create_conversation,
        owner=user.name,
        anchor_article_id=body.article_id,
        audience=body.audience,
    )
    return _out(conversation, [])


@router.get("/{conversation_id}", response_model=ConversationOut)
async def read_conversation(
    conversation_id: ConversationId, user: UserDep, store: StoreDep, index: IndexDep
) -> ConversationOut:
    """A conversation and every answer in it (with its current review status)."""
    conversation = own_conversation(store, conversation_id, user)
    answers = await run_in_threadpool(store.conversation_answers, conversation.id)
    return _out(conversation, [shown(a, index.catalog) for a in answers])


@router.post("/{conversation_id}/messages", response_model=AnswerRecord)
async def ask(
    conversation_id: ConversationId,
    body: MessageIn,
    request: Request,
    user: UserDep,
    pipeline: PipelineDep,
    store: StoreDep,
    index: IndexDep,
    settings: SettingsDep,
) -> AnswerRecord:
    """Ask in a conversation; returns the persisted answer record (pending review)."""
    conversation = own_conversation(store, conversation_id, user)
    audience = body.audience or conversation.audience
    ask = Ask(body.question, conversation_id=conversation.id, audience=audience)
    record = await answer_once(request, pipeline, store, settings, user, ask)
    return await run_in_threadpool(as_shown, store, index, record)


@router.post(
    "/{conversation_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE events"}},
)
async def ask_streaming(
    conversation_id: ConversationId,
    body: MessageIn,
    request: Request,
    user: UserDep,
    pipeline: PipelineDep,
    store: StoreDep,
    index: IndexDep,
    settings: SettingsDep,
) -> StreamingResponse:
    """Ask in a conversation as Server-Sent Events: ``sources``, ``delta``..., ``final``
    (the persisted record), or ``error``."""
    conversation = own_conversation(store, conversation_id, user)
    audience = body.audience or conversation.audience
    ask = Ask(body.question, conversation_id=conversation.id, audience=audience)
    first, rest = await start_stream(request, pipeline, store, settings, user, ask)
    return StreamingResponse(
        sse_stream(first, final_shown(store, index, rest)),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


async def final_shown(
    store: AnswerStore, index: Serving, events: AsyncGenerator[Event, None]
) -> AsyncGenerator[Event, None]:
    """``events`` with the final record as every channel shows it (see :func:`as_shown`)."""
    try:
        async for event in events:
            if isinstance(event, FinalEvent):
                event = replace(
                    event, record=await run_in_threadpool(as_shown, store, index, event.record)
                )
            yield event
    finally:
        await events.aclose()
