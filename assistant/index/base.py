"""The index seam: what every index backend (embedded Chroma + bm25s, PostgreSQL) provides.

An index is three parts that must always agree: the **catalog** (indexed documents and their
chunks), the **vectors** (one embedding per chunk, keyed by chunk id, tagged with the chunk's
content hash) and the **lexical** index (BM25 or full-text over the chunk texts); beside them,
the **sentences** hold vectors computed at ingest so that answering embeds only the question
(each passage's quotable sentences, each article's questions). Readers see one
consistent *generation* of all three through :class:`Index`.

Writing happens only inside an :class:`IndexTransaction` (``Index.begin()``): everything written
there is invisible to readers until ``commit()``, which switches readers to the new generation
atomically; a crash or ``abort()`` at any point leaves the previous generation serving.
PostgreSQL: one SQL transaction. Embedded: a new generation folder built beside the old one and
switched by an atomic rename of a pointer file; vectors are stored by content hash, so the old
generation's vectors are never overwritten, and unreferenced ones are removed after the switch.

Backends call the transaction's :data:`WriteHook` before each write step, so a test can kill
the process at every one of them (crash injection) without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.models import Chunk, Document

# Called with a step name ("vectors.upsert", "lexical.write", "switch", ...) before each write.
WriteHook = Callable[[str], None]


def no_hook(step: str) -> None:
    """The default :data:`WriteHook`: does nothing."""


@runtime_checkable
class Catalog(Protocol):
    """Read API of what one generation indexed. Every document in it is approved."""

    @property
    def corpus_version(self) -> str:
        """Hash of every indexed chunk: two indexes answer alike iff their versions match."""
        ...

    def document(self, doc_id: str) -> Document | None:
        """An indexed document (article or source) by id."""
        ...

    def documents(self) -> list[Document]:
        """Every indexed document, in ingest order."""
        ...

    def article(self, doc_id: str) -> Document | None:
        """An indexed *article* by id (None for an unknown id or a source)."""
        ...

    def articles(self) -> list[Document]:
        """Every indexed article, in ingest order."""
        ...

    def chunk(self, chunk_id: str) -> Chunk | None:
        """One chunk by id."""
        ...

    def chunks(self) -> list[Chunk]:
        """Every chunk, documents in ingest order, chunks in document order."""
        ...

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document, in order ([] when unknown)."""
        ...

    def doc_hash(self, doc_id: str) -> str | None:
        """The hash ingest stored for a document (content + chunking parameters)."""
        ...

    def snapshot(self) -> Catalog:
        """The generation served now, unchanging however often this catalog reloads: one
        request reads everything (and its corpus version) from one snapshot."""
        ...


class CatalogWriter(Catalog, Protocol):
    """The catalog of a generation being built (inside a transaction)."""

    def put(self, doc: Document, doc_hash: str, chunks: Sequence[Chunk]) -> None:
        """Add or replace a document with its chunks."""
        ...

    def remove(self, doc_id: str) -> None:
        """Drop a document and its chunks (no-op when unknown)."""
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """One L2-normalised vector per chunk id, tagged with the chunk's content hash."""

    def count(self) -> int:
        """Chunks that have a vector."""
        ...

    def hashes(self) -> dict[str, str]:
        """chunk id -> content hash of every stored vector (ingest skips unchanged chunks)."""
        ...

    def missing(self, chunks: Iterable[Chunk]) -> list[Chunk]:
        """The chunks that need embedding: those without a vector for their content hash.

        A chunk whose content hash already has a stored vector (same text) is given that
        vector here instead of being embedded again.
        """
        ...

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Store ``vectors[i]`` for ``chunks[i]`` (replacing any vector of that chunk id)."""
        ...

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Forget the vectors of these chunk ids (unknown ids are ignored)."""
        ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, cosine similarity) pairs, best first."""
        ...

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these chunk ids (missing ids are left out)."""
        ...


@runtime_checkable
class SentenceVectors(Protocol):
    """Vectors embedded at ingest besides the passages' own, stored as *groups* (key -> matrix).

    A passage's group holds the vectors of its quotable sentences, an article's group those of
    its questions (keys and texts: assistant.index.sentences). A key's texts never change, so
    a group is written once; groups no generation needs are dropped after a commit.
    """

    def count(self) -> int:
        """Groups stored."""
        ...

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys that have no stored group (in the order given)."""
        ...

    def put(self, groups: Mapping[str, np.ndarray]) -> None:
        """Store each key's (n, dim) matrix (n may be 0)."""
        ...

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored groups of these keys (unknown keys are left out)."""
        ...


@runtime_checkable
class LexicalIndex(Protocol):
    """Keyword search over chunk texts (BM25, or PostgreSQL full-text)."""

    def count(self) -> int:
        """Chunks indexed."""
        ...

    def replace(self, items: Iterable[tuple[str, str]]) -> None:
        """Index exactly these (chunk id, text) pairs, dropping everything else."""
        ...

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, score) pairs with a positive score, best first."""
        ...

    def knows(self, word: str) -> bool:
        """Whether ``word`` (as the index normalises it) occurs in any indexed chunk."""
        ...


class IndexTransaction(Protocol):
    """One ingest: a new generation of catalog, vectors and lexical, switched in at commit.

    Starts as a copy of the serving generation (so unchanged chunks keep their vectors).
    Use as a context manager: leaving the block without ``commit()`` aborts.
    """

    @property
    def catalog(self) -> CatalogWriter: ...

    @property
    def vectors(self) -> VectorIndex: ...

    @property
    def lexical(self) -> LexicalIndex: ...

    @property
    def sentences(self) -> SentenceVectors: ...

    def commit(self) -> None:
        """Make this generation the one readers see, atomically; then drop what it replaced."""
        ...

    def abort(self) -> None:
        """Discard everything written; the serving generation is untouched."""
        ...

    def __enter__(self) -> IndexTransaction: ...

    def __exit__(self, *exc_info: object) -> None: ...


class Index(Protocol):
    """One serving generation of an index backend, plus the way to write the next one."""

    @property
    def catalog(self) -> Catalog: ...

    @property
    def vectors(self) -> VectorIndex: ...

    @property
    def lexical(self) -> LexicalIndex: ...

    @property
    def sentences(self) -> SentenceVectors: ...

    def begin(self, hook: WriteHook = no_hook) -> IndexTransaction:
        """Start writing the next generation (one writer at a time; others wait or fail)."""
        ...

    def problems(self) -> list[str]:
        """Ways catalog, vectors and lexical disagree in the serving generation ([] = healthy)."""
        ...

    def close(self) -> None:
        """Release connections and file handles."""
        ...
