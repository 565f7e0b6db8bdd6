"""The database under the answer store: SQLite by default, PostgreSQL by URL.

Both backends offer the same two operations: ``write()``, one serialised write transaction
(SQLite ``BEGIN IMMEDIATE``; PostgreSQL a transaction-scoped advisory lock), committed before
the block's caller goes on; and ``read(sql, params)``. SQL is written once with ``?``
placeholders; the PostgreSQL backend translates them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import StoreConflictError, StoreError

Params = Sequence[object]


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Tx(Protocol):
    """What a write block sees: ``execute(sql, params)`` with ``?`` placeholders."""

    def execute(self, sql: str, params: Params = ..., /) -> Cursor: ...


class Database(Protocol):
    """One backend of the answer store."""

    dialect: str  # "sqlite" | "postgresql"
    where: str  # for messages: a path, or a URL without its password

    def write(self) -> AbstractContextManager[Tx]: ...
    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]: ...
    def script(self, sql: str) -> None:
        """Run a multi-statement script inside an already-open write transaction."""

    def close(self) -> None: ...


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


class SQLiteDatabase:
    """One SQLite file in WAL mode with ``synchronous=FULL``; writers queue on BEGIN IMMEDIATE."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        private_file(path)
        self.where = str(path)
        try:
            # timeout = busy_timeout: a writer waits for the lock instead of failing "locked".
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=60
            )
            self._conn.execute("PRAGMA busy_timeout=60000")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the answer store at {path}: {exc}") from exc
        self._lock = threading.Lock()
        # Writers from other processes queue on this lock file, woken the moment it is free,
        # instead of polling in SQLite's busy handler (up to 100 ms apart): a short p99.
        self._queue_fd = os.open(
            path.with_name(path.name + ".write-queue"), os.O_RDWR | os.O_CREAT, 0o600
        )

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()
        os.close(self._queue_fd)

    @contextmanager
    def _write_queue(self) -> Iterator[None]:
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)  # released by the kernel if we are killed
        try:
            yield
        finally:
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        with self._lock, self._write_queue():
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError as exc:
                raise StoreConflictError(f"The answer store refused the change: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"The answer store could not save: {exc}") from exc

    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]:
        with self._lock:
            try:
                cursor = self._conn.execute(sql, tuple(params))
                cursor.row_factory = sqlite3.Row
                return cursor.fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"The answer store could not read: {exc}") from exc

    def script(self, sql: str) -> None:
        for statement in split_sqlite_script(sql):
            self._conn.execute(statement)


def private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) readable by this account only (0700)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)


def private_file(path: Path) -> None:
    """Make ``path`` (created empty if missing) mode 0600 in a 0700 folder if we create it.

    Every question and answer is in the store: no other local account may read it. SQLite
    creates the ``-wal`` and ``-shm`` files with the database file's mode.
    """
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.chmod(side, 0o600)
    except OSError as exc:
        raise StoreError(f"Cannot open the answer store at {path}: {exc.strerror}") from exc


def split_sqlite_script(sql: str) -> list[str]:
    """Statements of a script; a trigger body's inner ';' does not end its statement."""
    statements, current = [], ""
    for piece in sql.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements


def open_database(*, path: Path | None = None, url: str | None = None) -> Database:
    """The backend for ``url`` (``postgresql://`` or ``sqlite:///path``), else the file ``path``."""
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            from assistant.review.pg import PostgresDatabase

            return PostgresDatabase(url)
        if url.startswith("sqlite:///"):
            return SQLiteDatabase(Path(url.removeprefix("sqlite:///")))
        raise StoreError(
            "store.url must start with postgresql:// or sqlite:///; "
            "set FOLLOWUP_STORE__URL accordingly or leave it unset for the default SQLite file."
        )
    if path is None:
        raise StoreError("The answer store needs a file path or a URL.")
    return SQLiteDatabase(path)
