"""Embedders for tests: a fast, deterministic stand-in for tests about the index's wiring,
and the real one counting what it was asked to embed.

The index tests exercise real Chroma and real bm25s on disk; what the vectors mean does not
matter to them, only that the same text always gets the same unit vector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from assistant.index.embedder import MiniLMEmbedder

DIM = 384


class HashEmbedder:
    """Unit vectors seeded by each text's SHA-256 (same text, same vector)."""

    name = "hash-embedder"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        rows = [self._vector(t) for t in texts]
        return np.stack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
        return vec / np.linalg.norm(vec)

    def count_wordpieces(self, text: str) -> int:
        return len(text.split()) + 2


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed(texts)

    def count_wordpieces(self, text: str) -> int:
        return self.inner.count_wordpieces(text)
