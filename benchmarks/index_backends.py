"""The two index backends side by side: embedded (Chroma + bm25s) and PostgreSQL (pgvector).

    python -m benchmarks.index_backends gates [--datasets conversations,medquad-ci]
    python -m benchmarks.index_backends scale [--fraction 0.1 --seed 5] [--pg-url URL]
    python -m benchmarks.index_backends pg-start|pg-stop --pg-dir DIR

Every passage is embedded ONCE (a memoising embedder) and the same vectors are written to both
backends, so the figures compare the backends, not two embedding runs on a shared machine.

``gates`` runs eval datasets through ``evals.session.run_eval`` (exactly as ``followup eval``)
on each backend and prints every gated metric of both with the difference.
``scale`` indexes a seeded share of MedQuAD's files (all with ``--fraction 1``) into both and
reports the write-side ingest rate, the unchanged re-ingest time, retrieval p50/p95 (the
whole search, and the backend's own part: dense + lexical + fusion), nDCG@10 on every question
of the indexed files, and disk size. Each run writes into a fresh schema of ``--pg-url`` (printed
as ``pg_index_url``, kept for later benchmarks) or of a throw-away PostgreSQL 16 + pgvector
server started from the ``pgserver`` wheel. ``pg-start`` starts a pgserver that outlives the
command (and prints its URL) for runs whose index must stay; ``pg-stop`` stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import IndexSettings, Settings
from assistant.index.embedder import Embedder, open_embedder
from assistant.index.factory import open_index
from assistant.index.indexer import ingest
from assistant.index.retriever import Retriever
from benchmarks import publish
from benchmarks.medquad_scale import dir_size_mb, sample_corpus
from evals.builders import MEDQUAD, medquad_case, medquad_files, medquad_pairs
from evals.metrics import latency_summary, mean
from evals.scoring import score_retrieval

REPO = Path(__file__).resolve().parent.parent
BACKENDS = ("embedded", "postgres")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class MemoEmbedder:
    """A real embedder that never encodes the same text twice (passages, questions, sentences)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self._memo: dict[str, np.ndarray] = {}
        self.encoded = 0  # texts actually encoded
        self.encode_s = 0.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            started = time.perf_counter()
            for text, vector in zip(todo, self.inner.embed(todo), strict=True):
                self._memo[text] = vector
            self.encode_s += time.perf_counter() - started
            self.encoded += len(todo)
        if not texts:
            return self.inner.embed([])
        return np.stack([self._memo[t] for t in texts])

    def count_wordpieces(self, text: str) -> int:
        return self.inner.count_wordpieces(text)

    def save(self, folder: Path, figures: dict[str, Any]) -> None:
        """Keep the vectors (and the embedding run's figures) so a crash later loses no hour."""
        folder.mkdir(parents=True, exist_ok=True)
        texts = list(self._memo)
        np.save(folder / "vectors.npy", np.stack([self._memo[t] for t in texts]))
        (folder / "texts.json").write_text(json.dumps({"texts": texts, "figures": figures}))

    def load(self, folder: Path) -> dict[str, Any] | None:
        """The embedding run's figures from :meth:`save`, its vectors memoised; None if absent."""
        if not (folder / "texts.json").exists():
            return None
        saved = json.loads((folder / "texts.json").read_text())
        self._memo.update(zip(saved["texts"], np.load(folder / "vectors.npy"), strict=True))
        return dict(saved["figures"], reused_from=str(folder))


@contextlib.contextmanager
def postgres_url(given: str | None, folder: Path) -> Iterator[str]:
    """A fresh schema in ``given``, or in a throw-away pgserver database, for the run."""
    from tests.support.pg_index import fresh_schema, pgvector_server

    if given:
        yield fresh_schema(given, "bench")
        return
    with pgvector_server() as url:
        yield fresh_schema(url, "bench")


def kept_server(folder: Path, stop: bool) -> str:
    """Start (or find running) a pgserver PostgreSQL + pgvector in ``folder`` that outlives this
    process, for indexes that later benchmarks serve (load_chat); ``stop`` stops it."""
    import warnings

    with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": harmless here
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(folder, cleanup_mode="stop" if stop else None)
    if not stop:
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    return str(server.get_uri())


def settings_for(backend: str, folder: Path, pg_url: str) -> Settings:
    index = IndexSettings(path=folder / "index", url=pg_url if backend == "postgres" else None)
    return Settings(data_dir=folder / "data", index=index)


