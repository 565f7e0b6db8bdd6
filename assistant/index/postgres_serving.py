"""A reader's serving generation of the PostgreSQL index, held in memory: catalog and BM25.

Retrieval looks up a hundred candidate chunks per question and scores BM25 over the query's
terms; both are answered from memory, loaded together from one snapshot of the database so
that they always belong to the same generation. Whether another ingest has committed is
checked at most every ``refresh_s`` (one small query); a new generation is loaded on a
connection of its own, so the serving connection keeps answering meanwhile, by the one thread
that noticed it, while every other thread keeps answering from the previous generation (the
first load is waited for by everyone).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.index.catalog import StoredCatalog
from assistant.index.postgres_catalog import load_catalog
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.index.postgres_lexical import PostingsBm25, load_postings


@dataclass(frozen=True)
class Served:
    """One committed generation as a reader holds it."""

    generation: int
    corpus_version: str
    catalog: StoredCatalog
    lexical: PostingsBm25


class PgServing:
    """The serving generation of the index at ``conn``, reloaded after a commit."""

    def __init__(self, conn: PgConnection, refresh_s: float = 1.0) -> None:
        self._conn = conn
        self._refresh_s = refresh_s
        self._served: Served | None = None
        self._checked = float("-inf")
        self._loading = threading.Lock()

    def invalidate(self) -> None:
        """Check for a new generation on the next read (this process just committed one)."""
        self._checked = float("-inf")

    def current(self) -> Served:
        """The newest committed generation (at most ``refresh_s`` old)."""
        served = self._served
        if served is not None and time.monotonic() - self._checked < self._refresh_s:
            return served
        # One thread checks (and reloads); the others answer from what they have meanwhile.
        if not self._loading.acquire(blocking=served is None):
            assert served is not None
            return served
        try:
            return self._refresh()
        finally:
            self._loading.release()

    def _refresh(self) -> Served:
        served = self._served
        if served is not None and time.monotonic() - self._checked < self._refresh_s:
            return served  # another thread refreshed while this one waited
        self._checked = time.monotonic()
        generation = int(self._conn.value("SELECT generation FROM index_state") or 0)
        if served is None or generation != served.generation:
            self._served = served = self._load()
        return served

    def _load(self) -> Served:
        loader = PgConnection(self._conn.url, autocommit=True)
        try:
            with loader.snapshot():
                generation, version = loader.rows(
                    "SELECT generation, corpus_version FROM index_state"
                )[0]
                catalog = load_catalog(loader)
                lexical = load_postings(loader)
        finally:
            loader.close()
        return Served(int(generation), version, catalog, lexical)


class PgServedLexical:
    """A reader's :class:`~assistant.index.base.LexicalIndex`: the serving generation's BM25."""

    def __init__(self, serving: PgServing) -> None:
        self._serving = serving

    def count(self) -> int:
        return self._serving.current().lexical.count()

    def replace(self, items: Iterable[tuple[str, str]]) -> None:
        read_only("lexical.write")

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        return self._serving.current().lexical.search(query, k)

    def knows(self, word: str) -> bool:
        return self._serving.current().lexical.knows(word)
