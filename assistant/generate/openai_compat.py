"""The transport to a model behind any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
llama.cpp's server), through the ``openai`` client, which is built at the edge and injected.

The model gets no tools or functions: plain chat completions only. Each generation has one
deadline (``llm.timeout_s``) covering every attempt and the whole streamed reply; retries of
transient failures happen here, in one retry loop inside that deadline, rather than in the
SDK, whose retries would each get a fresh timeout. A bounded number of generations run at
once. Anything that goes wrong raises GenerationError; the generators
(:mod:`assistant.generate.write_mode`, :mod:`assistant.generate.select_mode`) turn it into a
discarded draft.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from queue import Empty, Queue
from typing import Any, TypeVar, cast

import openai
import tenacity

from assistant.config import LLMSettings
from assistant.errors import GenerationError
from assistant.verify import prompt_leak

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
_DONE = object()
T = TypeVar("T")
# Transient failures worth another attempt; any other error from the endpoint is final.
_RETRYABLE = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


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
