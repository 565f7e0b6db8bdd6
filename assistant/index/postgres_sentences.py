"""Sentence-vector groups in PostgreSQL (``index_sentences``): written inside the ingest's
SQL transaction like everything else, and trimmed to the groups the new generation uses just
before it commits."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from assistant.index.base import WriteHook
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.index.sentences import from_blob, to_blob


class PgSentences:
    """The ``SentenceVectors`` of one connection (reader, or an ingest's transaction)."""

    def __init__(self, conn: PgConnection, hook: WriteHook | None = None) -> None:
        self._conn = conn
        self._hook = hook or read_only
        self._keys: set[str] | None = None  # a writer's copy of the stored keys

    def count(self) -> int:
        return int(self._conn.value("SELECT count(*) FROM index_sentences"))

    def _stored(self) -> set[str]:
        if self._keys is None:
            self._keys = {row[0] for row in self._conn.rows("SELECT key FROM index_sentences")}
        return self._keys

    def missing(self, keys: Iterable[str]) -> list[str]:
        stored = self._stored()
        return [k for k in dict.fromkeys(keys) if k not in stored]

    def put(self, groups: Mapping[str, np.ndarray]) -> None:
        stored = self._stored()
        rows = [(k, int(m.shape[0]), to_blob(m)) for k, m in groups.items() if k not in stored]
        if not rows:
            return
        self._hook("sentences.put")
        self._conn.copy_rows("index_sentences", ("key", "rows", "vectors"), rows)
        stored.update(k for k, _, _ in rows)

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if not keys:
            return {}
        rows = self._conn.rows(
            "SELECT key, rows, vectors FROM index_sentences WHERE key = ANY(%s)", (list(keys),)
        )
        return {key: from_blob(bytes(blob), n) for key, n, blob in rows}

    def keep_only(self, keys: Collection[str]) -> None:
        """Delete every group whose key is not in ``keys`` (inside the transaction)."""
        self._hook("sentences.gc")
        self._conn.execute("DELETE FROM index_sentences WHERE NOT (key = ANY(%s))", (sorted(keys),))
        if self._keys is not None:
            self._keys &= set(keys)
