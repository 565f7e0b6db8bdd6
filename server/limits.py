"""Rate limits, the cap on concurrent generations, and a request body size cap.

Rate buckets and generation slots live in the answer store (``assistant.review.state``), so
every ``followup serve`` process on one store enforces one limit: N a minute is N across all
of them, and ``max_generations`` is the number generating at once on the whole store. A slot is
a lease the holder renews every ``lease_s / 3`` seconds while it generates: a killed server's
slots are free again within ``lease_s`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import BusyError, FollowupError, RateLimitedError
from assistant.review.state import SharedState, SlotLease

log = logging.getLogger("followup.server")


class RateLimiter:
    """Token bucket per key: ``per_minute`` a minute, bursts of the same size, kept in the store
    so that every server process draws from the same bucket."""

    def __init__(self, per_minute: int, *, kind: str = "questions") -> None:
        self.per_minute = per_minute
        self.kind = kind

    def check(self, state: SharedState, key: str, now: float | None = None) -> None:
        """Take one token for ``key`` or raise RateLimitedError saying when to retry."""
        wait = state.take_token(f"{self.kind}:{key}", self.per_minute, now or time.time())
        if wait:
            raise RateLimitedError(
                f"Too many {self.kind}: the limit is {self.per_minute} a minute; "
                f"try again in {wait} s.",
                retry_after=wait,
            )

    async def acheck(self, state: SharedState, key: str) -> None:
        await run_in_threadpool(self.check, state, key)

    async def refund(self, state: SharedState, key: str) -> None:
        """Give back the token of a request that should not count (a successful sign-in)."""
        await run_in_threadpool(state.give_back_token, f"{self.kind}:{key}", self.per_minute)


class GenerationSlots:
    """At most ``limit`` answers generated at once across every process on the store.

    Requests beyond the slots wait, first come first served within this process, in a queue
    of at most ``max_queue``; a full queue, or a wait past ``timeout_s``, is BusyError (503
    with Retry-After). Only the head of the queue polls the store, so waiting costs one query
    per ``poll_s`` per process, not one per waiter.
    """

    def __init__(
        self,
        limit: int,
        timeout_s: float,
        *,
        max_queue: int = 64,
        lease_s: float = 6.0,
        poll_s: float = 0.05,
    ) -> None:
        self.limit = limit
        self.timeout_s = timeout_s
        self._max_queue = max_queue
        self.lease_s = lease_s
        self._poll_s = poll_s
        self._head = asyncio.Lock()  # FIFO: waiters are woken in the order they came
        self._waiting = 0
        # Who holds a slot, for people reading /readyz or the table: this host and process.
        self.owner = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def waiting(self) -> int:
        """Requests of this process waiting for a slot now."""
        return self._waiting

    def refuse_if_full(self) -> None:
        """BusyError when the queue has no room for one more waiter."""
        if self._waiting >= self._max_queue:
            raise BusyError(
                f"The assistant is busy: {self._waiting} questions are already waiting; "
                "try again in a moment."
            )

    async def acquire(self, state: SharedState) -> str:
        """Wait for a slot; return the holder id to release it with."""
        self.refuse_if_full()
        holder = secrets.token_hex(16)
        self._waiting += 1
        try:
            async with asyncio.timeout(self.timeout_s), self._head:
                while not await run_in_threadpool(self._try, state, holder):
                    await asyncio.sleep(self._poll_s)
        except TimeoutError as exc:
            # The last try may have succeeded as the wait ran out: give that slot back.
            await run_in_threadpool(state.release_slot, holder)
            raise BusyError(
                "The assistant is busy answering other questions; try again in a moment."
            ) from exc
        finally:
            self._waiting -= 1
        return holder

    def _try(self, state: SharedState, holder: str) -> bool:
        return state.acquire_slot(holder, self.limit, time.time(), self.lease_s, self.owner)

    async def release(self, state: SharedState, holder: str) -> None:
        await run_in_threadpool(state.release_slot, holder)

    async def _heartbeat(self, state: SharedState, holder: str) -> None:
        """Renew the lease every third of it while the holder lives."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                kept = await run_in_threadpool(state.renew_slot, holder, time.time(), self.lease_s)
            except FollowupError as exc:  # the store is away: try again at the next beat
                log.warning("could not renew a generation slot: %s", exc)
                continue
            if not kept:
                log.warning("a generation slot's lease ran out before it was renewed")

    @asynccontextmanager
    async def slot(self, state: SharedState) -> AsyncIterator[None]:
        holder = await self.acquire(state)
        beat = asyncio.create_task(self._heartbeat(state, holder))
        try:
            yield
        finally:
            beat.cancel()
            with suppress(asyncio.CancelledError):
                await beat
            await self.release(state, holder)

    def report(self, leases: list[SlotLease], now: float) -> SlotReport:
        """How the store's slots stand, seen from this process."""
        oldest = max((now - lease.acquired_at for lease in leases), default=0.0)
        return SlotReport(len(leases), self.limit, self._waiting, round(oldest, 1))


@dataclass(frozen=True)
class SlotReport:
    """The generation slots as /readyz reports them."""

    held: int
    limit: int
    waiting_here: int
    oldest_held_s: float

    def stuck(self, timeout_s: float) -> bool:
        """Every slot taken, one of them for longer than a request waits for one: a question
        asked now would most likely get 503 (saturated, or a holder that hangs)."""
        return self.held >= self.limit and self.oldest_held_s > timeout_s


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
