"""BM25 over chunk texts with bm25s and a Snowball stemmer; rebuilt whole on each ingest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import bm25s
import Stemmer

# Keep numbers like "4.5" and "50" whole: doses matter for clinical questions.
TOKEN_PATTERN = r"(?u)\b\d+(?:\.\d+)?\b|\b\w\w+\b"


class LexicalIndex:
    """A BM25 index mapping query text to ranked chunk ids."""

    def __init__(self, model: bm25s.BM25 | None, ids: list[str]) -> None:
        self._model = model
        self._ids = ids
        self._stemmer = Stemmer.Stemmer("english")

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        tokens = bm25s.tokenize(
            list(texts),
            token_pattern=TOKEN_PATTERN,
            stopwords="en",
            stemmer=self._stemmer.stemWords,
            return_ids=False,
            show_progress=False,
        )
        return [list(t) for t in tokens]

    @classmethod
    def build(cls, ids: list[str], texts: Sequence[str]) -> LexicalIndex:
        index = cls(None, ids)
        if ids:
            model = bm25s.BM25()
            model.index(index._tokenize(texts), show_progress=False)
            index._model = model
        return index

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) pairs with a positive score."""
        if self._model is None or not self._ids:
            return []
        vocab = self._model.vocab_dict
        tokens = [t for t in self._tokenize([query])[0] if t in vocab]
        if not tokens:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._model.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [
            (self._ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def knows(self, word: str) -> bool:
        """Whether ``word`` (after stemming) occurs anywhere in the indexed passages."""
        if self._model is None:
            return False
        tokens = self._tokenize([word])[0]
        return bool(tokens) and all(t in self._model.vocab_dict for t in tokens)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ids.json").write_text(json.dumps(self._ids), encoding="utf-8")
        if self._model is not None:
            self._model.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        model = None
        if ids:
            model = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=False)
        return cls(model, ids)
