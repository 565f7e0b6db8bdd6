"""Retrieval and latency metrics, at source level (a source's best-ranked chunk counts)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

K = 10
P_AT = 5


def source_ranking(source_ids: Iterable[str]) -> list[str]:
    """Sources in the order of their best-ranked chunk (duplicates after the first dropped)."""
    seen: dict[str, None] = {}
    for source in source_ids:
        seen.setdefault(source, None)
    return list(seen)


def relevance_cutoff(judgments: Iterable[Mapping[str, int]]) -> int:
    """Grade at which a source counts as relevant: 2 if any grade in the dataset exceeds 1."""
    top = max((g for j in judgments for g in j.values()), default=1)
    return 2 if top > 1 else 1


def ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Normalised discounted cumulative gain at ``k`` with graded gains (2^g - 1)."""
    dcg = sum((2 ** grades.get(s, 0) - 1) / math.log2(i + 2) for i, s in enumerate(ranking[:k]))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranking: Sequence[str], relevant: set[str], k: int = K) -> float:
    """Reciprocal rank of the first relevant source within ``k`` (0 if none)."""
    for i, source in enumerate(ranking[:k], start=1):
        if source in relevant:
            return 1.0 / i
    return 0.0


def recall(ranking: Sequence[str], relevant: set[str], k: int = K) -> float:
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


def precision(ranking: Sequence[str], relevant: set[str], k: int = P_AT) -> float:
    return len(relevant & set(ranking[:k])) / k


def relevant_set(grades: Mapping[str, int], cutoff: int) -> set[str]:
    return {s for s, g in grades.items() if g >= cutoff}


def retrieval_scores(
    ranking: Sequence[str], grades: Mapping[str, int], cutoff: int
) -> dict[str, float]:
    """nDCG@10, MRR@10, Recall@10 and P@5 of one source ranking."""
    relevant = relevant_set(grades, cutoff)
    return {
        "ndcg@10": ndcg(ranking, grades),
        "mrr@10": mrr(ranking, relevant),
        "recall@10": recall(ranking, relevant),
        "p@5": precision(ranking, relevant),
    }


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation; None for no values."""
    items = sorted(values)
    if not items:
        return None
    pos = (len(items) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return items[low] + (items[high] - items[low]) * (pos - low)


def latency_summary(samples: Mapping[str, Sequence[float]]) -> dict[str, dict[str, float | None]]:
    """stage -> {p50, p95, n} in milliseconds."""
    return {
        stage: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": float(len(v))}
        for stage, v in sorted(samples.items())
    }
