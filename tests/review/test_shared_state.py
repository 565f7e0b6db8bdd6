"""Server state in the store, on every backend: two store instances (as two processes would
open) see the same sessions, draw from the same rate buckets and count the same slots."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from assistant.review.store import AnswerStore
from assistant.review.users import add_user, set_disabled
from tests.support.pg_server import fresh_database
from tests.support.records import BACKENDS


@pytest.fixture(params=BACKENDS)
def two(request: pytest.FixtureRequest, tmp_path: Path) -> list[AnswerStore]:
    key = tmp_path / "audit.key"
    if request.param == "sqlite":
        path = tmp_path / "data" / "followup.db"
        stores = [AnswerStore(path, key_file=key), AnswerStore(path, key_file=key)]
    else:
        url = fresh_database(request.getfixturevalue("pg_url"), f"t_{uuid.uuid4().hex[:12]}")
        stores = [AnswerStore(url=url, key_file=key), AnswerStore(url=url, key_file=key)]
    request.addfinalizer(lambda: [s.close() for s in stores])
    return stores


def test_a_session_is_seen_by_every_instance_until_its_user_is_disabled(
    two: list[AnswerStore],
) -> None:
    a, b = two
    add_user(a, "alice", "clinician")
    a.state.create_session("sid-1", "alice", "csrf-1", expires_at=2000.0, now=1000.0)
    seen = b.state.session("sid-1", now=1500.0)
    assert seen is not None and (seen.user_name, seen.role, seen.csrf) == (
        "alice",
        "clinician",
        "csrf-1",
    )
    assert b.state.session("sid-1", now=2001.0) is None  # expired
    assert b.state.session("sid-2", now=1500.0) is None
    set_disabled(b, "alice", True)
    assert a.state.session("sid-1", now=1500.0) is None
    set_disabled(b, "alice", False)
    assert a.state.session("sid-1", now=1500.0) is None  # ended, not suspended


def test_the_store_keeps_only_a_hash_of_the_session_id(two: list[AnswerStore]) -> None:
    a, _ = two
    add_user(a, "alice", "clinician")
    a.state.create_session("secret-session-id", "alice", "c", expires_at=2000.0, now=1000.0)
    (row,) = a.db.read("SELECT id_hash FROM sessions")
    assert "secret-session-id" not in row["id_hash"] and len(row["id_hash"]) == 64


def test_n_a_minute_is_n_across_instances(two: list[AnswerStore]) -> None:
    a, b = two
    waits = [(a, b)[i % 2].state.take_token("q:alice", 5, now=1000.0 + i) for i in range(10)]
    assert waits.count(0) == 5  # 9 s of refill at 5 a minute is under one token
    assert all(w >= 1 for w in waits[5:])
    assert a.state.take_token("q:bob", 5, now=1009.0) == 0  # another key, its own bucket


def test_the_slot_count_is_global(two: list[AnswerStore]) -> None:
    a, b = two
    assert a.state.acquire_slot("a1", 2, now=1000.0, lease_s=60)
    assert b.state.acquire_slot("b1", 2, now=1000.0, lease_s=60)
    assert not a.state.acquire_slot("a2", 2, now=1000.0, lease_s=60)
    b.state.release_slot("b1")
    assert a.state.acquire_slot("a2", 2, now=1000.0, lease_s=60)
    assert b.state.slots_held(1000.0) == 2


def test_a_token_given_back_is_taken_again(two: list[AnswerStore]) -> None:
    a, b = two
    assert a.state.take_token("signin:1.2.3.4", 1, now=1000.0) == 0
    assert b.state.take_token("signin:1.2.3.4", 1, now=1000.0) >= 1
    b.state.give_back_token("signin:1.2.3.4", 1)
    assert a.state.take_token("signin:1.2.3.4", 1, now=1000.0) == 0
