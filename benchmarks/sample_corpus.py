"""Ingest time and answer latency on the sample corpus (medians over several runs).

    .venv/bin/python -m benchmarks.sample_corpus [--runs 5]

Prints: fresh ingest seconds, unchanged re-ingest seconds, and per-question answer latency
(in-process, model already loaded) with the per-stage medians.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant.compose import compose
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.pipeline import Ask, answer

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = [
    "What dose of mebendazole for a 14 kg child with roundworm?",
    "At what dose does naltrexone change from partial to full opioid blockade?",
    "How much fluid is instilled into the bladder for umbilical cord prolapse?",
    "Is polyethylene glycol safe for constipation in pregnancy?",
    "What is the oral cefuroxime dose for sinusitis?",
    "When is high-flow nasal cannula preferred over noninvasive ventilation?",
    "Does pembrolizumab work in PD-L1 positive metastatic triple-negative breast cancer?",
    "What is the capital of France?",
]


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    embedder = MiniLMEmbedder()
    embedder.embed(["warm-up"])  # model load is start-up cost, not ingest cost
    fresh, again = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            settings = Settings(data_dir=Path(tmp) / f"run{run}", corpus_paths=[CORPUS])
            started = time.perf_counter()
            report = ingest([CORPUS], settings.index_dir, embedder, settings.index)
            fresh.append(time.perf_counter() - started)
            started = time.perf_counter()
            ingest([CORPUS], settings.index_dir, embedder, settings.index)
            again.append(time.perf_counter() - started)
        print(f"sample corpus: {len(report.indexed)} documents, {report.chunks_total} passages")
        print(f"fresh ingest: median {statistics.median(fresh):.2f} s over {args.runs} runs")
        print(f"unchanged re-ingest: median {statistics.median(again):.2f} s")
        composed = compose(settings, embedder=embedder, environ={})
        latencies: list[float] = []
        for _ in range(args.runs):
            for question in QUESTIONS:
                started = time.perf_counter()
                answer(composed.pipeline, Ask(question))
                latencies.append(time.perf_counter() - started)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"answer latency (extractive, in-process): median {_median_ms(latencies)}, "
            f"p95 {p95 * 1000:.0f} ms over {len(latencies)} answers"
        )


if __name__ == "__main__":
    main()