# -- gates -------------------------------------------------------------------------------
def compare_gates(names: Sequence[str], out: Path, pg_url: str, embedder: Embedder) -> dict:
    """Each dataset's report metrics on both backends, and the largest difference."""
    from evals.build import build
    from evals.cases import load_cases
    from evals.report import flatten
    from evals.session import EvalOptions, run_eval

    results: dict[str, Any] = {}
    for name in names:
        built = build(name, out / "datasets")
        cases = load_cases(built.cases)
        figures = {}
        for backend in BACKENDS:
            log(f"{name}: {len(cases)} cases on {backend}")
            options = EvalOptions(
                corpus=built.corpus,
                out=out / name / backend,
                dataset=name,
                retrieval_only=built.config.retrieval_only,
            )
            base = settings_for(backend, out / name / backend, pg_url)
            report = run_eval(cases, built.config, options, base, embedder)
            figures[backend] = {k: v for k, v in flatten(report).items() if v is not None}
            figures[backend]["errors"] = report["errors"]
        results[name] = _side_by_side(figures)
        log(json.dumps(results[name]["largest_quality_difference"]))
    return results


def _side_by_side(figures: dict[str, dict[str, float]]) -> dict[str, Any]:
    a, b = (figures[k] for k in BACKENDS)
    quality = {k: (a[k], b[k], b[k] - a[k]) for k in a if k in b and "ms" not in k}
    worst = max(quality.items(), key=lambda kv: abs(kv[1][2]), default=("", (0, 0, 0)))
    return {
        "metrics": {
            k: dict(zip((*BACKENDS, "difference"), v, strict=True)) for k, v in quality.items()
        },
        "largest_quality_difference": {"metric": worst[0], "difference": worst[1][2]},
    }


