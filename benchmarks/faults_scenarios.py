"""The scenarios of ``benchmarks.faults``: each takes the deployment and returns its figures."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from assistant.config import IndexSettings
from assistant.index.embedder import open_embedder
from assistant.index.indexer import ingest
from benchmarks.faults import QUESTION, REPO, Bench, in_threads, log, median, wait_until


class Load:
    """Clinicians asking on the given servers until stopped; each question is tagged, so a
    question stored twice is seen. ``acked``: ids of answers returned with 200."""

    def __init__(self, bench: Bench, names: str, tag: str) -> None:
        self.bench, self.tag = bench, tag
        self.cids = {n: bench.conversation(n, "alice") for n in names}
        self.acked: list[str] = []
        self.codes: Counter[int] = Counter()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in names]

    def _run(self, name: str) -> None:
        i = 0
        while not self._stop.is_set():
            i += 1
            question = f"{QUESTION} Ward note {self.tag}{name}{i}."
            try:
                answered = self.bench.ask(name, "alice", self.cids[name], question)
            except httpx.HTTPError:
                self.codes[0] += 1
                time.sleep(0.2)
                continue
            self.codes[answered.status_code] += 1
            if answered.status_code == 200:
                self.acked.append(answered.json()["id"])
            else:
                time.sleep(0.2)

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def lost_and_duplicated(self) -> tuple[int, int]:
        rows = self.bench.sql(
            "SELECT id, question FROM answers WHERE conversation_id = ANY(%s)",
            (list(self.cids.values()),),
        )
        stored = {r[0] for r in rows}
        per_question = Counter(r[1] for r in rows)
        return len(set(self.acked) - stored), sum(n - 1 for n in per_question.values() if n > 1)


def _answers_on(bench: Bench, name: str) -> bool:
    """Whether server ``name`` starts a conversation and answers in it now."""
    try:
        cid = bench.conversation(name, "bob")
        return bench.ask(name, "bob", cid).status_code == 200
    except httpx.HTTPError:  # a 503 from the conversation, or no answer at all
        return False


def pg_restart(bench: Bench) -> dict[str, Any]:
    """Kill -9 PostgreSQL under load, restart it after ``--down`` s; recovery, lost, duplicated."""
    assert bench.args is not None
    runs: list[dict[str, Any]] = []
    for r in range(bench.args.runs):
        with Load(bench, "AB", f"r{r}") as load:
            time.sleep(3)
            bench.pg.kill9()
            time.sleep(bench.args.down)
            bench.pg.restart()
            back = time.monotonic()
            ready = wait_until(lambda: bench.ready("A") and bench.ready("B"), 120)
            served = wait_until(lambda: _answers_on(bench, "A") and _answers_on(bench, "B"), 120)
            recovery = None if served is None else time.monotonic() - back
            time.sleep(2)
        lost, duplicated = load.lost_and_duplicated()
        runs.append(
            {
                "ready_s": None if ready is None else round(ready, 2),
                "recovery_s": None if recovery is None else round(recovery, 2),
                "acknowledged": len(load.acked),
                "lost": lost,
                "duplicated": duplicated,
                "responses": dict(load.codes),
            }
        )
        log(f"pg_restart run {r}: {runs[-1]}")
    return {
        "down_s": bench.args.down,
        "recovery_s_median": median([x["recovery_s"] for x in runs]),
        "lost": sum(x["lost"] for x in runs),
        "duplicated": sum(x["duplicated"] for x in runs),
        "runs": runs,
    }


def slots(bench: Bench) -> dict[str, Any]:
    """C holds both slots and is killed: how long until B answers again."""
    assert bench.args is not None
    runs: list[dict[str, Any]] = []
    for r in range(bench.args.runs):
        c = bench.start("C", model=True)
        cid = bench.conversation("C", "bob")
        hung = ThreadPoolExecutor(2)
        for _ in range(2):
            hung.submit(bench.ask, "C", "bob", cid)
        wait_until(lambda: bench.sql("SELECT COUNT(*) FROM generation_slots")[0][0] >= 2, 60)
        time.sleep(3.5)  # held past the queue timeout
        with bench.client("B", timeout=10) as probe:
            readyz = probe.get("/readyz").json().get("status")
        c.process.kill()
        killed = time.monotonic()
        c.process.wait()
        del bench.servers["C"]
        recovered = wait_until(lambda: _answers_on(bench, "B"), 120, pause=0)
        hung.shutdown(wait=False, cancel_futures=True)
        runs.append(
            {
                "readyz_while_held": readyz,
                "recovery_s": None if recovered is None else round(time.monotonic() - killed, 2),
            }
        )
        log(f"slots run {r}: {runs[-1]}")
    return {"recovery_s_median": median([x["recovery_s"] for x in runs]), "runs": runs}


def _latest(bench: Bench, answer_id: str) -> dict[str, Any]:
    with bench.client("A", "rita") as c:
        versions = c.get(f"/api/review/answers/{answer_id}").json()["versions"]
    return {"version": versions[-1]["version"], "sha256": versions[-1]["sha256"]}


def _timed(call: Callable[[], httpx.Response]) -> tuple[int, float]:
    started = time.monotonic()
    try:
        code = call().status_code
    except httpx.HTTPError:
        code = 0  # timed out: a hang
    return code, round(time.monotonic() - started, 2)


def _during_hold(bench: Bench, name: str, answer_id: str, cid: str) -> dict[str, Any]:
    url = f"/api/review/answers/{answer_id}"
    seen = _latest(bench, answer_id)
    with bench.client(name, timeout=30) as anyone, bench.client(name, "rita", 30) as rita:
        key = bench.keys["alice"]
        return {
            "sign_in": _timed(lambda: anyone.post("/api/session", json={"api_key": key})),
            "read_queue": _timed(lambda: rita.get("/api/review/queue")),
            "read_answer": _timed(lambda: rita.get(url)),
            "approve": _timed(lambda: rita.post(url + "/approve", json=seen)),
            "ask": _timed(lambda: bench.ask(name, "alice", cid)),
        }


def held_lock(bench: Bench) -> dict[str, Any]:
    """A writer holds the audit chain's lock for ``--hold`` s: what others get, how fast."""
    assert bench.args is not None
    runs: list[dict[str, Any]] = []
    for r in range(bench.args.runs):
        cid = bench.conversation("A", "alice")
        record = bench.ask("A", "alice", cid).json()
        held, release = threading.Event(), threading.Event()

        def stall(held: threading.Event = held, release: threading.Event = release) -> None:
            store = bench.store()
            try:
                with store.review():
                    held.set()
                    release.wait(bench.args.hold if bench.args else 40)
            finally:
                store.close()

        staller = threading.Thread(target=stall)
        staller.start()
        held.wait(30)
        started = time.monotonic()
        seen = {n: _during_hold(bench, n, record["id"], cid) for n in "AB"}
        time.sleep(max(0.0, bench.args.hold - (time.monotonic() - started)))
        release.set()
        staller.join()
        after = _decided_after(bench, cid)
        runs.append({"during": seen, "answered_and_approved_after_release_s": after})
        log(f"held_lock run {r}: {runs[-1]}")
    ops = [op for run in runs for server in run["during"].values() for op in server.items()]
    free = [t for name, (_, t) in ops if name in ("sign_in", "read_queue", "read_answer")]
    chain = [(code, t) for name, (code, t) in ops if name in ("approve", "ask")]
    return {
        "hold_s": bench.args.hold,
        "max_sign_in_or_read_s": max(free),
        "chain_writes_503": sum(code == 503 for code, _ in chain),
        "chain_writes": len(chain),
        "max_chain_write_s": max(t for _, t in chain),
        "hung": sum(code == 0 for name, (code, _) in ops),
        "runs": runs,
    }


