"""Chunk embeddings in PostgreSQL with pgvector: an HNSW graph over cosine distance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from assistant.index.base import WriteHook
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.models import Chunk


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of a vector: ``[0.1,0.2,...]``."""
    return "[" + ",".join(map(repr, vector.astype(np.float32).tolist())) + "]"


def parse_vector(text: str) -> np.ndarray:
    """A vector from pgvector's text form."""
    return np.array(text[1:-1].split(","), dtype=np.float32)


class PgVectors:
    """The :class:`~assistant.index.base.VectorIndex` of one connection (reader or ingest)."""

    def __init__(self, conn: PgConnection, hook: WriteHook | None = None) -> None:
        self._conn = conn
        self._hook = hook or read_only
        self.dimension: int | None = None  # of the vectors written through this object
        # An ingest asks for the stored hashes once per document: its copy is read once and
        # kept up to date here (nobody else writes while it holds the writer lock).
        self._writer_hashes: dict[str, str] | None = None
        # Content hashes that may have a vector (deletes leave them: the query decides).
        self._known: set[str] = set()
        self._is_writer = hook is not None

    def count(self) -> int:
        return int(self._conn.value("SELECT count(*) FROM index_vectors"))

    def hashes(self) -> dict[str, str]:
        return dict(self._stored())

    def _stored(self) -> dict[str, str]:
        if self._writer_hashes is not None:
            return self._writer_hashes
        stored = dict(self._conn.rows("SELECT chunk_id, content_hash FROM index_vectors"))
        if self._is_writer:
            self._writer_hashes = stored
            self._known = set(stored.values())
        return stored

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        self._hook("vectors.upsert")
        self.dimension = int(vectors.shape[1])
        ids = [c.id for c in chunks]
        # Delete, then COPY: far faster than row-by-row ON CONFLICT for thousands of rows.
        self._conn.execute("DELETE FROM index_vectors WHERE chunk_id = ANY(%s)", (ids,))
        rows = [
            (c.id, c.content_hash, vector_literal(v)) for c, v in zip(chunks, vectors, strict=True)
        ]
        self._conn.copy_rows("index_vectors", ("chunk_id", "content_hash", "embedding"), rows)
        if self._writer_hashes is not None:
            self._writer_hashes.update({c.id: c.content_hash for c in chunks})
            self._known.update(c.content_hash for c in chunks)

    def missing(self, chunks: Iterable[Chunk]) -> list[Chunk]:
        """Chunks that need embedding; one whose text has a vector under another id reuses it.

        The same content hash is the same text (a chunk renumbered by an edit above it), so
        its stored vector is copied to the new id instead of being embedded again.
        """
        stored = self._stored()
        need = [c for c in chunks if stored.get(c.id) != c.content_hash]
        known = self._known if self._is_writer else set(stored.values())
        wanted = sorted({c.content_hash for c in need if c.content_hash in known})
        if not wanted:
            return need
        rows = self._conn.rows(
            "SELECT DISTINCT ON (content_hash) content_hash, embedding::text FROM index_vectors "
            "WHERE content_hash = ANY(%s)",
            (wanted,),
        )
        found = {content_hash: parse_vector(text) for content_hash, text in rows}
        reuse = [c for c in need if c.content_hash in found]
        if reuse:
            self.upsert(reuse, np.stack([found[c.content_hash] for c in reuse]))
        return [c for c in need if c.content_hash not in found]

    def delete(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            self._hook("vectors.delete")
            self._conn.execute(
                "DELETE FROM index_vectors WHERE chunk_id = ANY(%s)", (list(chunk_ids),)
            )
            if self._writer_hashes is not None:
                for cid in chunk_ids:
                    self._writer_hashes.pop(cid, None)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, cosine similarity); approximate (HNSW) once the graph is built."""
        query = vector_literal(vector)
        rows = self._conn.rows(
            "SELECT chunk_id, 1 - (embedding <=> %s::vector) FROM index_vectors "
            "ORDER BY embedding <=> %s::vector LIMIT %s",
            (query, query, k),
        )
        return [(cid, float(sim)) for cid, sim in rows]

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}
        rows = self._conn.rows(
            "SELECT chunk_id, embedding::text FROM index_vectors WHERE chunk_id = ANY(%s)",
            (list(chunk_ids),),
        )
        return {cid: parse_vector(text) for cid, text in rows}
