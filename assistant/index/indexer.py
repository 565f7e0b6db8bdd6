"""Incremental ingest: corpus files -> documents -> chunks -> dense + lexical indexes.

Only approved documents are indexed. Unchanged documents are neither re-chunked nor
re-embedded (content hashes); edited ones replace only their own chunks; deleted or
no-longer-approved ones disappear from every index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.config import IndexSettings
from assistant.errors import CorpusError
from assistant.index.catalog import Catalog
from assistant.index.embedder import Embedder
from assistant.index.lexical import LexicalIndex
from assistant.index.vector_store import VectorStore
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import load_corpus
from assistant.models import APPROVED, Chunk, Document, sha256_text


class Progress(Protocol):
    """Progress reporting seam: the CLI plugs a progress bar in."""

    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[int], Progress]


@dataclass
class IngestReport:
    """What one ingest did, for the summary the CLI prints and for tests."""

    indexed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (document id, status)
    errors: list[CorpusError] = field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_removed: int = 0
    corpus_version: str = ""
    seconds: float = 0.0


def _chunks_for(docs: Iterable[Document], old: Catalog, settings: IndexSettings) -> Catalog:
    catalog = Catalog()
    params = f"{settings.chunk_tokens}:{settings.chunk_overlap}"
    for doc in docs:
        doc_hash = sha256_text(doc.content_hash, params)
        if old.doc_hashes.get(doc.id) == doc_hash:
            chunks = old.doc_chunks(doc.id)
        else:
            chunks = chunk_document(
                doc, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap
            )
        catalog.add(doc, doc_hash, chunks)
    return catalog


def _embed_and_store(
    chunks: Sequence[Chunk],
    embedder: Embedder,
    vectors: VectorStore,
    batch_size: int,
    progress: Progress,
) -> None:
    # Upsert batch by batch: an interrupted ingest keeps what it already embedded.
    for start in range(0, len(chunks), batch_size):
        batch = chunks[start : start + batch_size]
        embedded = embedder.embed([c.embedding_text for c in batch])
        vectors.upsert(batch, embedded, [APPROVED] * len(batch))
        progress.update(len(batch))
    progress.close()


def ingest(
    paths: Sequence[Path],
    index_dir: Path,
    embedder: Embedder,
    settings: IndexSettings,
    progress: ProgressFactory | None = None,
) -> IngestReport:
    """Bring the indexes in ``index_dir`` in line with the approved documents under ``paths``."""
    started = time.perf_counter()
    report = IngestReport()
    loaded = load_corpus(paths)
    report.errors = loaded.errors
    approved = [d for d in loaded.documents if d.status == APPROVED]
    report.skipped = [(d.id, d.status) for d in loaded.documents if d.status != APPROVED]
    report.indexed = [d.id for d in approved]

    old = Catalog.load(index_dir) or Catalog()
    catalog = _chunks_for(approved, old, settings)
    vectors = VectorStore(index_dir / "chroma", settings.collection)
    stored = vectors.hashes()
    to_embed = [c for c in catalog.chunks.values() if stored.get(c.id) != c.content_hash]
    to_remove = [cid for cid in stored if cid not in catalog.chunks]
    vectors.delete(to_remove)
    bar = progress(len(to_embed)) if progress and to_embed else _NoProgress()
    _embed_and_store(to_embed, embedder, vectors, settings.embed_batch_size, bar)

    lexical_dir = index_dir / "lexical"
    if to_embed or to_remove or not (lexical_dir / "ids.json").exists():
        ordered = list(catalog.chunks.values())
        lexical = LexicalIndex.build([c.id for c in ordered], [c.embedding_text for c in ordered])
        lexical.save(lexical_dir)
    catalog.save(index_dir)

    report.chunks_total = len(catalog.chunks)
    report.chunks_embedded = len(to_embed)
    report.chunks_removed = len(to_remove)
    report.corpus_version = catalog.corpus_version
    report.seconds = time.perf_counter() - started
    return report
