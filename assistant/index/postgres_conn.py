"""One psycopg connection for the PostgreSQL index, shared by its parts and guarded by a lock.

Readers use an autocommit connection (each query sees the newest committed generation); an
ingest uses its own connection inside one transaction. psycopg errors are translated here,
once, into :class:`~assistant.errors.FollowupError` with what to do next.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.errors import FollowupError, IndexNotReadyError, UnavailableError

# HNSW candidates per query; Chroma's default (100) so both backends recall alike. Must be at
# least the number of results asked for, or pgvector returns fewer.
EF_SEARCH = 100


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


class PgIndexUnavailableError(IndexNotReadyError):
    """The index's database cannot be reached now (restarting, network, a timeout): a request
    may be retried shortly (HTTP 503, like an index that is not ready)."""

    def __init__(self, message: str) -> None:
        FollowupError.__init__(self, message)


def read_only(step: str) -> None:
    """The write hook of a reader's parts: writing outside an ingest transaction is a bug."""
    raise RuntimeError(f"{step}: the index is written only inside Index.begin()")


class PgConnection:
    """A connection to the index's database; ``autocommit`` for readers, else one transaction."""

    def __init__(self, url: str, *, autocommit: bool) -> None:
        self.url = url
        self.where = redact(url)
        self._autocommit = autocommit
        self._lock = threading.RLock()
        self._conn = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self.url, autocommit=True)
            # Set outside any transaction, so a rolled-back ingest cannot undo it.
            conn.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
            conn.autocommit = self._autocommit
        except psycopg.Error as exc:
            raise PgIndexUnavailableError(
                f"Cannot connect to the PostgreSQL index at {self.where}: {exc}. "
                "Check FOLLOWUP_INDEX__URL and that the server is running."
            ) from exc
        return conn

    @property
    def raw(self) -> Any:
        """The psycopg connection (for the schema module's DDL)."""
        return self._conn

    @contextmanager
    def _guard(self, what: str) -> Iterator[Any]:
        import psycopg

        with self._lock:
            # A reader reconnects after the server restarted; a transaction cannot.
            if self._autocommit and self._conn.broken:
                self._conn = self._connect()
            try:
                yield self._conn
            except psycopg.OperationalError as exc:
                # The connection was lost (the server restarted) or a timeout hit: retryable.
                raise PgIndexUnavailableError(
                    f"The PostgreSQL index at {self.where} cannot be reached ({exc}); "
                    "try again in a moment."
                ) from exc
            except psycopg.Error as exc:
                raise UnavailableError(
                    f"The PostgreSQL index at {self.where} could not {what}: {exc}"
                ) from exc

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the reads inside the block against one consistent snapshot (a reader's)."""
        with self._guard("read") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of one query."""
        with self._guard("read") as conn:
            return list(conn.execute(sql, params).fetchall())

    def value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
        with self._guard("write") as conn:
            conn.execute(sql, params)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        """One statement over many rows, pipelined (one round trip per batch, not per row)."""
        if not params:
            return
        with self._guard("write") as conn, conn.cursor() as cursor:
            cursor.executemany(sql, params)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Bulk-load rows with COPY (the fast path for thousands of rows)."""
        if not rows:
            return
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self._guard("write") as conn, conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        with self._guard("commit") as conn:
            conn.commit()

    def rollback(self) -> None:
        with self._lock:
            if not self._conn.closed:
                self._conn.rollback()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