# -- scale -------------------------------------------------------------------------------
def embed_passages_once(corpus: Path, embedder: MemoEmbedder, settings: IndexSettings) -> dict:
    """Chunk the corpus as ingest does and encode every passage (the one embedding run)."""
    from assistant.index.sentences import quotable_sentences
    from assistant.ingest.chunking import chunk_document

    docs = list(medquad_pairs(medquad_files(corpus)))
    chunks = [
        c
        for d in docs
        for c in chunk_document(d, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    ]
    # Ingest embeds passages and their quotable sentences: both come from this one run.
    texts = [c.embedding_text for c in chunks]
    sentences = [s for c in chunks for s in quotable_sentences(c.text)]
    embedder.inner.embed(["warm-up"])
    started = time.perf_counter()
    for start in range(0, len(texts), 1024):
        embedder.embed(texts[start : start + 1024])
        log(f"  embedded {min(start + 1024, len(texts))}/{len(texts)} passages")
    seconds = time.perf_counter() - started
    for start in range(0, len(sentences), 2048):
        embedder.embed(sentences[start : start + 2048])
        log(f"  embedded {min(start + 2048, len(sentences))}/{len(sentences)} sentences")
    return {
        "passages": len(texts),
        "seconds": seconds,
        "passages_per_s": len(texts) / seconds,
        "sentences": len(sentences),
        "all_texts_s": time.perf_counter() - started,
    }


def measure_backend(
    backend: str,
    corpus: Path,
    out: Path,
    pg_url: str,
    embedder: MemoEmbedder,
    questions: list[dict[str, Any]],
    n_latency: int,
    n_quality: int,
) -> dict[str, Any]:
    """Ingest (vectors from the memo), re-ingest unchanged, latency, quality, size."""
    settings = settings_for(backend, out / backend, pg_url)
    encoded = embedder.encoded
    log(f"{backend}: ingest")
    first = ingest([corpus], settings.index_dir, embedder, settings.index, prune=True)
    assert embedder.encoded == encoded, "every passage vector must come from the one embedding run"
    log(f"{backend}: unchanged re-ingest")
    again = ingest([corpus], settings.index_dir, embedder, settings.index, prune=True)
    index = open_index(settings.index, settings.index_dir)
    retriever = Retriever.over(index, embedder, settings.retrieval)
    result = {
        "passages": first.chunks_total,
        "ingest_s": first.seconds,
        "ingest_write_passages_per_s": first.chunks_total / first.seconds,
        "reingest_unchanged_s": again.seconds,
        "reingest_embedded": again.chunks_embedded,
        "latency_ms": _latency(retriever, questions, n_latency),
        "quality": _quality(retriever, _sample(questions, n_quality)),
        "disk_mb": _disk_mb(backend, index, settings),
    }
    index.close()
    return result


def _latency(retriever: Retriever, questions: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Search timings; query vectors come from the memo, so this is the backends' own time."""
    whole: list[float] = []
    backend: list[float] = []
    for case in _sample(questions, n):
        started = time.perf_counter()
        found = retriever.search(case["question"])
        whole.append((time.perf_counter() - started) * 1000)
        backend.append(sum(found.timings_ms[k] for k in ("dense", "lexical", "fuse")))
    return latency_summary({"search": whole, "dense_lexical_fuse": backend})


def _sample(questions: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """A seeded sample of ``n`` questions (all of them when ``n`` is 0 or larger than the set)."""
    if n <= 0 or n >= len(questions):
        return questions
    return random.Random(11).sample(questions, n)


def _quality(retriever: Retriever, questions: list[dict[str, Any]]) -> dict[str, Any]:
    depth = retriever.settings.candidates
    scores: dict[str, dict[str, list[float]]] = {}
    for case in questions:
        found = retriever.search(case["question"], k=depth)
        for variant, values in score_retrieval(
            found, retriever.catalog, case["relevant"], 1
        ).items():
            for metric, value in values.items():
                scores.setdefault(variant, {}).setdefault(metric, []).append(value)
    return {v: {m: mean(vals) for m, vals in ms.items()} for v, ms in scores.items()}


def _disk_mb(backend: str, index: Any, settings: Settings) -> float:
    if backend == "postgres":
        return float(index.size_bytes()) / 2**20
    return dir_size_mb(settings.index_dir)


def scale(args: argparse.Namespace, pg_url: str, embedder: MemoEmbedder) -> dict[str, Any]:
    out = args.out / "scale"
    for backend in BACKENDS:
        shutil.rmtree(out / backend, ignore_errors=True)
    corpus = sample_corpus(args.data, out, args.fraction, args.seed)
    questions = [medquad_case(d) for d in medquad_pairs(medquad_files(corpus))]
    results: dict[str, Any] = {"fraction": args.fraction, "seed": args.seed}
    saved = out / f"vectors-{args.fraction}-{args.seed}"
    reused = embedder.load(saved) if args.reuse_vectors else None
    if reused is None:
        log(f"embedding every passage once ({len(questions)} questions' files)")
        reused = embed_passages_once(corpus, embedder, IndexSettings())
        embedder.embed([q["question"] for q in questions])  # query vectors, shared as well
        embedder.save(saved, reused)
    results["embedding"] = reused
    results["pg_index_url"] = pg_url  # the PostgreSQL index stays for later benchmarks
    log(json.dumps(results["embedding"]))
    results["questions"] = len(questions)
    for backend in BACKENDS:
        results[backend] = measure_backend(
            backend,
            corpus,
            out,
            pg_url,
            embedder,
            questions,
            args.latency_sample,
            args.quality_sample,
        )
        log(json.dumps(results[backend]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["gates", "scale", "pg-start", "pg-stop"])
    parser.add_argument(
        "--pg-dir", type=Path, help="pg-start/pg-stop: the kept server's data folder"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "backends")
    parser.add_argument("--pg-url", help="a PostgreSQL database with pgvector (default: pgserver)")
    parser.add_argument("--datasets", default="conversations,medquad-ci")
    parser.add_argument("--data", type=Path, default=MEDQUAD, help="MedQuAD folder")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of files to index")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--latency-sample", type=int, default=300)
    parser.add_argument(
        "--quality-sample", type=int, default=0, help="questions scored for nDCG (0: all)"
    )
    parser.add_argument(
        "--reuse-vectors",
        action="store_true",
        help="take the vectors a previous scale run of the same share saved (after a crash)",
    )
    args = parser.parse_args(argv)
    if args.what.startswith("pg-"):
        if args.pg_dir is None:
            parser.error("pg-start and pg-stop need --pg-dir")
        print(kept_server(args.pg_dir, stop=args.what == "pg-stop"))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    embedder = MemoEmbedder(open_embedder(IndexSettings()))  # what ingest and serving use
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    results["uptime_at_start"] = load
    with postgres_url(args.pg_url, args.out) as url:
        if args.what == "gates":
            results["gates"] = compare_gates(args.datasets.split(","), args.out, url, embedder)
        else:
            results["scale"] = scale(args, url, embedder)
    results["uptime_at_end"] = subprocess.run(
        ["uptime"], capture_output=True, text=True
    ).stdout.strip()
    path = args.out / f"{args.what}.json"
    publish(results, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
