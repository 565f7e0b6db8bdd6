"""Incremental ingest: corpus files -> documents -> chunks -> dense + lexical indexes.

Only approved documents are indexed. Unchanged documents are neither re-chunked nor
re-embedded (content hashes); edited ones replace only their own chunks; deleted or
no-longer-approved ones disappear from every index.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from assistant.config import IndexSettings
from assistant.errors import CorpusError
from assistant.index.catalog import Catalog
from assistant.index.embedder import Embedder
from assistant.index.lexical import LexicalIndex
from assistant.index.vector_store import VectorStore
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import load_corpus
from assistant.models import APPROVED, Chunk, Document, sha256_text

T = TypeVar("T")
# Batches per encode call: sorting a window of this many batches by length cuts padding.
WINDOW_BATCHES = 16
# Chunks the producer (parsing, chunking) may run ahead of the encoder.
PRODUCER_DEPTH = 4096


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


def _chunks_for(
    doc: Document, old: Catalog, settings: IndexSettings, catalog: Catalog
) -> list[Chunk]:
    """Chunks of ``doc`` (reused from the old catalog when unchanged), added to ``catalog``."""
    doc_hash = sha256_text(doc.content_hash, f"{settings.chunk_tokens}:{settings.chunk_overlap}")
    if old.doc_hashes.get(doc.id) == doc_hash:
        chunks = old.doc_chunks(doc.id)
    else:
        chunks = chunk_document(
            doc, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap
        )
    catalog.add(doc, doc_hash, chunks)
    return chunks


def _windows(chunks: Iterable[Chunk], size: int) -> Iterator[list[Chunk]]:
    window: list[Chunk] = []
    for chunk in chunks:
        window.append(chunk)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window


def _in_background(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Iterate ``items`` in a worker thread, ``depth`` items ahead of the consumer.

    Parsing and chunking then run while the embedder (which releases the GIL) encodes. If the
    consumer stops early (an embedding error), the worker is told to stop too.
    """
    buffer: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
        except BaseException as exc:  # re-raised in the consumer's thread
            put(("error", exc))
        else:
            put(("done", None))

    threading.Thread(target=work, name="ingest-producer", daemon=True).start()
    try:
        while True:
            kind, value = buffer.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value
    finally:
        stop.set()


def _embed_and_store(
    chunks: Iterable[Chunk],
    embedder: Embedder,
    vectors: VectorStore,
    batch_size: int,
    progress: Progress,
) -> int:
    """Embed and upsert ``chunks``; returns how many were embedded.

    Chunks are encoded a window of several batches at a time, sorted by length so that each
    batch pads to similar lengths; the Chroma upsert of one window overlaps the encoding of
    the next. Upserting window by window keeps what an interrupted ingest already embedded.
    """
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        pending: Future[None] | None = None
        for window in _windows(chunks, batch_size * WINDOW_BATCHES):
            window.sort(key=lambda c: len(c.embedding_text))
            embedded = embedder.embed([c.embedding_text for c in window])
            if pending is not None:
                pending.result()
            pending = writer.submit(vectors.upsert, window, embedded, [APPROVED] * len(window))
            done += len(window)
            progress.update(len(window))
        if pending is not None:
            pending.result()
    progress.close()
    return done


def _changed(new: Catalog, old: Catalog) -> bool:
    """Whether the catalog differs from the one on disk (documents, chunks or file origins)."""
    if new.doc_hashes != old.doc_hashes or new.chunks.keys() != old.chunks.keys():
        return True
    return any(d.origin != old.documents[i].origin for i, d in new.documents.items())


def _estimate(doc: Document, old: Catalog, settings: IndexSettings) -> int:
    """Passages a document will need embedding for, known before it is chunked (progress)."""
    if doc.id in old.chunks_by_doc:
        return len(old.chunks_by_doc[doc.id])
    return max(1, len(doc.text) // (4 * settings.chunk_tokens) + 1)


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
    vectors = VectorStore(index_dir / "chroma", settings.collection)
    stored = vectors.hashes()
    catalog = Catalog()
    params = f"{settings.chunk_tokens}:{settings.chunk_overlap}"
    changed = [
        d for d in approved if old.doc_hashes.get(d.id) != sha256_text(d.content_hash, params)
    ]
    expected = sum(_estimate(d, old, settings) for d in changed)

    def to_embed() -> Iterator[Chunk]:
        # Runs in the producer thread: chunks documents while earlier windows are encoded.
        for doc in approved:
            for chunk in _chunks_for(doc, old, settings, catalog):
                if stored.get(chunk.id) != chunk.content_hash:
                    yield chunk

    bar = progress(expected) if progress and expected else _NoProgress()
    report.chunks_embedded = _embed_and_store(
        _in_background(to_embed(), depth=PRODUCER_DEPTH),
        embedder,
        vectors,
        settings.embed_batch_size,
        bar,
    )
    to_remove = [cid for cid in stored if cid not in catalog.chunks]
    vectors.delete(to_remove)

    lexical_dir = index_dir / "lexical"
    if report.chunks_embedded or to_remove or not (lexical_dir / "ids.json").exists():
        ordered = list(catalog.chunks.values())
        lexical = LexicalIndex.build([c.id for c in ordered], [c.embedding_text for c in ordered])
        lexical.save(lexical_dir)
    # An unchanged corpus leaves the catalog as it was: rewriting tens of MB of JSON would be
    # most of the cost of an unchanged re-ingest.
    if _changed(catalog, old):
        catalog.save(index_dir)

    report.chunks_total = len(catalog.chunks)
    report.chunks_removed = len(to_remove)
    report.corpus_version = catalog.corpus_version
    report.seconds = time.perf_counter() - started
    return report
