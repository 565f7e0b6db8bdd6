"""Two ``followup serve`` processes on one store behave as one server (issue 12, item 3).

On one SQLite file and on one PostgreSQL database: a session made on one works on the other
(and ends on both when its user is disabled), a limit of N a minute admits exactly N across
both, a review decision made on one is visible on the other, and the audit trail verifies.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.config import IndexSettings
from assistant.index.factory import open_index
from assistant.review.store import AnswerStore
from server.auth import SESSION_COOKIE
from tests.support.live_server import FOLLOWUP, LiveServer, prepare_data_dir, start_server
from tests.support.pg_index import copy_index, fresh_schema, pgvector_url  # noqa: F401
from tests.support.pg_server import fresh_database, pg_bin, postgres_server

QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"
LIMITS = {"rate_per_minute": "1", "conversations_per_minute": "4", "signin_per_minute": "50"}


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if pg_bin() is None:
        pytest.skip("PostgreSQL is not installed: run scripts/test-deps/postgres.sh")
    with postgres_server() as url:
        yield url


def _pair(data_dir: Path, index: Path, env: dict[str, str]) -> list[LiveServer]:
    key_file = Path(env["FOLLOWUP_AUDIT__KEY_FILE"])
    store = AnswerStore(
        data_dir / "followup.db", url=env.get("FOLLOWUP_STORE__URL"), key_file=key_file
    )
    try:
        keys = prepare_data_dir(data_dir, index, store)
    finally:
        store.close()
    first = start_server(data_dir, keys, extra_env=env, **LIMITS)
    try:
        return [first, start_server(data_dir, keys, extra_env=env, **LIMITS)]
    except BaseException:
        first.stop()
        raise


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        # One PostgreSQL (with pgvector) holding the store and the index.
        pytest.param("postgres-store-and-index", marks=pytest.mark.postgres),
    ]
)
def servers(
    request: pytest.FixtureRequest, sample_index: Path, tmp_path: Path
) -> Iterator[list[LiveServer]]:
    env = {"FOLLOWUP_AUDIT__KEY_FILE": str(tmp_path / "audit.key")}
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        env["FOLLOWUP_STORE__URL"] = fresh_database(url, f"t_{uuid.uuid4().hex[:12]}")
    if request.param == "postgres-store-and-index":
        url = fresh_schema(request.getfixturevalue("pgvector_url"))
        copy_index(open_index(IndexSettings(), sample_index / "index"), url)
        env["FOLLOWUP_STORE__URL"] = env["FOLLOWUP_INDEX__URL"] = url
    pair = _pair(tmp_path / "data", sample_index / "index", env)
    yield pair
    for server in pair:
        server.stop()


def _sign_in(server: LiveServer, user: str) -> tuple[str, str]:
    with server.client() as client:
        made = client.post("/api/session", json={"api_key": server.keys[user]})
        assert made.status_code == 200, made.text
        return made.cookies[SESSION_COOKIE], made.json()["csrf_token"]


def _users(server: LiveServer, *args: str) -> None:
    done = subprocess.run(
        [str(FOLLOWUP), "users", *args], env=server.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_session_made_on_one_server_works_on_the_other(servers: list[LiveServer]) -> None:
    a, b = servers
    cookie, csrf = _sign_in(a, "alice")
    with httpx.Client(base_url=b.url, timeout=180, cookies={SESSION_COOKIE: cookie}) as on_b:
        assert on_b.get("/api/session").json()["name"] == "alice"
        made = on_b.post("/api/conversations", json={}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text
        _users(a, "disable", "alice")  # revocation reaches every server at once
        assert on_b.get("/api/session").status_code == 401
    with httpx.Client(base_url=a.url, timeout=60, cookies={SESSION_COOKIE: cookie}) as on_a:
        assert on_a.get("/api/session").status_code == 401


def test_a_limit_of_n_a_minute_admits_exactly_n_across_both(servers: list[LiveServer]) -> None:
    a, b = servers
    with a.client("bob") as on_a, b.client("bob") as on_b:
        codes = [
            (on_a, on_b)[i % 2].post("/api/conversations", json={}).status_code for i in range(8)
        ]
        assert sorted(codes) == [201] * 4 + [429] * 4, codes
        cid = on_a.post("/api/conversations", json={})
        assert cid.status_code == 429
    # Questions: one a minute for the user, on whichever server asks.
    with a.client("adam") as on_a, b.client("adam") as on_b:
        conversation = on_a.post("/api/conversations", json={}).json()["id"]
        ask = f"/api/conversations/{conversation}/messages"
        # Asked on B while A is still answering: on a busy machine one answer can outlast the
        # bucket's one-minute refill.
        with ThreadPoolExecutor(1) as background:
            pending = background.submit(on_a.post, ask, json={"question": QUESTION})
            time.sleep(5)
            second = on_b.post(ask, json={"question": QUESTION})
            first = pending.result()
        assert first.status_code == 200, first.text
        assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
        record = first.json()
    # A decision on one server is what the other shows, and the trail verifies.
    with a.client("rita") as rita_a, b.client("rita") as rita_b:
        url = f"/api/review/answers/{record['id']}"
        latest = rita_a.get(url).json()["versions"][-1]  # the version rita reads on A
        seen = {"version": latest["version"], "sha256": latest["sha256"]}
        rejected = rita_a.post(url + "/reject", json={"reason": "checked on server A", **seen})
        assert rejected.status_code == 200, rejected.text
        shown = rita_b.get(url).json()
        assert shown["record"]["review_status"] == "rejected"
        assert shown["decisions"][-1]["comment"] == "checked on server A"
    verify = subprocess.run(
        [str(FOLLOWUP), "review", "verify"],
        env={**b.env, "FOLLOWUP_API_KEY": b.keys["rita"]},
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0 and "audit trail verified" in verify.stdout, verify.stderr
