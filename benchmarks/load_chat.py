"""Load run on loopback: N concurrent clinicians stream questions to a real ``followup serve``.

    python -m benchmarks.load_chat [--users 20] [--seconds 60] [--think 1.0] [--data-dir DIR]
        [--index DIR | --index-url URL] [--store-url URL] [--servers 1]

Builds an index of corpus/ in a temp data dir (or reuses ``--data-dir`` holding one, or serves
a given index such as full MedQuAD: ``--index`` folder or ``--index-url`` PostgreSQL), creates
one clinician per simulated user, starts the server on 127.0.0.1 with its default limits, and
has every clinician hold conversations: open an article-anchored conversation, ask its
question and follow-ups over SSE, pausing ``--think`` seconds between questions. Reports
p50/p95 time to the first streamed event and to the final (persisted) answer, answers/s, and
every error (the run fails if there is any). An index without articles (MedQuAD alone) gets
conversations without an anchor, opened with its sources' own questions. Writes
benchmarks/out/load_chat.json.

``--servers N`` starts N server processes on one store (``--store-url`` for PostgreSQL, else the
data dir's SQLite) and one index, each on its own port; clinicians are spread over them as a
load balancer would. Every final answer carries its server-side stage timings
(``timings_ms``); the report breaks the answer time down per stage (p50, p95, mean and share
of the mean final time), ``other`` being what no stage measured (HTTP, SSE, thread hand-offs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings, StoreSettings
from assistant.review.store import AnswerStore
from assistant.review.users import add_user
from benchmarks import publish

REPO = Path(__file__).resolve().parent.parent
FOLLOWUP = Path(sys.executable).with_name("followup")
FOLLOW_UPS = [
    "What is the usual dose?",
    "Is it safe in pregnancy?",
    "What are the main side effects?",
    "How long should treatment last?",
    "What should be monitored?",
]
# Server-side stages, in the order an answer passes them, each measured apart (timings_ms keys;
# "draft" and "retrieve_other" are derived: see _stages).
STAGES = (
    "condense",  # prepare: conversation read, understand, condense
    "embed_query",
    "dense",
    "lexical",
    "fuse",
    "sentences",
    "retrieve_other",  # approval filter, coverage re-ordering
    "queue_wait",  # waiting for a generation slot (shared by every server on the store)
    "assess",
    "draft",
    "settle",
    "finalize",
    "suggest",
    "persist",
)
RETRIEVER_PARTS = ("embed_query", "dense", "lexical", "fuse", "sentences")


@dataclass
class Results:
    first_event_s: list[float] = field(default_factory=list)
    final_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stages_ms: list[dict[str, float]] = field(default_factory=list)  # one per final answer


def _stages(timings: dict[str, float], final_s: float) -> dict[str, float]:
    """The answer's non-overlapping stages (ms) from its record's ``timings_ms``."""
    t = {k: float(v) for k, v in timings.items()}
    stages = {k: t.get(k, 0.0) for k in STAGES}
    retrieve = t.get("retrieve", sum(stages[k] for k in RETRIEVER_PARTS))
    stages["retrieve_other"] = retrieve - sum(stages[k] for k in RETRIEVER_PARTS)
    stages["draft"] = t.get("generate", 0.0) - t.get("assess", 0.0) - t.get("settle", 0.0)
    stages["other"] = final_s * 1000 - sum(stages.values())
    return stages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(data_dir: Path, users: int, env: dict[str, str], given: bool) -> list[str]:
    if not given and not (data_dir / "index").exists():
        subprocess.run([str(FOLLOWUP), "ingest", str(REPO / "corpus")], env=env, check=True)
    url = env.get("FOLLOWUP_STORE__URL")
    store = AnswerStore.from_settings(Settings(data_dir=data_dir, store=StoreSettings(url=url)))
    try:
        stamp = int(time.time())
        return [add_user(store, f"load{stamp}-{i}", "clinician")[1] for i in range(users)]
    finally:
        store.close()


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FOLLOWUP), "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    for _ in range(360):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"server did not become ready; see {log}")


async def _ask(client: httpx.AsyncClient, cid: str, question: str, results: Results) -> None:
    started = time.perf_counter()
    first: float | None = None
    final = False
    record: dict[str, Any] = {}
    path = f"/api/conversations/{cid}/stream"
    async with client.stream("POST", path, json={"question": question}) as response:
        if response.status_code != 200:
            body = (await response.aread()).decode(errors="replace")[:200]
            results.errors.append(f"{response.status_code}: {body}")
            return
        lines = response.aiter_lines()
        async for line in lines:
            if line.startswith("event: "):
                first = first if first is not None else time.perf_counter() - started
                if line == "event: final":
                    final = True
                    payload = json.loads((await anext(lines))[len("data: ") :])
                    record = payload["record"]
                    record["timings_ms"]["persist"] = payload.get("persist_ms", 0.0)
                elif line == "event: error":
                    results.errors.append("error event")
    if first is None or not final:
        results.errors.append("stream ended without a final event")
        return
    results.first_event_s.append(first)
    results.final_s.append(time.perf_counter() - started)
    results.stages_ms.append(_stages(record["timings_ms"], results.final_s[-1]))


async def _clinician(
    url: str, key: str, articles: list[dict[str, Any]], until: float, think: float, res: Results
) -> None:
    rng = random.Random(key)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        while time.monotonic() < until:
            article = rng.choice(articles)
            anchor = {"article_id": article["id"]} if article.get("id") else {}
            created = await client.post("/api/conversations", json=anchor)
            if created.status_code != 201:
                res.errors.append(f"create {created.status_code}")
                continue
            cid = created.json()["id"]
            questions = [article["question"] or article["title"], *rng.sample(FOLLOW_UPS, 2)]
            for question in questions:
                if time.monotonic() >= until:
                    break
                try:
                    await _ask(client, cid, question, res)
                except httpx.HTTPError as exc:
                    res.errors.append(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(think)


def _pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); NaN when nothing was measured."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _index_questions(env: dict[str, str], n: int = 500) -> list[dict[str, Any]]:
    """Unanchored topics from the served index's own questions (an index with no articles)."""
    from assistant.config import IndexSettings
    from assistant.index.factory import open_index

    path = env.get("FOLLOWUP_INDEX__PATH")
    settings = IndexSettings(path=Path(path) if path else None, url=env.get("FOLLOWUP_INDEX__URL"))
    index = open_index(settings, Path(path) if path else Path(env["FOLLOWUP_DATA_DIR"]) / "index")
    found = {d.metadata.get("question") for d in index.catalog.documents()}
    index.close()
    pool = sorted(q for q in found if isinstance(q, str) and q.strip())
    return [{"id": None, "question": q} for q in random.Random(3).sample(pool, min(n, len(pool)))]


