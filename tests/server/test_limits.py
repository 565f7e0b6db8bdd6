"""Per-user rate limit (429 + Retry-After) on a live server, and the generation-slot cap."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.errors import BusyError, RateLimitedError
from assistant.review.state import SharedState
from assistant.review.store import AnswerStore
from assistant.review.users import add_user
from server.auth import SESSION_COOKIE
from server.limits import GenerationSlots, RateLimiter
from tests.support.live_server import FOLLOWUP, LiveServer, prepare_data_dir, start_server


@pytest.fixture(scope="module")
def strict(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("strict-server")
    keys = prepare_data_dir(data_dir, sample_index / "index")
    server = start_server(
        data_dir,
        keys,
        rate_per_minute="1",
        max_body_bytes="4096",
        signin_per_minute="3",
        conversations_per_minute="2",
    )
    yield server
    server.stop()


def test_rate_limit_is_per_user_with_retry_after(strict: LiveServer) -> None:
    question = {"model": "followup", "messages": [{"role": "user", "content": "LDN dose?"}]}
    with strict.client("alice") as alice, strict.client("bob") as bob, ThreadPoolExecutor(1) as bg:
        # One a minute. The checks run while the first answer is still being generated: on a
        # busy machine one answer can take longer than the bucket takes to refill.
        first = bg.submit(alice.post, "/v1/chat/completions", json=question)
        time.sleep(5)
        limited = alice.post("/v1/chat/completions", json=question)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "limit is 1 a minute" in limited.json()["error"]["message"]
        cid = alice.post("/api/conversations", json={}).json()["id"]
        streamed = alice.post(f"/api/conversations/{cid}/stream", json={"question": "LDN dose?"})
        assert streamed.status_code == 429
        assert first.result().status_code == 200
        # Reading is not rate limited, and another user has their own budget.
        assert alice.get("/api/articles").status_code == 200
        assert bob.post("/v1/chat/completions", json=question).status_code == 200


def test_body_limit_is_a_setting(strict: LiveServer) -> None:
    with strict.client("bob") as bob:
        response = bob.post("/api/conversations", json={"article_id": "x" * 5000})
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["error"]["message"]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SharedState]:
    store = AnswerStore(tmp_path / "data" / "followup.db", key_file=tmp_path / "audit.key")
    yield store.state
    store.close()


def test_generation_slots_cap_concurrency_and_time_out(state: SharedState) -> None:
    async def scenario() -> tuple[int, bool]:
        # A generous wait for the six jobs (each slot change is a store write, slow on a busy
        # machine); the time-out itself is checked with a short one below.
        slots = GenerationSlots(2, timeout_s=60, poll_s=0.01)
        running = peak = 0

        async def job() -> None:
            nonlocal running, peak
            async with slots.slot(state):
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.05)
                running -= 1

        await asyncio.gather(*(job() for _ in range(6)))
        await slots.acquire(state)
        await slots.acquire(state)
        try:
            await GenerationSlots(2, timeout_s=0.3, poll_s=0.01).acquire(state)
        except BusyError:
            return peak, True
        return peak, False

    # Its own thread: playwright's sync API may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        peak, busy = pool.submit(asyncio.run, scenario()).result()
    assert peak == 2
    assert busy
    assert state.slots_held(time.time()) == 2  # the timed-out waiter left no slot behind


def test_a_full_queue_is_refused_at_once(state: SharedState) -> None:
    async def scenario() -> list[str]:
        slots = GenerationSlots(1, timeout_s=5, max_queue=2, poll_s=0.01)
        await slots.acquire(state)
        waiters = [asyncio.create_task(slots.acquire(state)) for _ in range(2)]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        try:
            await slots.acquire(state)
        except BusyError as exc:
            assert time.monotonic() - started < 1
            for task in waiters:
                task.cancel()
            return [str(exc)]
        return []

    with ThreadPoolExecutor(1) as pool:
        (message,) = pool.submit(asyncio.run, scenario()).result()
    assert "2 questions are already waiting" in message


def test_slots_of_a_killed_process_expire(state: SharedState) -> None:
    assert state.acquire_slot("dead", 1, now=100.0, lease_s=10)
    assert not state.acquire_slot("live", 1, now=105.0, lease_s=10)
    assert state.acquire_slot("live", 1, now=111.0, lease_s=10)


def test_rate_limiter_refills_over_time(state: SharedState) -> None:
    limiter = RateLimiter(per_minute=2)
    limiter.check(state, "a", now=1000.0)
    limiter.check(state, "a", now=1000.0)
    with pytest.raises(RateLimitedError) as raised:
        limiter.check(state, "a", now=1000.0)
    assert raised.value.retry_after == 30
    limiter.check(state, "a", now=1030.0)


def test_sign_in_is_throttled_per_client_wrong_keys_included(strict: LiveServer) -> None:
    """Issue 11 finding 11: 300 wrong keys in 0.6 s were never slowed."""
    with strict.client() as anyone:
        wrong = [anyone.post("/api/session", json={"api_key": f"fu_guess{i}"}) for i in range(3)]
        assert [r.status_code for r in wrong] == [401, 401, 401]
        limited = anyone.post("/api/session", json={"api_key": strict.keys["rita"]})
    assert limited.status_code == 429, limited.text
    assert int(limited.headers["retry-after"]) >= 1
    assert "sign-in attempts" in limited.json()["error"]["message"]


def test_conversation_creation_is_limited_per_user(strict: LiveServer) -> None:
    with strict.client("rita") as rita, strict.client("adam") as adam:
        made = [rita.post("/api/conversations", json={}).status_code for _ in range(2)]
        limited = rita.post("/api/conversations", json={})
        other = adam.post("/api/conversations", json={})
    assert made == [201, 201]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 201  # another user has their own budget


def test_disabling_a_user_ends_their_cookie_session_at_once(strict: LiveServer) -> None:
    """Issue 11 finding 7: a disabled user's web session kept working for up to 12 h."""
    store = AnswerStore(strict.data_dir / "followup.db")
    try:
        _, key = add_user(store, "vic", "clinician")
    finally:
        store.close()
    with httpx.Client(base_url=strict.url, timeout=60) as browser:
        # Sign in from the API (the strict server's sign-in budget is spent above).
        cookie_id, csrf = _session_for(strict, key)
        browser.cookies.set(SESSION_COOKIE, cookie_id)
        assert browser.get("/api/session").json()["name"] == "vic"
        done = subprocess.run(
            [str(FOLLOWUP), "users", "disable", "vic"],
            env=strict.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert browser.get("/api/session").status_code == 401
        posted = browser.post("/api/conversations", json={}, headers={"X-CSRF-Token": csrf})
        assert posted.status_code == 401
        bearer = browser.get("/api/articles", headers={"Authorization": f"Bearer {key}"})
        assert bearer.status_code == 401
        subprocess.run([str(FOLLOWUP), "users", "enable", "vic"], env=strict.env, check=True)
        assert browser.get("/api/articles", headers={"Authorization": f"Bearer {key}"}).is_success
        assert browser.get("/api/session").status_code == 401  # the ended session stays ended


def _session_for(server: LiveServer, key: str) -> tuple[str, str]:
    """A session made the way /api/session makes one, directly in the shared store."""
    from assistant.review.users import authenticate
    from server.auth import SessionStore

    store = AnswerStore(server.data_dir / "followup.db")
    try:
        session_id, session = SessionStore(ttl_s=3600).create(store.state, authenticate(store, key))
    finally:
        store.close()
    return session_id, session.csrf


def test_a_stream_sends_its_sources_before_waiting_for_a_slot(
    state: SharedState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 2: the first event does not queue behind other generations."""
    from types import SimpleNamespace

    from assistant.pipeline import Ask
    from server import generation

    def fake_stream(*_: object, **__: object) -> Iterator[str]:
        yield "sources"
        yield "final"

    monkeypatch.setattr(generation, "stream_answer", fake_stream)
    slots = GenerationSlots(1, timeout_s=0.3, poll_s=0.01)
    app_state = SimpleNamespace(limiter=RateLimiter(100), slots=slots)
    request = SimpleNamespace(app=SimpleNamespace(state=app_state))
    store = SimpleNamespace(state=state)
    user = SimpleNamespace(name="alice")

    async def scenario() -> tuple[object, float, str]:
        await slots.acquire(state)  # every slot busy with someone else's answer
        started = time.monotonic()
        first, rest = await generation.start_stream(  # in a conversation: none is started
            request,
            None,  # type: ignore[arg-type]
            store,  # type: ignore[arg-type]
            None,  # type: ignore[arg-type]
            user,  # type: ignore[arg-type]
            Ask("q", conversation_id="c1"),
        )
        waited = time.monotonic() - started
        try:
            async for _ in rest:
                pass
        except BusyError as exc:
            return first, waited, str(exc)
        return first, waited, ""

    with ThreadPoolExecutor(1) as pool:
        first, waited, error = pool.submit(asyncio.run, scenario()).result()
    assert first == "sources" and waited < 0.3
    assert "busy" in error