def _decided_after(bench: Bench, cid: str) -> float | None:
    """Seconds after the release until B stores an answer and a reviewer approves it."""

    def both() -> bool:
        answered = bench.ask("B", "alice", cid)
        return answered.status_code == 200 and _approved(bench, answered.json()["id"])

    return wait_until(both, 60)


def _approved(bench: Bench, answer_id: str) -> bool:
    with bench.client("B", "rob") as rob:
        done = rob.post(f"/api/review/answers/{answer_id}/approve", json=_latest(bench, answer_id))
        return done.status_code == 200


def races(bench: Bench) -> dict[str, Any]:
    """Edit vs approve and edit vs edit on one version, across A and B."""
    assert bench.args is not None
    cid = bench.conversation("A", "alice")
    unseen = overwrites = refused = 0
    for i in range(bench.args.races):
        record = bench.ask("A", "alice", cid).json()
        url = f"/api/review/answers/{record['id']}"
        v1 = _latest(bench, record["id"])
        edit = {"text": record["answer"], **v1}
        second = ("/edit", edit) if i % 2 else ("/approve", v1)

        def post(name: str, user: str, path: str, body: dict[str, Any]) -> int:
            with bench.client(name, user) as c:
                return c.post(url + path, json=body).status_code  # noqa: B023

        codes = in_threads(
            [lambda: post("A", "rita", "/edit", edit), lambda: post("B", "rob", *second)]  # noqa: B023
        )
        refused += codes.count(409)
        overwrites += codes == [200, 200]
        with bench.client("A", "rita") as c:
            decisions = c.get(url).json()["decisions"]
        unseen += sum(d["version"] != v1["version"] for d in decisions if d["action"] == "approve")
    return {
        "races": bench.args.races,
        "decisions_on_unseen_version": unseen,
        "both_succeeded": overwrites,
        "refused_409": refused,
    }


