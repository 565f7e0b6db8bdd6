"""Offline study of fusion settings on a built eval index (what evals/README.md reports).

    python -m evals.tune CASES.jsonl --index evals/out/medquad-dev/index

Each case is searched once (the product retriever, a deep candidate list); the dense and BM25
rankings are then re-fused under every weight / ``k`` setting of the grid, so the settings
are compared on exactly the same candidates.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from assistant.condense import condense
from assistant.config import IndexSettings, Settings
from assistant.index.base import Catalog
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.factory import open_index
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.index.lexical import Bm25Index
from assistant.index.retriever import Retriever
from evals.cases import EvalCase, load_cases
from evals.embedding import CachedQueryEmbedder
from evals.metrics import mean, relevance_cutoff, retrieval_scores, source_ranking

WEIGHTS = ((1.0, 1.0), (1.0, 0.7), (1.0, 0.5), (1.0, 0.3), (1.0, 0.0), (0.0, 1.0), (0.7, 1.0))
RRF_KS = (10, 30, 60)


CHATTY = (
    "Hi there, hope you are well! {q} Thanks so much in advance.",
    "Hello doctor. My mother is 67 and has had a few health problems over the years, "
    "nothing too serious. Her GP mentioned something at her last visit. {q} "
    "Sorry for the long message, any advice would be appreciated!",
    "Good morning. I have been reading a lot online and I am honestly confused and a bit "
    "worried. {q} Thank you for your time.",
    "Hey, quick question. {q} Cheers!",
)


def chatty(question: str, i: int) -> str:
    """A consumer-style message around ``question`` (templates rotate by case position)."""
    return CHATTY[i % len(CHATTY)].format(q=question)


def boosted_lexical(catalog: Catalog, title_boost: int) -> Bm25Index:
    """BM25 over the catalog with each passage's title repeated (a title field weight)."""
    chunks = catalog.chunks()
    texts = [f"{c.title}\n" * (title_boost - 1) + c.embedding_text for c in chunks]
    return Bm25Index.build([c.id for c in chunks], texts)


def collect(
    cases: list[EvalCase],
    index: Path,
    *,
    focus: bool = True,
    wrap: bool = False,
    title_boost: int = 1,
) -> list[tuple[EvalCase, list[str], list[str]]]:
    """(case, dense chunk ranking, BM25 chunk ranking) for every case."""
    settings = Settings()
    settings.retrieval.focus_queries = focus
    if wrap:
        cases = [
            c.model_copy(update={"question": chatty(c.question, i)}) for i, c in enumerate(cases)
        ]
    embedder = CachedQueryEmbedder(MiniLMEmbedder())
    opened = open_index(IndexSettings(path=index), index)
    retriever = Retriever.over(opened, embedder, settings.retrieval)
    if title_boost > 1:
        retriever = Retriever(
            opened.catalog,
            opened.vectors,
            boosted_lexical(opened.catalog, title_boost),
            embedder,
            settings.retrieval,
        )
    queries = [condense(c.question, c.history) for c in cases]  # follow-ups made standalone
    embedder.precompute(queries)
    rows = []
    for case, query in zip(cases, queries, strict=True):
        r = retriever.search(query, k=settings.retrieval.candidates)
        rows.append((case, r.rankings["dense"], r.rankings["lexical"]))
    return rows


def fused_scores(
    rows: list[tuple[EvalCase, list[str], list[str]]],
    catalog: Catalog,
    weights: tuple[float, float],
    k: int,
    cutoff: int,
) -> dict[str, float | None]:
    per_metric: dict[str, list[float]] = {}
    for case, dense, lexical in rows:
        fused = reciprocal_rank_fusion(
            {"dense": dense, "lexical": lexical},
            k=k,
            weights={"dense": weights[0], "lexical": weights[1]},
        )
        ranked = sorted(fused, key=lambda c: fused[c], reverse=True)
        sources = source_ranking(chunk.doc_id for c in ranked if (chunk := catalog.chunk(c)))
        for metric, value in retrieval_scores(sources, case.relevant, cutoff).items():
            per_metric.setdefault(metric, []).append(value)
    return {m: mean(v) for m, v in per_metric.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grid over fusion weights and RRF k.")
    parser.add_argument("cases", type=Path)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--chatty", action="store_true", help="wrap questions in chatter")
    parser.add_argument("--title-boost", type=int, default=1, help="BM25 title repeats")
    parser.add_argument("--no-focus", action="store_true", help="search messages as given")
    args = parser.parse_args(argv)
    cases = [c for c in load_cases(args.cases) if c.relevant]
    catalog = open_index(IndexSettings(path=args.index), args.index).catalog
    rows = collect(
        cases, args.index, focus=not args.no_focus, wrap=args.chatty, title_boost=args.title_boost
    )
    cutoff = relevance_cutoff(c.relevant for c in cases)
    print(f"{len(rows)} cases | dense_w lexical_w rrf_k | ndcg@10 mrr@10 recall@10 p@5")
    for weights, k in itertools.product(WEIGHTS, RRF_KS):
        s = fused_scores(rows, catalog, weights, k, cutoff)
        print(
            f"{weights[0]:.1f} {weights[1]:.1f} {k:>3} | "
            + " ".join(f"{s[m]:.3f}" for m in ("ndcg@10", "mrr@10", "recall@10", "p@5"))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
