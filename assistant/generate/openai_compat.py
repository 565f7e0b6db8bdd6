"""Answers written by a model behind any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
llama.cpp's server), through the ``openai`` client, which is built at the edge and injected.

The model gets no tools or functions: plain chat completions only. Each generation has one
deadline (``llm.timeout_s``) covering every attempt and the whole streamed reply; retries of
transient failures happen here, inside that deadline, rather than in the SDK, whose retries
would each get a fresh timeout. A bounded number of generations run at once.

Anything that goes wrong (endpoint down, slow, refusing, empty reply, a reply that echoes
the system prompt) yields a Draft with ``fallback_reason`` set; the pipeline then answers
with the extractive generator and the record says why.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Any, TypeVar, cast

import openai
import tenacity

from assistant.config import LLMSettings
from assistant.errors import GenerationError
from assistant.generate.base import (
    MODEL_DECLINED,
    Draft,
    GenerationRequest,
    discarded,
    final_draft,
)
from assistant.language.sentences import strip_markup
from assistant.prompts import Prompt, load_prompt
from assistant.verify import prompt_leak

log = logging.getLogger(__name__)

NO_ANSWER = "NO_ANSWER"
MODE = "write"
Messages = list[dict[str, str]]
_DONE = object()
T = TypeVar("T")
# Transient failures worth another attempt; any other error from the endpoint is final.
_RETRYABLE = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


@dataclass(frozen=True)
class PromptSet:
    """The versioned templates a model generation uses, loaded and checked once."""

    system: Prompt
    answer: Prompt
    source: Prompt
    audiences: dict[str, Prompt]
    condense: Prompt

    @classmethod
    def load(cls, folder: Path) -> PromptSet:
        audiences = {
            name: load_prompt(folder, f"audience_{name}", expect=set())
            for name in ("clinician", "patient")
        }
        return cls(
            system=load_prompt(folder, "system", expect={"canary"}),
            answer=load_prompt(
                folder,
                "answer",
                expect={"audience_instructions", "sources", "question", "max_sentences"},
            ),
            source=load_prompt(folder, "source", expect={"n", "title", "text"}),
            audiences=audiences,
            condense=load_prompt(folder, "condense", expect={"history", "question"}),
        )

    def version(self, audience: str) -> str:
        """What goes on the record: every template that shaped the answer, with versions."""
        parts = (self.system, self.answer, self.source, self.audiences[audience])
        return "+".join(p.id for p in parts)


def fence(text: str) -> str:
    """Passage text that cannot close its own source block or open a forged one."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def source_blocks(template: Prompt, passages: Sequence[Any]) -> str:
    """The retrieved passages as numbered, delimited blocks (1-based, request order)."""
    blocks = []
    for n, hit in enumerate(passages, start=1):
        chunk = hit.chunk
        title = fence(" ".join(chunk.title.split()))
        blocks.append(template.render(n=str(n), title=title, text=fence(strip_markup(chunk.text))))
    return "\n\n".join(blocks)


