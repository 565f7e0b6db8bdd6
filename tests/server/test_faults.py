"""The shared deployment under faults (issue 24): real ``followup serve`` processes on one
PostgreSQL 16 + pgvector (pgserver) holding store and index, with faults injected.

Servers A and B serve clinicians and reviewers; server C's model endpoint never answers, so
its generations hold their slots until C is killed. Each test reproduces one finding of the
probe: decisions on an unseen version, a stalled writer freezing every server, slots that
outlived a killed server, revocation and conversation limits, and (last, since it takes the
database down) no recovery after PostgreSQL was killed and restarted.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from assistant.config import IndexSettings
from assistant.index.factory import open_index
from assistant.review.store import AnswerStore
from assistant.review.users import add_user, set_disabled
from tests.support.live_server import LiveServer, prepare_data_dir, start_server
from tests.support.pg_faults import KillablePostgres, killable_postgres, schema_url
from tests.support.pg_index import copy_index, require_pgserver

pytestmark = pytest.mark.postgres

QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"
LIMITS = {
    "rate_per_minute": "100000",
    "conversations_per_minute": "6",  # per user: only bob's /v1 test comes near it
    "max_generations": "2",
    "queue_timeout_s": "3",
}


@dataclass
class Deployment:
    pg: KillablePostgres
    url: str
    key_file: Path
    a: LiveServer
    b: LiveServer
    c: LiveServer  # its model never answers

    def store(self) -> AnswerStore:
        return AnswerStore(url=self.url, key_file=self.key_file)

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture(scope="module")
def hanging_model() -> Iterator[str]:
    """An OpenAI-compatible base URL whose server accepts connections and never replies."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture(scope="module")
def deployment(
    sample_index: Path, tmp_path_factory: pytest.TempPathFactory, hanging_model: str
) -> Iterator[Deployment]:
    require_pgserver()
    root = tmp_path_factory.mktemp("faults")
    with killable_postgres() as pg:
        url = schema_url(pg.url, f"t_{uuid.uuid4().hex[:12]}")
        copy_index(open_index(IndexSettings(), sample_index / "index"), url)
        key_file = root / "audit.key"
        store = AnswerStore(url=url, key_file=key_file)
        try:
            keys = prepare_data_dir(root / "data", sample_index / "index", store)
            for name, role in [("rob", "reviewer"), ("erin", "clinician"), ("vic", "clinician")]:
                keys[name] = add_user(store, name, role)[1]
        finally:
            store.close()
        env = {
            "FOLLOWUP_STORE__URL": url,
            "FOLLOWUP_INDEX__URL": url,
            "FOLLOWUP_AUDIT__KEY_FILE": str(key_file),
        }
        model = {
            "FOLLOWUP_LLM__BASE_URL": hanging_model,
            "FOLLOWUP_LLM__API_KEY": "unused",
            "FOLLOWUP_LLM__TIMEOUT_S": "600",
            "FOLLOWUP_LLM__MAX_RETRIES": "0",
            "FOLLOWUP_LLM__CONDENSE": "false",
        }
        servers: list[LiveServer] = []
        try:
            for extra in (env, env, {**env, **model}):
                servers.append(start_server(root / "data", keys, extra_env=extra, **LIMITS))
            yield Deployment(pg, url, key_file, *servers)
        finally:
            for server in servers:
                server.stop()


@pytest.fixture(scope="module")
def alices(deployment: Deployment) -> str:
    """One conversation of alice's on A for the tests that need answers to review (each user
    may start only ``conversations_per_minute`` conversations)."""
    return conversation(deployment.a, "alice")


def conversation(server: LiveServer, user: str) -> str:
    with server.client(user) as client:
        made = client.post("/api/conversations", json={})
        assert made.status_code == 201, made.text
        return str(made.json()["id"])


def ask(server: LiveServer, user: str, conversation_id: str, **kwargs: object) -> httpx.Response:
    with server.client(user, **kwargs) as client:
        return client.post(
            f"/api/conversations/{conversation_id}/messages", json={"question": QUESTION}
        )


