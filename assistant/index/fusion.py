"""Reciprocal-rank fusion of ranked lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    *,
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Fuse named rankings of ids: score(id) = sum over lists of weight / (k + rank).

    Ranks start at 1. ``k`` damps the advantage of the very top ranks (Cormack et al., 2009).
    Returns id -> fused score; higher is better.
    """
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        if weight == 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
