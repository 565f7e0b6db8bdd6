"""One eval run end to end: index the corpus, run the cases, write and check the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.index.embedder import Embedder
from evals.cases import DatasetConfig, EvalCase
from evals.metrics import relevance_cutoff
from evals.report import build_report
from evals.report_files import write_report
from evals.runner import CaseResult, build_index, open_composed, run_cases


@dataclass
class EvalOptions:
    """Where to read and write, and how to run."""

    corpus: Sequence[Path]
    out: Path
    index: Path | None = None
    retrieval_only: bool = False
    dataset: str = ""


def eval_settings(base: Settings, options: EvalOptions) -> Settings:
    """The product's settings, with the store in the output folder and the chosen index."""
    index = options.index or options.out / "index"
    return base.model_copy(
        update={
            "data_dir": options.out / "data",
            "index": base.index.model_copy(update={"path": index}),
            # Always a SQLite store in the output folder, never the product's database.
            "store": base.store.model_copy(update={"url": None}),
        }
    )


def run_eval(
    cases: Sequence[EvalCase],
    config: DatasetConfig,
    options: EvalOptions,
    base: Settings,
    embedder: Embedder,
    on_result: Callable[[CaseResult], Any] | None = None,
) -> dict[str, Any]:
    """Index, run every case through the pipeline, write report.json/report.md; return it."""
    settings = eval_settings(base, options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):  # a fresh answer store per run; nothing else is touched
        Path(f"{settings.store_path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    ingested = build_index(options.corpus, settings, embedder)
    depth = max(settings.retrieval.candidates, 10)
    composed = open_composed(settings, embedder, depth)
    try:
        cutoff = relevance_cutoff(c.relevant for c in cases)
        results = run_cases(
            composed, cases, cutoff, retrieval_only=options.retrieval_only, on_result=on_result
        )
    finally:
        composed.close()
    meta = {
        "dataset": options.dataset or config.name,
        "corpus": [str(p) for p in options.corpus],
        "corpus_version": ingested.corpus_version,
        "index": {
            "passages": ingested.chunks_total,
            "embedded_now": ingested.chunks_embedded,
            "ingest_errors": [str(e) for e in ingested.errors],
            "ingest_s": ingested.seconds,
        },
        "relevance_cutoff": cutoff,
        "retrieval_only": options.retrieval_only,
        "settings": {
            "index": settings.index.model_dump(mode="json"),
            "retrieval": settings.retrieval.model_dump(mode="json"),
        },
        "seconds": time.perf_counter() - started,
    }
    report = build_report(results, config, meta)
    write_report(report, options.out)
    return report
