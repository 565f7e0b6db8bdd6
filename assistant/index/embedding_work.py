"""What an ingest embeds, and how: passages without a stored vector, sentence groups and
article questions without stored vectors, encoded a window of several batches at a time
while a producer thread parses and chunks ahead and a writer thread stores the last window.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from assistant.index.base import IndexTransaction
from assistant.index.embedder import Embedder
from assistant.index.progress import Progress
from assistant.index.sentences import (
    article_questions,
    question_key,
    quotable_sentences,
    sentence_key,
)
from assistant.models import Chunk

T = TypeVar("T")
# Batches per encode call: sorting a window of this many batches by length cuts padding.
WINDOW_BATCHES = 16
# Chunks the producer (parsing, chunking) may run ahead of the encoder.
PRODUCER_DEPTH = 4096


def _windows(chunks: Iterable[T], size: int) -> Iterator[list[T]]:
    window: list[T] = []
    for chunk in chunks:
        window.append(chunk)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window


def in_background(items: Iterable[T], depth: int = 4) -> Iterator[T]:
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


@dataclass(frozen=True)
class Work:
    """One chunk to embed for: its own vector, its sentences' group, or both."""

    chunk: Chunk
    vector: bool  # the passage has no stored vector for its text
    sentences: list[str] | None  # its quotable sentences when their group is missing


def work_for(chunks: Sequence[Chunk], tx: IndexTransaction) -> Iterator[Work]:
    """What ``chunks`` still need embedded in ``tx`` (stored vectors and groups are reused)."""
    need = {c.id for c in tx.vectors.missing(chunks)}
    keys = set(tx.sentences.missing(sentence_key(c) for c in chunks))
    for chunk in chunks:
        key = sentence_key(chunk)
        if chunk.id in need or key in keys:
            texts = quotable_sentences(chunk.text) if key in keys else None
            yield Work(chunk, chunk.id in need, texts)


def _encode(window: list[Work], embedder: Embedder) -> tuple[list[Chunk], Any, dict[str, Any]]:
    """One encode call for a window: passage vectors, and each missing sentence group."""
    passages = [w.chunk for w in window if w.vector]
    texts = [c.embedding_text for c in passages]
    spans: dict[str, tuple[int, int]] = {}
    for w in window:
        if w.sentences is not None:
            spans[sentence_key(w.chunk)] = (len(texts), len(texts) + len(w.sentences))
            texts.extend(w.sentences)
    encoded = embedder.embed(texts)
    groups = {key: encoded[a:b] for key, (a, b) in spans.items()}
    return passages, encoded[: len(passages)], groups


def embed_and_store(
    work: Iterable[Work],
    embedder: Embedder,
    tx: IndexTransaction,
    batch_size: int,
    progress: Progress,
) -> tuple[int, int]:
    """Embed and store what ``work`` needs; returns (passages, sentences) embedded.

    Work is encoded a window of several batches at a time (the embedder sorts each window by
    length, so batches pad little); the writes of one window overlap the encoding of the
    next. Writing window by window keeps what an interrupted ingest already embedded (the next
    ingest finds those vectors by content hash).
    """
    passages = sentences = 0

    def store(chunks: list[Chunk], vectors: Any, groups: dict[str, Any]) -> None:
        if chunks:
            tx.vectors.upsert(chunks, vectors)
        tx.sentences.put(groups)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        pending: Future[None] | None = None
        for window in _windows(work, batch_size * WINDOW_BATCHES):
            chunks, vectors, groups = _encode(window, embedder)
            if pending is not None:
                pending.result()
            pending = writer.submit(store, chunks, vectors, groups)
            passages += len(chunks)
            sentences += sum(len(g) for g in groups.values())
            progress.update(len(window))
        if pending is not None:
            pending.result()
    progress.close()
    return passages, sentences


def embed_questions(tx: IndexTransaction, embedder: Embedder) -> int:
    """Store the vectors of the approved articles' questions (related-question suggestions)."""
    groups = {}
    for doc in tx.catalog.articles():
        questions = article_questions(doc)
        if questions:
            groups[question_key(questions)] = questions
    need = tx.sentences.missing(groups)
    if need:
        encoded = embedder.embed([q for key in need for q in groups[key]])
        cut = np.cumsum([0, *(len(groups[key]) for key in need)])
        tx.sentences.put({key: encoded[cut[i] : cut[i + 1]] for i, key in enumerate(need)})
    return sum(len(groups[key]) for key in need)
