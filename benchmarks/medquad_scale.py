"""Scale benchmark: ingest all of MedQuAD, then measure retrieval quality and speed at that size.

    python -m benchmarks.medquad_scale [--out benchmarks/out/medquad] [--keep-index]

Prints and writes (``results.json``): ingest passages/s beside the raw encode rate of the
embedding model on a sample of the same passages, the unchanged re-ingest time, index size on
disk, peak memory, nDCG@10/MRR@10/Recall@10/P@5 of BM25 alone, dense alone and the fused
pipeline on every MedQuAD question, and retrieval / extractive-answer p50/p95.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from assistant.compose import compose
from assistant.config import IndexSettings, Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.index.lexical import Bm25Index
from assistant.index.retriever import Retriever
from assistant.ingest.chunking import chunk_document
from assistant.pipeline import Ask, answer
from evals.builders import MEDQUAD, medquad_case, medquad_files, medquad_pairs
from evals.embedding import CachedQueryEmbedder
from evals.metrics import latency_summary, mean, retrieval_scores, source_ranking
from evals.scoring import VARIANTS, score_retrieval

REPO = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def dir_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def raw_encode_rate(embedder: MiniLMEmbedder, texts: list[str]) -> float:
    """Passages/s of one bulk encode call: the model's ceiling on this machine."""
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def sample_passages(root: Path, n: int) -> list[str]:
    """Embedding texts of ``n`` passages of randomly chosen MedQuAD pairs, as ingest cuts them."""
    settings = IndexSettings()
    docs = random.Random(7).sample(list(medquad_pairs(medquad_files(root))), n)
    texts = [
        c.embedding_text
        for d in docs
        for c in chunk_document(d, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    ]
    return random.Random(7).sample(texts, min(n, len(texts)))


def measure_ingest(
    root: Path, index_dir: Path, embedder: MiniLMEmbedder, n_raw: int
) -> dict[str, Any]:
    settings = IndexSettings(path=index_dir)
    embedder.embed(["warm-up"])
    sample = sample_passages(root, n_raw)
    # The machine is shared: the raw rate is measured just before and just after the ingest.
    log(f"raw encode rate on {len(sample)} of the same passages (before)")
    raw_before = raw_encode_rate(embedder, sample)
    log("ingest (first)")
    first = ingest([root], index_dir, embedder, settings)
    log(f"  {first.chunks_embedded} passages embedded in {first.seconds:.1f}s")
    log("raw encode rate (after)")
    raw_after = raw_encode_rate(embedder, sample)
    log("ingest (unchanged)")
    again = ingest([root], index_dir, embedder, settings)
    pipeline_rate = first.chunks_embedded / first.seconds
    raw = (raw_before + raw_after) / 2
    return {
        "documents": len(first.indexed),
        "errors": len(first.errors),
        "passages": first.chunks_total,
        "first_ingest_s": first.seconds,
        "pipeline_passages_per_s": pipeline_rate,
        "raw_encode_passages_per_s": raw,
        "raw_encode_before_after": [raw_before, raw_after],
        "ingest_ratio": pipeline_rate / raw,
        "reingest_unchanged_s": again.seconds,
        "reingest_embedded": again.chunks_embedded,
        "reingest_share_of_first": again.seconds / first.seconds,
        "index_size_mb": dir_size_mb(index_dir),
    }


def measure_quality(
    root: Path, index_dir: Path, embedder: MiniLMEmbedder, rankings_file: Path
) -> dict[str, Any]:
    cases = [medquad_case(d) for d in medquad_pairs(medquad_files(root))]
    cached = CachedQueryEmbedder(embedder)
    log(f"encoding {len(cases)} questions in batches")
    cached.precompute([c["question"] for c in cases])
    settings = Settings()
    retriever = Retriever.open(index_dir, cached, settings.retrieval, IndexSettings(path=index_dir))
    depth = settings.retrieval.candidates
    scores: dict[str, dict[str, list[float]]] = {v: {} for v in VARIANTS}
    log("searching every question")
    # Component rankings are kept so fusion settings can be studied offline on this very run.
    saved = rankings_file.open("w", encoding="utf-8")
    for case in cases:
        retrieval = retriever.search(case["question"], k=depth)
        saved.write(json.dumps({"id": case["id"], **retrieval.rankings}) + "\n")
        for variant, values in score_retrieval(
            retrieval, retriever.catalog, case["relevant"], 1
        ).items():
            for metric, value in values.items():
                scores[variant].setdefault(metric, []).append(value)
    saved.close()
    return {
        "cases": len(cases),
        **{v: {m: mean(vals) for m, vals in ms.items()} for v, ms in scores.items()},
    }


def measure_latency(
    root: Path, index_dir: Path, out: Path, embedder: MiniLMEmbedder, n_search: int, n_answer: int
) -> dict[str, Any]:
    questions = [d.metadata["question"] for d in medquad_pairs(medquad_files(root))]
    rng = random.Random(11)
    settings = Settings(data_dir=out / "data", index=IndexSettings(path=index_dir))
    composed = compose(settings, embedder=embedder)
    search_ms: list[float] = []
    for q in rng.sample(questions, min(n_search, len(questions))):
        started = time.perf_counter()
        composed.retriever.search(q)
        search_ms.append((time.perf_counter() - started) * 1000)
    answer_ms: list[float] = []
    generate_ms: list[float] = []
    for q in rng.sample(questions, min(n_answer, len(questions))):
        started = time.perf_counter()
        record = answer(composed.pipeline, Ask(q))
        answer_ms.append((time.perf_counter() - started) * 1000)
        generate_ms.append(record.timings_ms.get("generate", 0.0))
    composed.close()
    return latency_summary(
        {"retrieval": search_ms, "answer_total": answer_ms, "answer_generate": generate_ms}
    )


def measure_bm25_full(root: Path) -> dict[str, Any]:
    """BM25 alone over every MedQuAD passage and question (no embeddings needed)."""
    settings = IndexSettings()
    docs = list(medquad_pairs(medquad_files(root)))
    chunks = [
        c
        for d in docs
        for c in chunk_document(d, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    ]
    lexical = Bm25Index.build([c.id for c in chunks], [c.embedding_text for c in chunks])
    owner = {c.id: c.doc_id for c in chunks}
    scores: dict[str, list[float]] = {}
    depth = Settings().retrieval.candidates
    for doc in docs:
        ranking = source_ranking(
            owner[c] for c, _ in lexical.search(doc.metadata["question"], depth)
        )
        for metric, value in retrieval_scores(ranking, {doc.id: 1}, 1).items():
            scores.setdefault(metric, []).append(value)
    return {
        "cases": len(docs),
        "passages": len(chunks),
        "bm25": {m: mean(v) for m, v in scores.items()},
    }


def sample_corpus(root: Path, out: Path, fraction: float, seed: int) -> Path:
    """A folder of links to a seeded sample of MedQuAD files (the whole set when fraction=1)."""
    if fraction >= 1:
        return root
    files = medquad_files(root)
    chosen = random.Random(seed).sample(files, round(len(files) * fraction))
    folder = out / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    for f in chosen:
        link = folder / f.parent.name / f.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "medquad")
    parser.add_argument("--data", type=Path, default=MEDQUAD, help="MedQuAD folder")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of files to index")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep-index", action="store_true", help="reuse an existing index")
    parser.add_argument("--raw-sample", type=int, default=1024)
    parser.add_argument("--search-sample", type=int, default=300)
    parser.add_argument("--answer-sample", type=int, default=60)
    args = parser.parse_args(argv)
    index_dir = args.out / "index"
    if index_dir.exists() and not args.keep_index:
        shutil.rmtree(index_dir)
    shutil.rmtree(args.out / "data", ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    embedder = MiniLMEmbedder()
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    log("BM25 alone on every MedQuAD passage and question")
    results["bm25_full"] = measure_bm25_full(args.data)
    log(json.dumps(results["bm25_full"], indent=2))
    results["fraction"], results["seed"] = args.fraction, args.seed
    args.data = sample_corpus(args.data, args.out, args.fraction, args.seed)
    results["ingest"] = measure_ingest(args.data, index_dir, embedder, args.raw_sample)
    log(json.dumps(results["ingest"], indent=2))
    results["quality"] = measure_quality(
        args.data, index_dir, embedder, args.out / "rankings.jsonl"
    )
    log(json.dumps(results["quality"], indent=2))
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    results["latency_ms"] = measure_latency(
        args.data, index_dir, args.out, embedder, args.search_sample, args.answer_sample
    )
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