def timed(call: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()  # type: ignore[operator]
    return response, time.monotonic() - started


def latest(server: LiveServer, user: str, answer_id: str) -> dict[str, object]:
    """The version the console shows: number and SHA-256 of the answer's latest text."""
    with server.client(user) as client:
        versions = client.get(f"/api/review/answers/{answer_id}").json()["versions"]
    return {"version": versions[-1]["version"], "sha256": versions[-1]["sha256"]}


# Finding 2 (and edit vs edit) ---------------------------------------------------------------
def test_an_approval_names_the_version_read_and_a_stale_one_is_409_naming_the_current(
    deployment: Deployment, alices: str
) -> None:
    a, b = deployment.a, deployment.b
    record = ask(a, "alice", alices).json()
    url = f"/api/review/answers/{record['id']}"
    read_by_rob = latest(b, "rob", record["id"])  # rob opens version 1 on server B
    with a.client("rita") as rita, b.client("rob") as rob:
        revised = {"text": record["answer"], "comment": "checked", **read_by_rob}
        edited = rita.post(url + "/edit", json=revised)
        assert edited.status_code == 200, edited.text
        for action, body in [
            ("approve", {}),
            ("reject", {"reason": "wrong"}),
            ("edit", {"text": record["answer"]}),
        ]:
            stale = rob.post(f"{url}/{action}", json={**body, **read_by_rob})
            assert stale.status_code == 409, stale.text
            assert "now at version 2" in stale.json()["error"]["message"]
        unbound = rob.post(url + "/approve", json={})
        assert unbound.status_code == 422 and "version" in unbound.text
        ok = rob.post(url + "/approve", json={**latest(b, "rob", record["id"])})
        assert ok.status_code == 200, ok.text
        assert (ok.json()["version"], ok.json()["version_sha256"]) == (
            2,
            edited.json()["sha256"],
        )


def _together(*calls: Callable[[], int]) -> list[int]:
    """Run the calls at the same moment in threads; their results."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], int]) -> int:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def _post(server: LiveServer, user: str, path: str, body: dict[str, object]) -> Callable[[], int]:
    def call() -> int:
        with server.client(user) as client:
            return client.post(path, json=body).status_code

    return call


def test_racing_edit_and_approve_across_servers_never_sign_an_unseen_version(
    deployment: Deployment, alices: str
) -> None:
    a, b = deployment.a, deployment.b
    unseen = 0
    for i in range(6):
        record = ask(a, "alice", alices).json()
        url = f"/api/review/answers/{record['id']}"
        v1 = latest(a, "rita", record["id"])
        edit = _post(a, "rita", url + "/edit", {"text": record["answer"], **v1})
        other = (
            _post(b, "rob", url + "/edit", {"text": record["answer"], **v1})
            if i % 2
            else _post(b, "rob", url + "/approve", {"comment": "read v1", **v1})
        )
        codes = sorted(_together(edit, other))
        assert codes == [200, 409], codes  # one wins, the other is told: never both
        with a.client("rita") as rita:
            decisions = rita.get(url).json()["decisions"]
        unseen += sum(d["version"] != 1 for d in decisions if d["action"] == "approve")
    assert unseen == 0


# Finding 5 ----------------------------------------------------------------------------------
def test_a_stalled_writer_costs_others_a_clear_503_within_seconds_and_blocks_no_reader(
    deployment: Deployment, alices: str
) -> None:
    a, b = deployment.a, deployment.b
    cid = alices
    record = ask(a, "alice", cid).json()
    held, release = threading.Event(), threading.Event()

    def stall() -> None:  # a server stopped while it holds the audit chain's lock
        store = deployment.store()
        try:
            with store.review():
                held.set()
                release.wait(90)
        finally:
            store.close()

    staller = threading.Thread(target=stall)
    staller.start()
    try:
        assert held.wait(20)
        for server in (a, b):
            with server.client(timeout=20) as anyone:
                signed_in, took = timed(
                    lambda s=server, c=anyone: c.post(
                        "/api/session", json={"api_key": s.keys["alice"]}
                    )
                )
                assert signed_in.status_code == 200 and took < 3, (signed_in.text, took)
            with server.client("rita", timeout=20) as rita:
                queue, took = timed(lambda c=rita: c.get("/api/review/queue"))
                assert queue.status_code == 200 and took < 3, took
                decided, took = timed(
                    lambda c=rita: c.post(
                        f"/api/review/answers/{record['id']}/approve",
                        json=latest(a, "rita", record["id"]),
                    )
                )
                assert decided.status_code == 503 and took < 9, (decided.text, took)
                assert "busy" in decided.json()["error"]["message"]
            with server.client("alice", timeout=20) as alice:
                shown, took = timed(lambda c=alice: c.get(f"/api/conversations/{cid}"))
                assert shown.status_code == 200 and took < 3, took
        asked, took = timed(lambda: ask(b, "alice", cid, timeout=30))
        assert asked.status_code == 503 and took < 20, (asked.text, took)
    finally:
        release.set()
        staller.join()
    with b.client("rita") as rita:
        after = rita.post(
            f"/api/review/answers/{record['id']}/approve", json=latest(b, "rita", record["id"])
        )
        assert after.status_code == 200, after.text


# Finding 3 ----------------------------------------------------------------------------------
def test_slots_of_a_killed_server_are_free_again_within_seconds_and_readyz_says_saturated(
    deployment: Deployment,
) -> None:
    b, c = deployment.b, deployment.c
    cid = conversation(c, "alice")
    background = ThreadPoolExecutor(2)
    for _ in range(2):  # two generations on C that never end: both slots held
        background.submit(ask, c, "alice", cid, timeout=600)
    deadline = time.monotonic() + 60
    while deployment.sql("SELECT COUNT(*) FROM generation_slots")[0][0] < 2:
        assert time.monotonic() < deadline, "C never took both slots"
        time.sleep(0.1)
    time.sleep(3.5)  # held past the queue timeout: questions get 503 now
    with b.client() as probe:
        saturated = probe.get("/readyz")
    assert saturated.status_code == 503, saturated.text
    assert saturated.json()["status"] == "saturated"
    c.process.kill()  # kill -9 while it holds both slots
    killed = time.monotonic()
    c.process.wait()
    background.shutdown(wait=False, cancel_futures=True)
    cid_b = conversation(b, "bob")
    while True:
        answered = ask(b, "bob", cid_b)
        if answered.status_code == 200:
            break
        assert answered.status_code == 503, answered.text
        assert time.monotonic() - killed < 30, "the dead server's slots were never taken back"
    recovered = time.monotonic() - killed
    assert recovered <= 10 + 8, recovered  # the lease, then one answer on a loaded machine
    with b.client() as probe:
        assert probe.get("/readyz").status_code == 200


# Low findings ---------------------------------------------------------------------------------
def test_the_openai_endpoint_counts_the_conversations_it_starts(deployment: Deployment) -> None:
    body = {"model": "followup", "messages": [{"role": "user", "content": QUESTION}]}
    codes = []
    with deployment.a.client("vic") as vic:
        for _ in range(7):
            codes.append(vic.post("/v1/chat/completions", json=body).status_code)
    assert codes == [200] * 6 + [429], codes


def test_a_question_waiting_for_a_slot_when_its_asker_is_disabled_is_not_answered(
    deployment: Deployment,
) -> None:
    a = deployment.a
    cid = conversation(a, "erin")
    before = deployment.sql("SELECT COUNT(*) FROM answers")[0][0]
    blockers = [f"blocker-{uuid.uuid4().hex}" for _ in range(2)]
    for holder in blockers:  # both slots taken elsewhere: erin's question waits
        deployment.sql(
            "INSERT INTO generation_slots (holder, expires_at) VALUES (%s, %s)",
            (holder, time.time() + 60),
        )
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(ask, a, "erin", cid)
        deadline = time.monotonic() + 20
        while not deployment.sql("SELECT 1 FROM rate_buckets WHERE bucket = 'questions:erin'"):
            assert time.monotonic() < deadline, "the question never reached the slot queue"
            time.sleep(0.05)
        store = deployment.store()
        try:
            set_disabled(store, "erin", True)
        finally:
            store.close()
        deployment.sql("DELETE FROM generation_slots WHERE holder = ANY(%s)", (blockers,))
        refused = waiting.result()
    assert refused.status_code == 401, refused.text
    assert deployment.sql("SELECT COUNT(*) FROM answers")[0][0] == before


# Finding 1 (last: it takes the database down) ------------------------------------------------
def test_both_servers_recover_by_themselves_after_postgresql_is_killed_and_restarted(
    deployment: Deployment,
) -> None:
    a, b, pg = deployment.a, deployment.b, deployment.pg
    conversations = {s.url: conversation(s, "adam") for s in (a, b)}
    acknowledged: list[str] = []
    stop = threading.Event()

    def load(server: LiveServer) -> None:
        while not stop.is_set():
            try:
                done = ask(server, "adam", conversations[server.url], timeout=30)
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            if done.status_code == 200:
                acknowledged.append(done.json()["id"])
            else:
                time.sleep(0.2)

    threads = [threading.Thread(target=load, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    try:
        time.sleep(3)
        pg.kill9()
        time.sleep(3)
        pg.restart()
        back = time.monotonic()
        for server in (a, b):
            while True:
                with server.client() as probe:
                    if probe.get("/readyz").status_code == 200:
                        break
                assert time.monotonic() - back < 10, f"{server.url} not ready 10 s after restart"
                time.sleep(0.2)
            cid = conversations[server.url]
            answered = ask(server, "adam", cid)
            assert answered.status_code == 200, answered.text
    finally:
        stop.set()
        for t in threads:
            t.join()
    stored = {str(r[0]) for r in deployment.sql("SELECT id FROM answers")}
    assert set(acknowledged) <= stored  # nothing acknowledged was lost
    assert len(acknowledged) == len(set(acknowledged))
