"""Score one retrieval at source level for every component: BM25, dense and the fused result."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.index.base import Catalog
from assistant.index.retriever import Retrieval
from evals.metrics import retrieval_scores, source_ranking

VARIANTS = ("final", "dense", "bm25")


def source_rankings(retrieval: Retrieval, catalog: Catalog) -> dict[str, list[str]]:
    """variant -> source ids in the order of each source's best chunk."""

    def sources(chunk_ids: list[str]) -> list[str]:
        chunks = (catalog.chunk(c) for c in chunk_ids)
        return source_ranking(c.doc_id for c in chunks if c is not None)

    return {
        "final": source_ranking(h.chunk.doc_id for h in retrieval.hits),
        "dense": sources(retrieval.rankings.get("dense", [])),
        "bm25": sources(retrieval.rankings.get("lexical", [])),
    }


def score_retrieval(
    retrieval: Retrieval, catalog: Catalog, grades: Mapping[str, int], cutoff: int
) -> dict[str, dict[str, float]]:
    """variant -> {ndcg@10, mrr@10, recall@10, p@5} for one request."""
    rankings = source_rankings(retrieval, catalog)
    return {name: retrieval_scores(rankings[name], grades, cutoff) for name in VARIANTS}
