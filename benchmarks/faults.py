"""Fault benchmark of the shared deployment: the probe of issue 24, rerun on loopback.

    python -m benchmarks.faults [--runs 3] [--races 30] [--down 9.5] [--hold 40]

One PostgreSQL 16 + pgvector (the ``pgserver`` wheel) holds store and index; servers A and B
answer clinicians and reviewers; server C's model endpoint never replies, so its generations
hold their slots. Scenarios, each ``--runs`` times (medians printed):

- ``pg_restart``: clinicians ask on A and B; PostgreSQL is killed (SIGKILL to the postmaster)
  and restarted ``--down`` seconds later. Recovery: from the restart until both servers are
  ready and have answered. Lost: acknowledged answers not stored; duplicated: one question
  stored twice.
- ``slots``: C holds both generation slots; C is killed. Recovery: from the kill until B answers.
- ``held_lock``: a writer holds the audit chain's lock for ``--hold`` seconds. Sign-in and reads
  on both servers must not wait; a decision and a question get 503 within seconds.
- ``races``: ``--races`` edit-vs-approve and edit-vs-edit races across A and B. Decisions on an
  unseen version, and edits that silently replaced another, must be 0.
- ``ingests``: answers on A and B while the corpus is re-ingested, alternately with and without
  one source. Mis-versioned: an answer whose cited passages are not in the generation its
  ``corpus_version`` names.

Targets (issue 24): recovery <= 10 s after PostgreSQL is back and <= 10 s for slots; 0 lost,
0 duplicated, 0 mis-versioned, 0 decisions on an unseen version. Quote ``uptime`` with every
figure. Writes benchmarks/out/faults.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from assistant.config import IndexSettings
from assistant.index.embedder import open_embedder
from assistant.index.indexer import ingest
from assistant.review.store import AnswerStore
from assistant.review.users import add_user

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out" / "faults.json"
QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"
USERS = {"alice": "clinician", "bob": "clinician", "rita": "reviewer", "rob": "reviewer"}
LIMITS = {
    "FOLLOWUP_SERVER__RATE_PER_MINUTE": "100000",
    "FOLLOWUP_SERVER__CONVERSATIONS_PER_MINUTE": "100000",
    "FOLLOWUP_SERVER__SIGNIN_PER_MINUTE": "100000",
    "FOLLOWUP_SERVER__MAX_GENERATIONS": "2",
    "FOLLOWUP_SERVER__QUEUE_TIMEOUT_S": "3",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Bench:
    """The deployment every scenario runs against."""

    pg: Any  # tests.support.pg_faults.KillablePostgres
    url: str
    root: Path
    keys: dict[str, str]
    env: dict[str, str]
    model_env: dict[str, str]
    servers: dict[str, Any] = field(
        default_factory=dict
    )  # name -> tests.support.live_server.LiveServer
    args: argparse.Namespace | None = None

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return list(cursor.fetchall()) if cursor.description else []

    def store(self) -> AnswerStore:
        return AnswerStore(url=self.url, key_file=self.root / "audit.key")

    def start(self, name: str, *, model: bool = False) -> Any:
        from tests.support.live_server import start_server

        env = {**self.env, **(self.model_env if model else {})}
        self.servers[name] = start_server(self.root / "data", self.keys, extra_env=env)
        return self.servers[name]

    def client(self, name: str, user: str | None = None, timeout: float = 60) -> httpx.Client:
        client: httpx.Client = self.servers[name].client(user, timeout=timeout)
        return client

    def conversation(self, name: str, user: str) -> str:
        with self.client(name, user) as c:
            made = c.post("/api/conversations", json={})
            made.raise_for_status()
            return str(made.json()["id"])

    def ask(self, name: str, user: str, cid: str, question: str = QUESTION) -> httpx.Response:
        with self.client(name, user) as c:
            return c.post(f"/api/conversations/{cid}/messages", json={"question": question})

    def ready(self, name: str) -> bool:
        try:
            with self.client(name, timeout=6) as c:
                return c.get("/readyz").status_code == 200
        except httpx.HTTPError:
            return False


@contextmanager
def hanging_model() -> Iterator[str]:
    """A model endpoint that accepts connections and never replies."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@contextmanager
def deployment(args: argparse.Namespace) -> Iterator[Bench]:
    from tests.support.pg_faults import killable_postgres, schema_url

    root = Path(tempfile.mkdtemp(prefix="followup-faults-"))
    try:
        with killable_postgres() as pg, hanging_model() as model:
            url = schema_url(pg.url, f"b_{uuid.uuid4().hex[:10]}")
            log("indexing corpus/ into PostgreSQL")
            index = IndexSettings(url=url)
            ingest([REPO / "corpus"], root / "index", open_embedder(index), index, prune=True)
            (root / "data").mkdir()
            store = AnswerStore(url=url, key_file=root / "audit.key")
            try:
                keys = {name: add_user(store, name, role)[1] for name, role in USERS.items()}
            finally:
                store.close()
            env = {
                **LIMITS,
                "FOLLOWUP_STORE__URL": url,
                "FOLLOWUP_INDEX__URL": url,
                "FOLLOWUP_AUDIT__KEY_FILE": str(root / "audit.key"),
            }
            model_env = {
                "FOLLOWUP_LLM__BASE_URL": model,
                "FOLLOWUP_LLM__API_KEY": "unused",
                "FOLLOWUP_LLM__TIMEOUT_S": "600",
                "FOLLOWUP_LLM__MAX_RETRIES": "0",
                "FOLLOWUP_LLM__CONDENSE": "false",
            }
            bench = Bench(pg, url, root, keys, env, model_env, args=args)
            try:
                log("starting servers A and B")
                bench.start("A")
                bench.start("B")
                yield bench
            finally:
                for server in bench.servers.values():
                    server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def wait_until(check: Callable[[], bool], limit_s: float, pause: float = 0.1) -> float | None:
    """Seconds until ``check()`` held (None when it never did within ``limit_s``)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if check():
            return time.monotonic() - started
        time.sleep(pause)
    return None


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 2) if known and len(known) == len(values) else None


def uptime() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> None:
    from benchmarks.faults_scenarios import SCENARIOS

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--races", type=int, default=30)
    parser.add_argument("--down", type=float, default=9.5, help="seconds PostgreSQL stays down")
    parser.add_argument("--hold", type=float, default=40.0, help="seconds the lock is held")
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), default=None)
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"load_average_start": uptime()}
    with deployment(args) as bench:
        for name, scenario in SCENARIOS.items():
            if args.only and name not in args.only:
                continue
            log(f"{name}: load average {uptime()}")
            figures[name] = scenario(bench)
            figures[name]["load_average"] = uptime()
            log(f"{name}: {json.dumps(figures[name])}")
    figures["load_average_end"] = uptime()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once (a barrier starts them together); their results."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


if __name__ == "__main__":
    main()
