"""Index samples shared by the index suites: the opener type the contract suite runs with,
and a small parsed corpus with unit vectors for the PostgreSQL index."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.index.base import Index
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import load_corpus
from assistant.models import APPROVED, Chunk, Document
from tests.support.data import REPO


def sample() -> tuple[list[Document], dict[str, list[Chunk]]]:
    docs = [d for d in load_corpus([REPO / "corpus"]).documents if d.status == APPROVED]
    return docs, {d.id: chunk_document(d, max_tokens=150, overlap=25) for d in docs}


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    vecs = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


# Opens the backend's index; ``create=True`` as ingest does.
OpenIndex = Callable[..., Index]
