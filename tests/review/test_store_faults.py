"""The answer store under faults (issue 24), on SQLite and on a real PostgreSQL 16 (pgserver).

Two ``AnswerStore`` objects on one database stand for two server processes. Each test
reproduces one finding of the shared-deployment probe: a store that never reconnected after
PostgreSQL was killed and restarted; one stalled writer freezing every other; decisions and
edits made on a version the reviewer never saw; slots outliving their holder; sessions and
answers of a user disabled meanwhile.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from assistant.errors import (
    AuthenticationError,
    BusyError,
    InvalidTransitionError,
    NotFoundError,
    StoreError,
)
from assistant.review import workflow
from assistant.review.store import AnswerStore
from assistant.review.users import Role, User, add_user, authenticate, set_disabled
from server.auth import SessionStore
from tests.support.pg_faults import KillablePostgres, killable_postgres, schema_url
from tests.support.pg_index import require_pgserver
from tests.support.records import make_record, save_answer, seen

T = TypeVar("T")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def pg() -> Iterator[KillablePostgres]:
    """One PostgreSQL 16 for the module; the restart test kills it and starts it again."""
    require_pgserver()
    with killable_postgres() as server:
        yield server


def _open_pair(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> list[AnswerStore]:
    key = tmp_path / "audit.key"
    if kind == "sqlite":
        path = tmp_path / "data" / "followup.db"
        return [AnswerStore(path, key_file=key), AnswerStore(path, key_file=key)]
    server: KillablePostgres = request.getfixturevalue("pg")
    url = schema_url(server.url, f"t_{uuid.uuid4().hex[:12]}")
    return [AnswerStore(url=url, key_file=key), AnswerStore(url=url, key_file=key)]


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[AnswerStore]]:
    """Two stores on one database: two server processes."""
    stores = _open_pair(request.param, tmp_path, request)
    for name, role in [("rita", "reviewer"), ("rob", "reviewer"), ("cleo", "clinician")]:
        add_user(stores[0], name, role)
    yield stores
    for store in stores:
        store.close()


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result (or its exception) if it ends within ``seconds``; fails if it hangs."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(call)
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        if not done.wait(seconds):
            pytest.fail(f"still waiting after {seconds} s: the store hangs instead of answering")
        return future.result()


def wait_for(seconds: float, call: Callable[[], Any]) -> float:
    """Retry ``call`` until it succeeds; the seconds that took (fails after ``seconds``)."""
    started = time.monotonic()
    while True:
        try:
            call()
            return time.monotonic() - started
        except StoreError as exc:
            if time.monotonic() - started > seconds:
                pytest.fail(f"not recovered {seconds} s after the restart: {exc}")
            time.sleep(0.1)


# Finding 1 ----------------------------------------------------------------------------------
@pytest.mark.postgres
def test_the_store_recovers_by_itself_after_postgresql_is_killed_and_restarted(
    pg: KillablePostgres, tmp_path: Path
) -> None:
    url = schema_url(pg.url, f"t_{uuid.uuid4().hex[:12]}")
    store = AnswerStore(url=url, key_file=tmp_path / "audit.key")
    try:
        kept = save_answer(store)
        pg.kill9()
        with pytest.raises(StoreError):  # a clear error while it is down, within seconds
            within(15, lambda: save_answer(store))
        pg.restart()
        assert wait_for(10, store.ping) <= 10
        again = within(10, lambda: save_answer(store))
        assert store.get_answer(kept.id).answer == kept.answer
        assert store.get_answer(again.id).id == again.id
        assert store.verify_chain().ok
    finally:
        store.close()


# Finding 5 ----------------------------------------------------------------------------------
def test_a_stalled_writer_costs_others_a_clear_error_within_seconds_never_a_hang(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    record = save_answer(a, owner="cleo")
    held, release = threading.Event(), threading.Event()

    def stall() -> None:  # a process stopped while it holds the audit chain's lock
        with a.review():
            held.set()
            release.wait(60)

    staller = threading.Thread(target=stall)
    staller.start()
    try:
        assert held.wait(10)
        # Readers never wait for a writer.
        assert within(2, lambda: b.get_answer(record.id)).id == record.id
        assert within(2, lambda: b.review_queue(None, 10, 0))
        assert within(2, lambda: b.users.all())
        started = time.monotonic()
        with pytest.raises(BusyError, match="busy"):  # an audit-chain writer: 503, retry
            within(12, lambda: workflow.comment(b, record.id, reviewer("rita"), text="x"))
        assert time.monotonic() - started < 8
        if b.db.dialect == "postgresql":
            # Writers that never touch the chain take their own narrow locks: no wait at all.
            assert within(2, lambda: b.state.take_token("questions:cleo", 30, time.time())) == 0
            assert within(2, lambda: b.state.acquire_slot("h1", 2, time.time(), 6.0))
            assert within(2, lambda: b.create_conversation(owner="cleo")).owner == "cleo"
    finally:
        release.set()
        staller.join()
    assert (
        workflow.comment(b, record.id, reviewer("rita"), text="after the stall").action == "comment"
    )


def reviewer(name: str) -> User:
    return User(name, Role.REVIEWER)


def sessions_of(store: AnswerStore, name: str) -> int:
    rows = store.db.read("SELECT COUNT(*) AS n FROM sessions WHERE user_name = ?", (name,))
    return int(rows[0]["n"])


# Finding 2 and the edit-vs-edit Low ---------------------------------------------------------
def test_a_decision_on_a_version_that_is_no_longer_current_is_refused_naming_it(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    record = save_answer(a, owner="cleo")
    rita, rob = reviewer("rita"), reviewer("rob")
    read_by_rob = seen(b, record.id)  # rob opens version 1
    workflow.edit(a, record.id, rita, **seen(a, record.id), text="LDN is 1 to 5 mg daily [1].")
    for act in (
        lambda: workflow.approve(b, record.id, rob, **read_by_rob),
        lambda: workflow.reject(b, record.id, rob, **read_by_rob, reason="no"),
        lambda: workflow.edit(b, record.id, rob, **read_by_rob, text="LDN: 1 to 5 mg [1]."),
    ):
        with pytest.raises(InvalidTransitionError, match="now at version 2"):
            act()
    wrong_text = {"version": 2, "sha256": read_by_rob["sha256"]}
    with pytest.raises(InvalidTransitionError, match="not that of version 2"):
        workflow.approve(b, record.id, rob, **wrong_text)
    assert [v.version for v in b.versions(record.id)] == [1, 2]
    assert b.decisions(record.id, "approve") == []
    approved = workflow.approve(b, record.id, rob, **seen(b, record.id))
    assert (approved.version, approved.version_sha256) == (2, b.versions(record.id)[1].sha256)


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment in threads; each one's result, None if refused (409)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except InvalidTransitionError:
            return None

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def test_racing_edits_and_approvals_never_sign_or_overwrite_an_unseen_version(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    rita, rob = reviewer("rita"), reviewer("rob")
    signed_unseen = overwritten = 0
    for i in range(10):
        record = save_answer(a, owner="cleo")
        v1 = seen(a, record.id)
        edit_a = lambda r=record.id, v=v1: workflow.edit(a, r, rita, **v, text="1 to 5 mg [1].")  # noqa: E731
        if i % 2:  # edit vs edit: exactly one wins, the other is told
            edit_b = lambda r=record.id, v=v1: workflow.edit(b, r, rob, **v, text="1-5 mg [1].")  # noqa: E731
            made = _together(edit_a, edit_b)
            overwritten += sum(m is not None for m in made) != 1
            assert len(a.versions(record.id)) == 2
        else:  # edit vs approval of version 1: the approval signs version 1 or nothing
            approve_b = lambda r=record.id, v=v1: workflow.approve(b, r, rob, **v)  # noqa: E731
            _together(edit_a, approve_b)
            signed_unseen += sum(
                (d.version, d.version_sha256) != (v1["version"], v1["sha256"])
                for d in a.decisions(record.id, "approve")
            )
    assert (signed_unseen, overwritten) == (0, 0)
    assert a.verify_chain().ok


# Finding 3 ----------------------------------------------------------------------------------
def test_a_slot_of_a_holder_that_stopped_renewing_is_taken_back_after_its_lease(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    now = time.time()
    assert a.state.acquire_slot("alive", 2, now, 1.0, "host:1")
    assert a.state.acquire_slot("killed", 2, now, 1.0, "host:2")
    assert not b.state.acquire_slot("waiting", 2, now + 0.5, 1.0, "host:3")
    assert a.state.renew_slot("alive", now + 0.8, 1.0)  # its holder's heartbeat
    assert b.state.acquire_slot("waiting", 2, now + 1.2, 1.0, "host:3")  # "killed" lapsed
    assert not a.state.renew_slot("killed", now + 1.3, 1.0)
    assert {s.holder for s in b.state.slots(now + 1.3)} == {"alive", "waiting"}
    assert [s.owner for s in b.state.slots(now + 1.3)] == ["host:1", "host:3"]


# Low findings: revocation -------------------------------------------------------------------
def test_an_answer_for_a_user_disabled_while_it_was_made_is_not_stored(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    conversation = a.create_conversation(owner="cleo")
    set_disabled(b, "cleo", True)  # on the other server, while the answer is generated
    record = make_record(conversation.id)
    with pytest.raises(AuthenticationError, match="cleo was disabled"):
        a.save_answer(record)
    with pytest.raises(NotFoundError):
        a.get_answer(record.id)
    assert a.verify_chain().ok and a.verify_chain().entries == 0


def test_a_sign_in_that_raced_a_disable_leaves_no_session_to_come_back(
    pair: list[AnswerStore],
) -> None:
    a, b = pair
    sessions = SessionStore(ttl_s=3600)
    _, key = add_user(a, "dana", "clinician")
    user = authenticate(a, key)  # the key checked out just before the disable
    set_disabled(b, "dana", True)
    with pytest.raises(AuthenticationError, match="disabled"):
        sessions.create(a.state, user)
    set_disabled(b, "dana", False)
    assert sessions_of(a, "dana") == 0


@pytest.mark.postgres
def test_sign_ins_racing_a_disable_on_another_server_leave_no_session_behind(
    pg: KillablePostgres, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    a, b = _open_pair("postgres", tmp_path, request)
    try:
        sessions = SessionStore(ttl_s=3600)
        _, key = add_user(a, "dana", "clinician")
        disabled = threading.Event()

        def sign_ins(store: AnswerStore) -> list[tuple[bool, bool]]:
            """(began after the disable committed, admitted) per attempt."""
            done: list[tuple[bool, bool]] = []
            while sum(after for after, _ in done) < 5:
                after = disabled.is_set()
                try:
                    sessions.create(store.state, authenticate(store, key))
                    done.append((after, True))
                except AuthenticationError:
                    done.append((after, False))
            return done

        with ThreadPoolExecutor(8) as pool:
            racing = [pool.submit(sign_ins, (a, b)[i % 2]) for i in range(8)]
            time.sleep(0.3)
            set_disabled(b, "dana", True)
            disabled.set()
            attempts = [x for f in racing for x in f.result()]
        set_disabled(a, "dana", False)
        assert any(ok for after, ok in attempts if not after)  # signed in before the disable
        assert not any(ok for after, ok in attempts if after)
        assert sessions_of(a, "dana") == 0  # nothing made in the race comes back on enable
    finally:
        a.close()
        b.close()
