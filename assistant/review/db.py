"""The database under the answer store: SQLite by default, PostgreSQL by URL.

Both backends offer the same two operations: ``write(lock=...)``, one write transaction
committed before the block's caller goes on, and ``read(sql, params)``. SQL is written once with
``?`` placeholders; the PostgreSQL backend translates them.

A write names the lock it needs: :data:`CHAIN` (the default) for anything that appends to the
audit chain or changes the schema, a narrower name (``"rate:<bucket>"``, ``"slots"``) for
writes that only need to exclude their own kind, or None when row locks suffice. PostgreSQL
takes a transaction-scoped advisory lock of that name, so a stalled writer holds up only the
writers that need its lock; SQLite has one writer at a time whatever the name. No writer waits
for a lock longer than ``lock_timeout_s``: past it the write fails with BusyError (503, retry),
never a hang.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import BusyError, StoreConflictError, StoreError

Params = Sequence[object]
# The lock every audit-chain append (and migration) takes: one chain, one writer at a time.
CHAIN = "chain"
DEFAULT_LOCK_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class StoreOptions:
    """How long the store waits before it gives up (``store.*`` settings), so that a stalled
    writer or an unreachable database costs a request a clear error within seconds."""

    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S  # waiting for another writer's lock
    statement_timeout_s: float = 15.0  # one statement (PostgreSQL)
    # A transaction left idle this long (a stopped or hung process holding locks) is ended by
    # PostgreSQL, which frees its locks.
    idle_in_transaction_s: float = 30.0
    connect_timeout_s: float = 3.0  # one connection attempt (PostgreSQL)
    pool_timeout_s: float = 5.0  # waiting for a free (or reconnected) pooled connection
    pool_size: int = 6  # PostgreSQL connections per process at most, for reads and for writes


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

    def write(self, lock: str | None = CHAIN) -> AbstractContextManager[Tx]: ...
    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]: ...
    def script(self, tx: Tx, sql: str) -> None:
        """Run a multi-statement script inside the open write transaction ``tx``."""

    def close(self) -> None: ...


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_busy(where: str, waited_s: float) -> BusyError:
    """What a writer gets when another held the lock it needs past the lock timeout."""
    return BusyError(
        f"The answer store at {where} is busy: another writer held the lock this change needs "
        f"for over {waited_s:g} s. Nothing was saved; try again in a moment."
    )


class SQLiteDatabase:
    """One SQLite file in WAL mode with ``synchronous=FULL``; writers queue on BEGIN IMMEDIATE.

    Reads have a connection of their own: in WAL mode they never wait for a writer.
    """

    dialect = "sqlite"

    def __init__(self, path: Path, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        private_file(path)
        self.where = str(path)
        self._lock_timeout_s = lock_timeout_s
        self._conn = self._open(path)
        self._reader = self._open(path)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        # Writers from other processes queue on this lock file, tried every 1-2 ms until the
        # lock timeout, instead of in SQLite's busy handler (up to 100 ms apart): a short p99.
        # The kernel releases it if its holder is killed.
        self._queue_fd = os.open(
            path.with_name(path.name + ".write-queue"), os.O_RDWR | os.O_CREAT, 0o600
        )

    def _open(self, path: Path) -> sqlite3.Connection:
        try:
            # timeout = busy_timeout: a writer waits for the lock instead of failing "locked".
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=self._lock_timeout_s
            )
            conn.execute(f"PRAGMA busy_timeout={int(self._lock_timeout_s * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the answer store at {path}: {exc}") from exc
        return conn

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()
        self._reader.close()
        os.close(self._queue_fd)

    @contextmanager
    def _write_queue(self) -> Iterator[None]:
        deadline = time.monotonic() + self._lock_timeout_s
        if not self._lock.acquire(timeout=self._lock_timeout_s):
            raise lock_busy(self.where, self._lock_timeout_s)
        try:
            pause = 0.001
            while not _try_flock(self._queue_fd):
                if time.monotonic() >= deadline:
                    raise lock_busy(self.where, self._lock_timeout_s)
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
            try:
                yield
            finally:
                fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    @contextmanager
    def write(self, lock: str | None = CHAIN) -> Iterator[Tx]:
        """One write transaction; SQLite has a single writer whatever ``lock`` names."""
        with self._write_queue():
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
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise lock_busy(self.where, self._lock_timeout_s) from exc
                raise StoreError(f"The answer store could not save: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"The answer store could not save: {exc}") from exc

    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]:
        with self._read_lock:
            try:
                cursor = self._reader.execute(sql, tuple(params))
                cursor.row_factory = sqlite3.Row
                return cursor.fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"The answer store could not read: {exc}") from exc

    def script(self, tx: Tx, sql: str) -> None:
        for statement in split_sqlite_script(sql):
            self._conn.execute(statement)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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


def open_database(
    *, path: Path | None = None, url: str | None = None, options: StoreOptions | None = None
) -> Database:
    """The backend for ``url`` (``postgresql://`` or ``sqlite:///path``), else the file ``path``."""
    options = options or StoreOptions()
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            from assistant.review.pg import PostgresDatabase

            return PostgresDatabase(url, options)
        if url.startswith("sqlite:///"):
            return SQLiteDatabase(
                Path(url.removeprefix("sqlite:///")), lock_timeout_s=options.lock_timeout_s
            )
        raise StoreError(
            "store.url must start with postgresql:// or sqlite:///; "
            "set FOLLOWUP_STORE__URL accordingly or leave it unset for the default SQLite file."
        )
    if path is None:
        raise StoreError("The answer store needs a file path or a URL.")
    return SQLiteDatabase(path, lock_timeout_s=options.lock_timeout_s)
