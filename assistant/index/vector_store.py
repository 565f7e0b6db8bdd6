"""Dense vectors in an embedded, persistent Chroma collection (telemetry off, no default model).

Chroma holds one vector per *content hash*, shared by every generation of the index; each
generation keeps its own map chunk id -> content hash (``vectors.json``). An edited chunk gets a
new hash, so writing the next generation never changes a vector the serving one reads; vectors
no generation references any more are deleted after the switch (:meth:`ChromaStore.keep_only`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import UnavailableError
from assistant.models import Chunk

PAGE = 5000  # rows per Chroma read/delete call (one get of ~50k rows exceeds SQLite's limit)
VECTORS_FILE = "vectors.json"


class ChromaStore:
    """The shared Chroma collection: content hash -> vector."""

    def __init__(self, folder: Path, collection: str = "passages") -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        folder.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(
                path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
            )
            # embedding_function=None: we always pass vectors, so Chroma never loads (or
            # downloads) a model of its own.
            self._collection = self._client.get_or_create_collection(
                collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        except Exception as exc:
            raise UnavailableError(f"Cannot open the vector index at {folder}: {exc}") from exc

    def close(self) -> None:
        """Release this client's share of Chroma's system (its SQLite and HNSW files);
        Chroma stops the system when the last client on the folder closes."""
        close = getattr(self._client, "close", None)  # on Client, absent from the ClientAPI type
        if close is not None:
            close()

    def count(self) -> int:
        return int(self._collection.count())

    def keys(self) -> set[str]:
        """Every content hash that has a vector, read in pages."""
        keys: set[str] = set()
        for offset in range(0, self.count(), PAGE):
            keys.update(self._collection.get(include=[], limit=PAGE, offset=offset)["ids"])
        return keys

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        if keys:
            self._collection.upsert(ids=list(keys), embeddings=vectors)

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), PAGE):
            self._collection.delete(ids=list(keys[start : start + PAGE]))

    def keep_only(self, keys: Collection[str]) -> int:
        """Delete every vector whose hash is not in ``keys``; returns how many went."""
        garbage = sorted(self.keys() - set(keys))
        self.delete(garbage)
        return len(garbage)

    def query(
        self, vector: np.ndarray, n: int, total: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``n`` nearest vectors; ``total`` is the collection's count when the caller has
        it (counting 50k rows costs as much as the query itself)."""
        total = self.count() if total is None else total
        if total == 0 or n <= 0:
            return []
        got = self._collection.query(
            query_embeddings=vector.reshape(1, -1), n_results=min(n, total), include=["distances"]
        )
        distances = (got["distances"] or [[]])[0]
        return [(key, 1.0 - float(d)) for key, d in zip(got["ids"][0], distances, strict=True)]

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if not keys:
            return {}
        got = self._collection.get(ids=list(keys), include=["embeddings"])
        embeddings: Any = got["embeddings"]
        if embeddings is None:
            return {}
        return {
            key: np.asarray(vec, dtype=np.float32)
            for key, vec in zip(got["ids"], embeddings, strict=True)
        }


class ChromaVectors:
    """One generation's vectors: its chunk id -> hash map over the shared :class:`ChromaStore`.

    Implements ``VectorIndex``. ``delete`` only drops ids from this generation's map; the
    vectors themselves go in the garbage collection after the switch.
    """

    def __init__(
        self, store: ChromaStore, hashes: dict[str, str], stored: set[str] | None = None
    ) -> None:
        self._store = store
        self._hashes = hashes
        self._by_hash: dict[str, list[str]] | None = None
        self._stored = stored  # Chroma's keys (read on first use by missing() when None)

    def count(self) -> int:
        return len(self._hashes)

    def hashes(self) -> dict[str, str]:
        return dict(self._hashes)

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        # Vectors are keyed by content hash: passages repeated word for word (MedQuAD has
        # thousands) are stored once, or Chroma refuses the batch.
        first = {c.content_hash: row for row, c in reversed(list(enumerate(chunks)))}
        self._store.put(list(first), vectors[list(first.values())])
        self._hashes.update({c.id: c.content_hash for c in chunks})
        if self._stored is not None:
            self._stored.update(c.content_hash for c in chunks)
        self._by_hash = None

    def missing(self, chunks: Iterable[Chunk]) -> list[Chunk]:
        """Chunks that need embedding; one whose content hash has a stored vector is linked.

        A stored vector of the same content hash is the same text's vector (from an earlier
        generation, or an ingest that crashed before its switch), so it is reused.
        """
        if self._stored is None:
            self._stored = self._store.keys()
        need = []
        for chunk in chunks:
            if self._hashes.get(chunk.id) == chunk.content_hash:
                continue
            if chunk.content_hash in self._stored:
                self._hashes[chunk.id] = chunk.content_hash
                self._by_hash = None
            else:
                need.append(chunk)
        return need

    def delete(self, chunk_ids: Sequence[str]) -> None:
        for cid in chunk_ids:
            self._hashes.pop(cid, None)
        self._by_hash = None

    def _chunk_ids_by_hash(self) -> dict[str, list[str]]:
        if self._by_hash is None:
            self._by_hash = {}
            for cid, key in self._hashes.items():
                self._by_hash.setdefault(key, []).append(cid)
        return self._by_hash

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        by_hash = self._chunk_ids_by_hash()
        total = self._store.count()
        # Vectors of other generations share the collection: widen the query until k of this
        # generation's chunks are among the results (one query when there are few others).
        n = k + min(total - len(by_hash), k) if total > len(by_hash) else k
        while True:
            hits = [
                (cid, sim)
                for key, sim in self._store.query(vector, n, total)
                for cid in by_hash.get(key, [])
            ]
            if len(hits) >= k or n >= total:
                return hits[:k]
            n *= 4

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = {cid: self._hashes[cid] for cid in chunk_ids if cid in self._hashes}
        got = self._store.get(sorted(set(wanted.values())))
        return {cid: got[key] for cid, key in wanted.items() if key in got}

    def save(self, folder: Path) -> None:
        """Write this generation's map (the caller switches generations atomically)."""
        (folder / VECTORS_FILE).write_text(json.dumps(self._hashes), encoding="utf-8")

    @staticmethod
    def load_map(folder: Path) -> dict[str, str]:
        try:
            raw = json.loads((folder / VECTORS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UnavailableError(f"The vector map in {folder} is unreadable: {exc}") from exc
        if not isinstance(raw, dict):
            raise UnavailableError(f"The vector map in {folder} is not a JSON object")
        return {str(k): str(v) for k, v in raw.items()}
