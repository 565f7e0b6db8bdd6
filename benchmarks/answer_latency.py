"""Extractive answer latency in-process over a given index (issue 13: p50/p95 at full MedQuAD).

    python -m benchmarks.answer_latency [--index DIR | --index-url URL] [--questions 200]

Composes the pipeline over the index (the model loaded once, a fresh answer store in a temp
folder), warms up, then answers questions one at a time: the approved articles' questions and,
for a MedQuAD index, the questions of its sources (seeded sample). Prints p50/p95 of the whole
answer and of its stages (retrieval, generate), with the load average at the start.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.compose import compose
from assistant.config import IndexSettings, Settings
from assistant.pipeline import Ask, answer
from assistant.warm import rehearse
from benchmarks import publish

REPO = Path(__file__).resolve().parent.parent


def questions_of(documents: list[Any], n: int, seed: int) -> list[str]:
    """Questions the index's documents state (articles and MedQuAD pairs), a seeded sample."""
    found = [d.metadata.get("question") for d in documents]
    pool = sorted({q for q in found if isinstance(q, str) and q.strip()})
    return random.Random(seed).sample(pool, min(n, len(pool)))


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="embedded index folder (default: data/index)")
    parser.add_argument("--index-url", help="a PostgreSQL index")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "answer.json")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    data = Path(tempfile.mkdtemp(prefix="followup-answer-latency-"))
    index = IndexSettings(path=args.index or Settings().index_dir, url=args.index_url)
    composed = compose(Settings(data_dir=data, index=index))
    questions = questions_of(composed.catalog.documents(), args.questions, args.seed)
    # What a server does before it reports ready: lazy loads, caches.
    rehearse(composed.pipeline, composed.catalog)
    stages: dict[str, list[float]] = {"total": [], "retrieval": [], "generate": []}
    for question in questions:
        started = time.perf_counter()
        record = answer(composed.pipeline, Ask(question))
        stages["total"].append((time.perf_counter() - started) * 1000)
        timings = record.timings_ms
        stages["retrieval"].append(
            sum(
                timings.get(k, 0.0)
                for k in ("embed_query", "dense", "lexical", "fuse", "sentences")
            )
        )
        stages["generate"].append(timings.get("generate", 0.0))
    composed.close()
    report = {"load_average_at_start": load, "questions": len(questions)}
    for stage, values in stages.items():
        report[f"{stage}_p50_ms"] = round(pct(values, 50), 1)
        report[f"{stage}_p95_ms"] = round(pct(values, 95), 1)
    publish(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
