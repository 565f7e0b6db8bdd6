"""Dense vectors in an embedded, persistent Chroma collection (telemetry off, no default model)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import FollowupError
from assistant.models import Chunk

PAGE = 5000  # rows per Chroma read/delete call


class VectorStore:
    """Chunk embeddings with the metadata needed to filter by status and by document."""

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
            raise FollowupError(f"Cannot open the vector index at {folder}: {exc}") from exc

    def count(self) -> int:
        return int(self._collection.count())

    def hashes(self) -> dict[str, str]:
        """chunk id -> content hash of everything stored.

        Read in pages: one ``get`` of ~50k rows exceeds SQLite's variable limit inside Chroma.
        """
        hashes: dict[str, str] = {}
        for offset in range(0, self.count(), PAGE):
            got = self._collection.get(include=["metadatas"], limit=PAGE, offset=offset)
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                hashes[cid] = str(meta.get("content_hash", ""))
        return hashes

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray, statuses: Sequence[str]) -> None:
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=vectors,
            metadatas=[
                {"doc_id": c.doc_id, "status": status, "content_hash": c.content_hash}
                for c, status in zip(chunks, statuses, strict=True)
            ],
        )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 5000):
            self._collection.delete(ids=list(ids[start : start + 5000]))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, cosine similarity) pairs.

        Only approved chunks are ever stored (the indexer deletes the rest), and the retriever
        checks each hit against the catalog, so no metadata filter is passed: at 40k+ passages
        Chroma's filtered search costs several times the plain HNSW query.
        """
        total = self.count()
        if total == 0:
            return []
        got = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=min(k, total),
            include=["distances"],
        )
        distances = (got["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], distances, strict=True)]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given chunk ids (missing ids are left out)."""
        if not ids:
            return {}
        got = self._collection.get(ids=list(ids), include=["embeddings"])
        embeddings = got["embeddings"]
        if embeddings is None:
            return {}
        return {
            cid: np.asarray(vec, dtype=np.float32)
            for cid, vec in zip(got["ids"], embeddings, strict=True)
        }
