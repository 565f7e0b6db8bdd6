"""BM25 over chunk texts with bm25s and a Snowball stemmer; rebuilt whole on each ingest."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import Stemmer

from assistant.errors import UnavailableError
from assistant.index.base import WriteHook, no_hook

# Keep numbers like "4.5" and "50" whole: doses matter for clinical questions.
TOKEN_PATTERN = r"(?u)\b\d+(?:\.\d+)?\b|\b\w\w+\b"
IDS_FILE = "ids.json"
MODEL_DIR = "bm25"


class Bm25Index:
    """A BM25 index mapping query text to ranked chunk ids (implements ``LexicalIndex``)."""

    def __init__(self, model: bm25s.BM25 | None = None, ids: list[str] | None = None) -> None:
        self._model = model
        self._ids = ids or []
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
    def build(cls, ids: list[str], texts: Sequence[str]) -> Bm25Index:
        index = cls()
        index.replace(zip(ids, texts, strict=True))
        return index

    def count(self) -> int:
        return len(self._ids)

    def copy(self) -> Bm25Index:
        """An index over the same passages; ``replace`` on it leaves this one as it is."""
        return Bm25Index(self._model, list(self._ids))

    def ids(self) -> list[str]:
        return list(self._ids)

    def replace(self, items: Iterable[tuple[str, str]]) -> None:
        pairs = list(items)
        self._ids = [cid for cid, _ in pairs]
        self._model = None
        if pairs:
            model = bm25s.BM25()
            model.index(self._tokenize([text for _, text in pairs]), show_progress=False)
            self._model = model

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

    def save(self, folder: Path, hook: WriteHook = no_hook) -> None:
        """Write into ``folder`` (a generation not yet serving; the switch makes it atomic)."""
        folder.mkdir(parents=True, exist_ok=True)
        hook("lexical.ids")
        (folder / IDS_FILE).write_text(json.dumps(self._ids), encoding="utf-8")
        if self._model is not None:
            hook("lexical.matrices")
            self._model.save(str(folder / MODEL_DIR), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Read what :meth:`save` wrote; FollowupError when it is missing or does not fit."""
        try:
            ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
            model = None
            if ids:
                model = bm25s.BM25.load(str(folder / MODEL_DIR), show_progress=False, mmap=False)
        except (OSError, ValueError) as exc:
            raise UnavailableError(f"The lexical index in {folder} is unreadable: {exc}") from exc
        index = cls(model, ids)
        if model is not None and _model_docs(model) != len(ids):
            raise UnavailableError(
                f"The lexical index in {folder} has {_model_docs(model)} passages for "
                f"{len(ids)} ids; run `followup ingest` to rebuild it"
            )
        return index


def _model_docs(model: bm25s.BM25) -> int:
    """Passages a loaded bm25s model scores (its document count)."""
    return int(model.scores["num_docs"])
