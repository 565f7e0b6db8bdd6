"""Ingest speed beside the encoder's, in one run on the same texts (issue 13).

    python -m benchmarks.ingest_ratio [--corpus corpus] [--embedder torch|onnx]
        [--fraction 1.0] [--index-url postgresql://...] [--out benchmarks/out/ingest_ratio.json]

Reads and chunks the corpus as ingest does, then measures, in this order: the raw encode rate
of the passages alone (one bulk call), the raw encode time of every text ingest encodes
(passages, their quotable sentences, the articles' questions), a first full ingest into a
fresh index (reading, chunking, encoding, writing vectors, sentence vectors and BM25, the
switch), and an unchanged re-ingest. Prints passages/s of each and the ratios
``ingest / raw passages`` and ``ingest / raw of all texts ingest encodes``, plus the unchanged
re-ingest as a share of the first. ``--fraction`` takes a seeded share of a MedQuAD folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import IndexSettings
from assistant.index.embedder import Embedder, MiniLMEmbedder, open_embedder
from assistant.index.indexer import ingest
from assistant.index.sentences import article_questions, quotable_sentences
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import Limits, load_corpus
from assistant.models import APPROVED
from benchmarks import publish

REPO = Path(__file__).resolve().parent.parent


def texts_of(corpus: Path, settings: IndexSettings) -> dict[str, list[str]]:
    """What ingest will encode for ``corpus``: passages, sentences, article questions."""
    limits = Limits(int(settings.max_file_mb * 2**20), settings.max_document_chars)
    docs = [d for d in load_corpus([corpus], limits).documents if d.status == APPROVED]
    chunks = [
        c
        for d in docs
        for c in chunk_document(d, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    ]
    unique = list({c.content_hash: c for c in chunks}.values())
    return {
        "passages": [c.embedding_text for c in unique],
        "sentences": [s for c in unique for s in quotable_sentences(c.text)],
        "questions": [q for d in docs for q in article_questions(d)],
    }


def timed_encode(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - started


def measure(
    corpus: Path, embedder: Embedder, settings: IndexSettings, index_dir: Path
) -> dict[str, Any]:
    """One side-by-side run (see the module docstring)."""
    texts = texts_of(corpus, settings)
    embedder.embed(["warm-up"])
    raw_passages_s = timed_encode(embedder, texts["passages"])
    raw_rest_s = timed_encode(embedder, texts["sentences"] + texts["questions"])
    first = ingest([corpus], index_dir, embedder, settings, prune=True)
    again = ingest([corpus], index_dir, embedder, settings, prune=True)
    n = len(texts["passages"])
    ingest_rate = first.chunks_embedded / first.seconds
    raw_rate = n / raw_passages_s
    return {
        "passages": n,
        "sentences": len(texts["sentences"]),
        "questions": len(texts["questions"]),
        "raw_encode_passages_s": round(raw_passages_s, 2),
        "raw_encode_sentences_and_questions_s": round(raw_rest_s, 2),
        "raw_passages_per_s": round(raw_rate, 1),
        "ingest_passages_embedded": first.chunks_embedded,
        "ingest_sentences_embedded": first.sentences_embedded,
        "ingest_s": round(first.seconds, 2),
        "ingest_passages_per_s": round(ingest_rate, 1),
        "ratio_ingest_to_raw_passages": round(ingest_rate / raw_rate, 3),
        "ratio_ingest_to_raw_all_texts": round((raw_passages_s + raw_rest_s) / first.seconds, 3),
        "reingest_unchanged_s": round(again.seconds, 2),
        "reingest_embedded": again.chunks_embedded + again.sentences_embedded,
        "reingest_share_of_first": round(again.seconds / first.seconds, 4),
    }


def _corpus(args: argparse.Namespace, work: Path) -> Path:
    if args.fraction >= 1:
        return Path(args.corpus)
    from benchmarks.medquad_scale import sample_corpus

    return sample_corpus(Path(args.corpus), work, args.fraction, args.seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--embedder", choices=["torch", "onnx"], default="torch")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of MedQuAD files")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--index-url", help="write a PostgreSQL index instead of embedded")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "ingest.json")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="followup-ingest-ratio-"))
    try:
        settings = IndexSettings(embedder=args.embedder, url=args.index_url)
        embedder = MiniLMEmbedder(settings.embed_batch_size)
        if args.embedder == "onnx":
            embedder = open_embedder(settings)  # type: ignore[assignment]
        result = {"load_average": os.getloadavg(), "embedder": args.embedder}
        result |= measure(_corpus(args, work), embedder, settings, work / "index")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    publish(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
