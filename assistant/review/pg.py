"""PostgreSQL backend of the answer store (``FOLLOWUP_STORE__URL=postgresql://...``).

Writes are serialised like SQLite's ``BEGIN IMMEDIATE``: each write transaction first takes
one transaction-scoped advisory lock, so the audit chain is appended by one writer at a time
across every process and machine sharing the database. A write is acknowledged only after
COMMIT returns.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.errors import StoreConflictError, StoreError
from assistant.review.db import Cursor, Params, Tx

# An arbitrary constant naming "the followup store's writer lock" among advisory locks.
WRITER_LOCK = 0x0F011_0A5
_PLACEHOLDER = re.compile(r"\?")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _translate(sql: str) -> str:
    # Store SQL uses sqlite's "?" placeholders and never a literal "?" or "%".
    return _PLACEHOLDER.sub("%s", sql)


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = (), /) -> Cursor:
        result: Cursor = self._conn.execute(_translate(sql), tuple(params))
        return result


class PostgresDatabase:
    """One connection (guarded by a lock) to a PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self.where = redact(url)
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"Cannot connect to the answer store at {self.where}: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        errors = self._psycopg.errors
        with self._lock:
            try:
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
                    yield _PgTx(self._conn)
            except (errors.IntegrityError, errors.RaiseException) as exc:
                raise StoreConflictError(f"The answer store refused the change: {exc}") from exc
            except self._psycopg.Error as exc:
                raise StoreError(f"The answer store could not save: {exc}") from exc

    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]:
        from psycopg.rows import dict_row

        rows: list[Mapping[str, Any]]
        with self._lock:
            try:
                with self._conn.cursor(row_factory=dict_row) as cursor:
                    cursor.execute(_translate(sql), tuple(params))
                    rows = list(cursor.fetchall())
                    return rows
            except self._psycopg.Error as exc:
                raise StoreError(f"The answer store could not read: {exc}") from exc

    def script(self, sql: str) -> None:
        # No parameters: PostgreSQL runs the whole multi-statement script (function bodies
        # with inner semicolons included) in the open transaction.
        self._conn.execute(sql.encode())