class ChatEndpoint:
    """An OpenAI-compatible chat endpoint with a deadline, retries and a concurrency bound."""

    def __init__(self, client: openai.OpenAI, settings: LLMSettings) -> None:
        # Retries are ours, inside one deadline; the SDK's would restart the clock each time.
        self._client = client.with_options(max_retries=0)
        self._settings = settings
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)

    def stream(
        self, messages: Messages, *, max_tokens: int | None = None, timeout: float | None = None
    ) -> Iterator[str]:
        """Text deltas of the reply. Raises GenerationError on failure or past the deadline."""
        limit = timeout or self._settings.timeout_s
        deadline = time.monotonic() + limit
        if not self._slots.acquire(timeout=limit):
            raise GenerationError(
                f"{self._settings.max_concurrency} generations already in flight; "
                f"none finished within {limit:g}s"
            )
        queue: Queue[object] = Queue()
        cancel = threading.Event()
        args = (messages, max_tokens or self._settings.max_tokens, deadline, queue, cancel)
        threading.Thread(target=self._pump, args=args, daemon=True).start()
        try:
            yield from _drain(queue, deadline, limit)
        finally:
            cancel.set()  # the reader stops at its next chunk and closes the connection

    def guarded(self, messages: Messages, canary: str) -> Iterator[str]:
        """:meth:`stream`, ended by GenerationError at the delta that would complete a prompt
        leak (the canary or the system prompt repeated): that delta is never yielded."""
        text = ""
        for delta in self.stream(messages):
            text += delta
            leak = prompt_leak(text, canary, messages[0]["content"])
            if leak:
                raise GenerationError(leak)
            yield delta

    def close(self) -> None:
        """Release the client's connection pool."""
        self._client.close()

    def complete(
        self, messages: Messages, *, max_tokens: int | None = None, timeout: float | None = None
    ) -> str:
        """The whole reply as one string."""
        return "".join(self.stream(messages, max_tokens=max_tokens, timeout=timeout))

    def _pump(
        self,
        messages: Messages,
        max_tokens: int,
        deadline: float,
        queue: Queue[object],
        cancel: threading.Event,
    ) -> None:
        """Read the streamed reply in a worker thread, so the caller can enforce the deadline."""
        try:
            with self._open(messages, max_tokens, deadline) as stream:
                for chunk in stream:
                    if cancel.is_set():
                        return
                    text = _delta_text(chunk)
                    if text:
                        queue.put(text)
            queue.put(_DONE)
        except GenerationError as exc:
            queue.put(exc)
        except Exception as exc:  # an untrusted endpoint can fail in any way mid-stream
            queue.put(GenerationError(f"model endpoint failed mid-reply: {type(exc).__name__}"))
        finally:
            self._slots.release()

    def _open(self, messages: Messages, max_tokens: int, deadline: float) -> Any:
        def attempt(remaining: float) -> Any:
            return self._client.chat.completions.create(
                model=self._settings.model,
                messages=cast(Any, messages),
                stream=True,
                max_tokens=max_tokens,
                temperature=self._settings.temperature,
                timeout=remaining,
            )

        return self._with_retries(attempt, deadline)

    def _with_retries(self, attempt: Callable[[float], T], deadline: float) -> T:
        """``attempt(seconds left)``, retried on transient failures (connection, 429, 5xx) with
        exponential back-off, ``llm.max_retries`` times at most, all inside one deadline: no
        attempt starts past it and each gets only the time left. Raises GenerationError."""
        failures: list[BaseException] = []

        def within_deadline() -> T:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _DeadlinePassed
            return attempt(remaining)

        def record(state: tenacity.RetryCallState) -> None:
            failed = state.outcome.exception() if state.outcome else None
            if failed is not None:
                failures.append(failed)
                log.warning(
                    "model endpoint attempt %d failed: %s",
                    state.attempt_number,
                    type(failed).__name__,
                )

        def backoff(state: tenacity.RetryCallState) -> float:
            # Never sleep past the deadline; the next attempt then sees no time left.
            wanted = 0.5 * 2 ** (state.attempt_number - 1)
            return max(0.0, min(wanted, deadline - time.monotonic()))

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_RETRYABLE),
            stop=tenacity.stop_after_attempt(self._settings.max_retries + 1),
            wait=backoff,
            after=record,
            reraise=True,
        )
        try:
            return retrying(within_deadline)
        except (_DeadlinePassed, *_RETRYABLE):
            last = failures[-1] if failures else None
            reason = type(last).__name__ if last else "deadline passed"
            raise GenerationError(f"model endpoint unavailable ({reason})") from last
        except openai.APIStatusError as exc:
            raise GenerationError(f"model endpoint refused: HTTP {exc.status_code}") from exc
        except openai.OpenAIError as exc:
            raise GenerationError(f"model endpoint failed: {type(exc).__name__}") from exc


class _DeadlinePassed(Exception):
    """The deadline ran out before the next attempt could start."""


def _drain(queue: Queue[object], deadline: float, limit: float) -> Iterator[str]:
    while True:
        try:
            item = queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except Empty:
            raise GenerationError(f"no complete reply within the {limit:g}s deadline") from None
        if item is _DONE:
            return
        if isinstance(item, GenerationError):
            raise item
        yield cast(str, item)


def _delta_text(chunk: Any) -> str:
    choices = getattr(chunk, "choices", None) or []
    delta = getattr(choices[0], "delta", None) if choices else None
    return getattr(delta, "content", None) or ""


class OpenAICompatGenerator:
    """Streams an answer from the model; the pipeline verifies it in code afterwards."""

    def __init__(
        self, endpoint: ChatEndpoint, prompts: PromptSet, model: str, max_sentences: int = 5
    ) -> None:
        self.name = model
        self._endpoint = endpoint
        self._prompts = prompts
        self._max_sentences = max_sentences

    def messages(self, request: GenerationRequest, canary: str) -> Messages:
        """System and user messages. Nothing secret goes in: the canary is random per request."""
        audience = self._prompts.audiences[request.audience]
        user = self._prompts.answer.render(
            audience_instructions=audience.text,
            sources=source_blocks(self._prompts.source, request.passages),
            question=request.standalone_question,
            max_sentences=str(self._max_sentences),
        )
        return [
            {"role": "system", "content": self._prompts.system.render(canary=canary)},
            {"role": "user", "content": user},
        ]

    def stream(self, request: GenerationRequest) -> Iterator[str | Draft]:
        """Text deltas, then the Draft. A delta that would complete a prompt leak is withheld."""
        canary = f"ref-{secrets.token_hex(6)}"
        messages = self.messages(request, canary)
        version = self._prompts.version(request.audience)
        text = ""
        try:
            for delta in self._endpoint.guarded(messages, canary):
                text += delta
                yield delta
        except GenerationError as exc:
            log.warning("model generation failed: %s", exc)
            yield self._failed(version, str(exc))
            return
        yield self._draft(text.strip(), version)

    def close(self) -> None:
        self._endpoint.close()

    def generate(self, request: GenerationRequest) -> Draft:
        return final_draft(self.stream(request))

    def _draft(self, text: str, version: str) -> Draft:
        if not text:
            return self._failed(version, "the model returned an empty reply")
        if text.upper().startswith(NO_ANSWER):
            return self._failed(version, MODEL_DECLINED)
        return Draft(text=text, generator=self.name, prompt_version=version, mode=MODE)

    def _failed(self, version: str, reason: str) -> Draft:
        return discarded(self.name, version, MODE, reason)