async def _run(
    urls: list[str], keys: list[str], seconds: float, think: float, env: dict[str, str]
) -> Results:
    """Every clinician on its server (round robin over ``urls``, as a load balancer would)."""
    async with httpx.AsyncClient(
        base_url=urls[0], headers={"Authorization": f"Bearer {keys[0]}"}
    ) as c:
        articles = (await c.get("/api/articles")).json() or _index_questions(env)
    results = Results()
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            _clinician(urls[i % len(urls)], k, articles, until, think, results)
            for i, k in enumerate(keys)
        )
    )
    return results


def stage_table(results: Results) -> dict[str, dict[str, float]]:
    """Per stage: p50, p95 and mean (ms), and its share of the mean final answer time."""
    if not results.stages_ms:
        return {}
    mean_final = statistics.fmean(results.final_s) * 1000
    table = {}
    for stage in (*STAGES, "other"):
        values = [s[stage] for s in results.stages_ms]
        table[stage] = {
            "p50_ms": round(_pct(values, 50), 1),
            "p95_ms": round(_pct(values, 95), 1),
            "mean_ms": round(statistics.fmean(values), 1),
            "share": round(statistics.fmean(values) / mean_final, 3),
        }
    return table


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="pause between questions (s)")
    parser.add_argument("--data-dir", type=Path, help="reuse a data dir that holds an index")
    parser.add_argument("--index", type=Path, help="serve this embedded index folder")
    parser.add_argument("--index-url", help="serve this PostgreSQL index")
    parser.add_argument("--store-url", help="keep answers and shared state in this PostgreSQL")
    parser.add_argument("--servers", type=int, default=1, help="server processes on one store")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "load_chat.json")
    args = parser.parse_args()
    temp = None if args.data_dir else Path(tempfile.mkdtemp(prefix="followup-load-"))
    data_dir = args.data_dir or temp
    assert data_dir is not None
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    if args.index:
        env["FOLLOWUP_INDEX__PATH"] = str(args.index.resolve())
    if args.index_url:
        env["FOLLOWUP_INDEX__URL"] = args.index_url
    if args.store_url:
        env["FOLLOWUP_STORE__URL"] = args.store_url
    keys = _prepare(data_dir, args.users, env, bool(args.index or args.index_url))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for n in range(args.servers):
            port = _free_port()
            servers.append(_start(env, port, data_dir / f"load-server-{n}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        uptime = _uptime()
        started = time.monotonic()
        results = asyncio.run(_run(urls, keys, args.seconds, args.think, env))
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    report = {
        "index": str(args.index or args.index_url or "corpus/ (sample)"),
        "store": "postgresql" if args.store_url else "sqlite",
        "servers": args.servers,
        "uptime_at_start": uptime,
        "uptime_at_end": _uptime(),
        "users": args.users,
        "seconds": round(elapsed, 1),
        "think_s": args.think,
        "answers": len(results.final_s),
        "answers_per_s": round(len(results.final_s) / elapsed, 2),
        "first_event_p50_s": round(_pct(results.first_event_s, 50), 3),
        "first_event_p95_s": round(_pct(results.first_event_s, 95), 3),
        "final_p50_s": round(_pct(results.final_s, 50), 3),
        "final_p95_s": round(_pct(results.final_s, 95), 3),
        "errors": len(results.errors),
        "error_samples": results.errors[:5],
        "stages_ms": stage_table(results),
    }
    publish(report, args.out)
    if results.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
