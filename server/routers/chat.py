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
from assistant.pipeline import Event, FinalEvent
from assistant.review.fingerprints import shown, with_earlier
from assistant.review.store import Conversation
from assistant.review.users import User
from assistant.services import Services
from server.auth import ANY_USER
from server.deps import get_services
from server.generation import answer_once, count_new_conversation, sse_stream, start_stream
from server.schemas import ConversationIn, ConversationOut, MessageIn

router = APIRouter(prefix="/api/conversations", tags=["chat"])

ConversationId = Annotated[str, Path(max_length=64, description="Conversation id.")]
UserDep = Annotated[User, Depends(ANY_USER)]
ServicesDep = Annotated[Services, Depends(get_services)]


def own_conversation(services: Services, conversation_id: str, user: User) -> Conversation:
    """The user's own conversation; someone else's is reported as not found (404)."""
    conversation = services.store.get_conversation(conversation_id)
    if conversation.owner != user.name:
        raise NotFoundError(f"No conversation {conversation_id!r}.")
    return conversation


def as_shown(services: Services, record: AnswerRecord) -> AnswerRecord:
    """A new answer as every channel shows it: checked against the generation served now, with
    the notices of earlier answers of its conversation whose evidence changed."""
    history = services.store.conversation_answers(record.conversation_id)
    return with_earlier(record, history, services.catalog)


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
    body: ConversationIn, user: UserDep, services: ServicesDep
) -> ConversationOut:
    """Start a conversation, optionally anchored to an approved article."""
    await count_new_conversation(services, user)
    if body.article_id is not None:
        doc = services.catalog.document(body.article_id)
        if doc is None or not doc.is_article:
            raise NotFoundError(f"No approved article {body.article_id!r}.")
    conversation = await run_in_threadpool(
        services.store.create_conversation,
        owner=user.name,
        anchor_article_id=body.article_id,
        audience=body.audience,
    )
    return _out(conversation, [])


@router.get("/{conversation_id}", response_model=ConversationOut)
async def read_conversation(
    conversation_id: ConversationId, user: UserDep, services: ServicesDep
) -> ConversationOut:
    """A conversation and every answer in it (with its current review status)."""
    conversation = own_conversation(services, conversation_id, user)
    answers = await run_in_threadpool(services.store.conversation_answers, conversation.id)
    return _out(conversation, [shown(a, services.catalog) for a in answers])


@router.post("/{conversation_id}/messages", response_model=AnswerRecord)
async def ask(
    conversation_id: ConversationId,
    body: MessageIn,
    request: Request,
    user: UserDep,
    services: ServicesDep,
) -> AnswerRecord:
    """Ask in a conversation; returns the persisted answer record (pending review)."""
    conversation = own_conversation(services, conversation_id, user)
    record = await answer_once(
        request,
        services,
        user,
        body.question,
        conversation_id=conversation.id,
        audience=body.audience or conversation.audience,
    )
    return await run_in_threadpool(as_shown, services, record)


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
    services: ServicesDep,
) -> StreamingResponse:
    """Ask in a conversation as Server-Sent Events: ``sources``, ``delta``..., ``final``
    (the persisted record), or ``error``."""
    conversation = own_conversation(services, conversation_id, user)
    first, rest = await start_stream(
        request,
        services,
        user,
        body.question,
        conversation_id=conversation.id,
        audience=body.audience or conversation.audience,
    )
    return StreamingResponse(
        sse_stream(first, final_shown(services, rest)),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


async def final_shown(
    services: Services, events: AsyncGenerator[Event, None]
) -> AsyncGenerator[Event, None]:
    """``events`` with the final record as every channel shows it (see :func:`as_shown`)."""
    try:
        async for event in events:
            if isinstance(event, FinalEvent):
                event = replace(
                    event, record=await run_in_threadpool(as_shown, services, event.record)
                )
            yield event
    finally:
        await events.aclose()
