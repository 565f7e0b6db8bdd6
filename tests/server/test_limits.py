"""Per-user rate limit (429 + Retry-After) on a live server, and the generation-slot cap."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.errors import BusyError, RateLimitedError
from server.limits import GenerationSlots, RateLimiter
from tests.server.live import LiveServer, prepare_data_dir, start_server


@pytest.fixture(scope="module")
def strict(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("strict-server")
    keys = prepare_data_dir(data_dir, sample_index / "index")
    server = start_server(data_dir, keys, rate_per_minute="1", max_body_bytes="4096")
    yield server
    server.stop()


def test_rate_limit_is_per_user_with_retry_after(strict: LiveServer) -> None:
    question = {"model": "followup", "messages": [{"role": "user", "content": "LDN dose?"}]}
    with strict.client("alice") as alice, strict.client("bob") as bob:
        # One a minute: the bucket refills after 60 s, far longer than one answer takes.
        assert alice.post("/v1/chat/completions", json=question).status_code == 200
        limited = alice.post("/v1/chat/completions", json=question)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "limit is 1 a minute" in limited.json()["error"]["message"]
        cid = alice.post("/api/conversations", json={}).json()["id"]
        streamed = alice.post(f"/api/conversations/{cid}/stream", json={"question": "LDN dose?"})
        assert streamed.status_code == 429
        # Reading is not rate limited, and another user has their own budget.
        assert alice.get("/api/articles").status_code == 200
        assert bob.post("/v1/chat/completions", json=question).status_code == 200


def test_body_limit_is_a_setting(strict: LiveServer) -> None:
    with strict.client("bob") as bob:
        response = bob.post("/api/conversations", json={"article_id": "x" * 5000})
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["error"]["message"]


def test_generation_slots_cap_concurrency_and_time_out() -> None:
    async def scenario() -> tuple[int, bool]:
        slots = GenerationSlots(2, timeout_s=0.2)
        running = peak = 0

        async def job() -> None:
            nonlocal running, peak
            async with slots.slot():
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.05)
                running -= 1

        await asyncio.gather(*(job() for _ in range(6)))
        await slots.acquire()
        await slots.acquire()
        try:
            await slots.acquire()
        except BusyError:
            return peak, True
        return peak, False

    # Its own thread: playwright's sync API may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        peak, busy = pool.submit(asyncio.run, scenario()).result()
    assert peak == 2
    assert busy


def test_rate_limiter_refills_over_time(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("server.limits.time.monotonic", lambda: now[0])
    limiter = RateLimiter(per_minute=2)
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(RateLimitedError) as raised:
        limiter.check("a")
    assert raised.value.retry_after == 30
    now[0] += 30
    limiter.check("a")