def _variant_without(doc_id: str, folder: Path) -> Path:
    """A copy of corpus/ without the document ``doc_id`` (a source line or an article file)."""
    shutil.copytree(REPO / "corpus", folder)
    for path in (folder / "sources").glob("*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if json.loads(line)["id"] != doc_id]
        path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    for path in (folder / "articles").glob("*.md"):
        if f"\nid: {doc_id}\n" in "\n" + path.read_text(encoding="utf-8"):
            path.unlink()
    return folder


def _generation(bench: Bench) -> tuple[str, set[str]]:
    version = bench.sql("SELECT corpus_version FROM index_state")[0][0]
    return version, {r[0] for r in bench.sql("SELECT id FROM index_chunks")}


def ingests(bench: Bench) -> dict[str, Any]:
    """Answers while the corpus is re-ingested with and without one cited source."""
    assert bench.args is not None
    probe = bench.ask("A", "bob", bench.conversation("A", "bob")).json()
    cited = probe["citations"][0]["source_id"]
    without = _variant_without(cited, bench.root / "corpus-without")
    index = IndexSettings(url=bench.url)
    embedder = open_embedder(index)
    generations = dict([_generation(bench)])
    with Load(bench, "AB", "i") as load:
        for i in range(4 * bench.args.runs):
            corpus = without if i % 2 == 0 else REPO / "corpus"
            ingest([corpus], bench.root / "index", embedder, index, prune=True)
            version, chunks = _generation(bench)
            generations[version] = chunks
            time.sleep(1.5)
    rows = bench.sql(
        "SELECT record_json FROM answers WHERE conversation_id = ANY(%s)",
        (list(load.cids.values()),),
    )
    records = [json.loads(r[0]) for r in rows]
    wrong = [
        r["id"]
        for r in records
        if r["corpus_version"] not in generations
        or any(c["chunk_id"] not in generations[r["corpus_version"]] for c in r["citations"])
    ]
    citing = sum(any(c["source_id"] == cited for c in r["citations"]) for r in records)
    return {
        "ingests": 4 * bench.args.runs,
        "answers": len(records),
        "citing_the_toggled_source": citing,
        "mis_versioned": len(wrong),
    }


SCENARIOS: dict[str, Callable[[Bench], dict[str, Any]]] = {
    "races": races,
    "held_lock": held_lock,
    "slots": slots,
    "ingests": ingests,
    "pg_restart": pg_restart,
}
