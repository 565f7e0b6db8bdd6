"""Per-user rate limits, a cap on concurrent generations, and a request body size cap."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import BusyError, RateLimitedError


@dataclass
class RateLimiter:
    """Token bucket per user: ``per_minute`` generations a minute, bursts of the same size."""

    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def check(self, user: str) -> None:
        """Take one token for ``user`` or raise RateLimitedError saying when to retry."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(user, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[user] = (tokens, now)
            wait = math.ceil((1.0 - tokens) / rate)
            raise RateLimitedError(
                f"Too many questions: the limit is {self.per_minute} a minute; "
                f"try again in {wait} s.",
                retry_after=wait,
            )
        self._buckets[user] = (tokens - 1.0, now)


class GenerationSlots:
    """At most ``limit`` answers generated at once; a request waits up to ``timeout_s``."""

    def __init__(self, limit: int, timeout_s: float) -> None:
        self._semaphore = asyncio.Semaphore(limit)
        self._timeout_s = timeout_s

    async def acquire(self) -> None:
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self._timeout_s)
        except TimeoutError as exc:
            raise BusyError(
                "The assistant is busy answering other questions; try again in a moment."
            ) from exc

    def release(self) -> None:
        self._semaphore.release()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class BodySizeLimit:
    """ASGI middleware: 413 with a JSON message when a request body exceeds ``max_bytes``.

    Checks Content-Length up front and counts streamed (chunked) bodies as they arrive.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        # Read the (bounded) body here, so an oversized chunked body never reaches the app.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "type": "PayloadTooLarge",
                    "message": f"The request body is larger than {self.max_bytes} bytes.",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive callable that yields ``messages`` first, then defers to the real one."""
    pending = list(messages)

    async def replaying() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replaying
