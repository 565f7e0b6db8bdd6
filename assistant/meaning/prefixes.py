"""Opposite prefixes on one root: "hypocalcaemia" is the opposite of "hypercalcaemia",
"hypotension" of "hypertension". A claim that names one where its support names the other
(and not the one claimed) says the opposite of it."""

from __future__ import annotations

import re

_OPPOSITE = {"hyper": "hypo", "hypo": "hyper"}
_PREFIXED = re.compile(r"\b(hyper|hypo)-?([a-z]{4,})", re.IGNORECASE)


def _written(prefix: str, root: str, text: str) -> bool:
    return re.search(rf"\b{prefix}-?{root}", text, re.IGNORECASE) is not None


def prefix_problem(claim: str, support: str) -> str | None:
    """Why the claim names the opposite of what its support names on the same root
    ("hypocalcaemia" where the support says only "hypercalcaemia"); None otherwise."""
    for match in _PREFIXED.finditer(claim):
        prefix, root = match.group(1).lower(), match.group(2).lower()
        other = _OPPOSITE[prefix]
        if _written(other, root, support) and not _written(prefix, root, support):
            return f"the cited sentence says '{other}{root}', not {match.group(0)!r}"
    return None
