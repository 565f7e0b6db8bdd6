"""Hybrid retrieval: dense (Chroma) and BM25 results fused by reciprocal rank."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import IndexSettings, RetrievalSettings
from assistant.index.base import Catalog, Index, LexicalIndex, SentenceVectors, VectorIndex
from assistant.index.embedder import Embedder
from assistant.index.factory import open_index
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.index.query import focus_query
from assistant.index.sentences import sentence_key
from assistant.models import APPROVED, Chunk, RetrievedChunk


@dataclass
class Retrieval:
    """The passages retrieved for one request, best first, with the query's vector."""

    hits: list[RetrievedChunk]
    query_vector: np.ndarray
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Each retriever's own ranking of chunk ids before fusion ("dense", "lexical"), kept so
    # evaluations can score every component on the very same request.
    rankings: dict[str, list[str]] = field(default_factory=dict)
    # The hits' sentence vectors as ingest stored them (group key -> matrix), handed on to
    # the answerer so that it embeds nothing (a hit without a group is embedded there).
    sentence_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    # The catalog generation the hits were read from (one snapshot per request): the answer
    # records its corpus version, even if the serving catalog has reloaded since.
    catalog: Catalog | None = None

    @property
    def corpus_version(self) -> str | None:
        return None if self.catalog is None else self.catalog.corpus_version

    @property
    def best_similarity(self) -> float:
        sims = [h.dense_similarity for h in self.hits if h.dense_similarity is not None]
        return max(sims, default=-1.0)


class Retriever:
    """Searches the approved index. Construct with :meth:`open`."""

    def __init__(
        self,
        catalog: Catalog,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        embedder: Embedder,
        settings: RetrievalSettings,
        sentences: SentenceVectors | None = None,
        index: Index | None = None,
    ) -> None:
        self.catalog = catalog
        self._vectors = vectors
        self._lexical = lexical
        self._embedder = embedder
        self.settings = settings
        self.sentences = sentences
        self._index = index  # what close() releases, when the retriever opened it

    @classmethod
    def open(
        cls,
        index_dir: Path,
        embedder: Embedder,
        settings: RetrievalSettings,
        index_settings: IndexSettings,
    ) -> Retriever:
        """Open the serving index (see :func:`open_index`). Raises IndexNotReadyError."""
        return cls.over(open_index(index_settings, index_dir), embedder, settings)

    @classmethod
    def over(cls, index: Index, embedder: Embedder, settings: RetrievalSettings) -> Retriever:
        """A retriever over an opened index's serving generation."""
        return cls(
            index.catalog, index.vectors, index.lexical, embedder, settings, index.sentences, index
        )

    def close(self) -> None:
        """Release the index this retriever searches (connections and file handles)."""
        if self._index is not None:
            self._index.close()

    def best_dense(self, vector: np.ndarray) -> float:
        """Cosine of the approved passage nearest ``vector`` (-1 when there is none)."""
        catalog = self.catalog.snapshot()
        for cid, similarity in self._vectors.search(vector, 5):
            if _approved(catalog, cid):
                return similarity
        return -1.0

    def search(
        self, query: str, *, k: int | None = None, favour: Collection[str] = ()
    ) -> Retrieval:
        """Top ``k`` approved chunks for ``query``; documents in ``favour`` rank higher."""
        s = self.settings
        # One generation for the whole request: a catalog that reloads meanwhile (an ingest
        # committed) changes nothing this answer quotes or records.
        catalog = self.catalog.snapshot()
        t0 = time.perf_counter()
        query = focus_query(query) if s.focus_queries else query
        query_vector = self._embedder.embed([query])[0]
        t1 = time.perf_counter()
        dense = [
            (c, sim)
            for c, sim in self._vectors.search(query_vector, s.candidates)
            if _approved(catalog, c)
        ]
        t2 = time.perf_counter()
        lexical = [
            (c, sc) for c, sc in self._lexical.search(query, s.candidates) if _approved(catalog, c)
        ]
        t3 = time.perf_counter()
        fused = reciprocal_rank_fusion(
            {"dense": [c for c, _ in dense], "lexical": [c for c, _ in lexical]},
            k=s.rrf_k,
            weights={"dense": s.dense_weight, "lexical": s.lexical_weight},
        )
        if favour:
            for cid in fused:
                chunk = catalog.chunk(cid)
                if chunk is not None and chunk.doc_id in favour:
                    fused[cid] *= s.anchor_boost
        ranked = sorted(fused, key=lambda cid: fused[cid], reverse=True)[: k or s.top_k]
        hits = self._hits(catalog, ranked, fused, dense, lexical, query_vector)
        timings = {"embed_query": t1 - t0, "dense": t2 - t1, "lexical": t3 - t2}
        timings["fuse"] = time.perf_counter() - t3
        rankings = {"dense": [c for c, _ in dense], "lexical": [c for c, _ in lexical]}
        t4 = time.perf_counter()
        groups = self._sentence_vectors(hits)
        timings["sentences"] = time.perf_counter() - t4
        ms = {key: v * 1000 for key, v in timings.items()}
        return Retrieval(hits, query_vector, ms, rankings, groups, catalog)

    def _sentence_vectors(self, hits: list[RetrievedChunk]) -> dict[str, np.ndarray]:
        if self.sentences is None or not hits:
            return {}
        return self.sentences.get([sentence_key(h.chunk) for h in hits])

    def _hits(
        self,
        catalog: Catalog,
        ranked: list[str],
        fused: dict[str, float],
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
        query_vector: np.ndarray,
    ) -> list[RetrievedChunk]:
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, start=1)}
        similarity = dict(dense)
        lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical, start=1)}
        # Lexical-only hits get their cosine similarity from their stored vectors, so every
        # hit can be judged on the same scale (refusal threshold, sentence scoring).
        missing = [cid for cid in ranked if cid not in similarity]
        for cid, vec in self._vectors.vectors(missing).items():
            similarity[cid] = float(np.dot(vec, query_vector))
        return [
            RetrievedChunk(
                chunk=_chunk(catalog, cid),
                score=fused[cid],
                dense_similarity=similarity.get(cid),
                dense_rank=dense_rank.get(cid),
                lexical_rank=lexical_rank.get(cid),
            )
            for cid in ranked
        ]


def _approved(catalog: Catalog, chunk_id: str) -> bool:
    chunk = catalog.chunk(chunk_id)
    if chunk is None:
        return False
    doc = catalog.document(chunk.doc_id)
    return doc is not None and doc.status == APPROVED


def _chunk(catalog: Catalog, chunk_id: str) -> Chunk:
    chunk = catalog.chunk(chunk_id)
    assert chunk is not None  # ranked ids passed _approved, which looked them up
    return chunk
