"""PostgreSQL backend of the answer store (``FOLLOWUP_STORE__URL=postgresql://...``).

Connections come from pools (``psycopg_pool``; one for reads, one for writes, so a reader
never queues behind writers waiting for a lock): each connection is checked before it is handed
out, a broken one (the server restarted, the network dropped) is thrown away and replaced in the
background, so the store recovers by itself within seconds of the database coming back. Every
connection carries ``lock_timeout``, ``statement_timeout`` and
``idle_in_transaction_session_timeout``: a writer never waits long for a lock, a statement never
runs unbounded, and a process stopped in the middle of a transaction loses its locks.

A write transaction first takes the transaction-scoped advisory lock its caller names (the audit
chain's, a rate bucket's, the generation slots'), so the chain is appended by one writer at a
time across every process and machine while unrelated writes go on beside it. A write is
acknowledged only after COMMIT returns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.errors import StoreConflictError, StoreError
from assistant.review.db import CHAIN, Cursor, Params, StoreOptions, Tx, lock_busy

log = logging.getLogger("followup.store")

_PLACEHOLDER = re.compile(r"\?")
# Advisory locks are keyed (namespace, hash of the lock's name): the namespace keeps them apart
# from every other application's (and the index's) advisory locks in a shared database.
LOCK_NAMESPACE = 0x0F011
# The audit chain's lock keeps the single key every write took before narrower locks existed,
# so a server of an earlier release on the same database still appends one at a time with ours.
CHAIN_LOCK = 0x0F011_0A5
# Reconnection attempts give up after this long and start again at the next request, so the
# pool's backoff (1, 2, 4 s ...) never grows past a few seconds while the server is away.
RECONNECT_TIMEOUT_S = 4.0


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


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = (), /) -> Cursor:
        result: Cursor = self._conn.execute(_translate(sql), tuple(params))
        return result

    def run_script(self, sql: str) -> None:
        self._conn.execute(sql.encode())


class PostgresDatabase:
    """Pools of connections to one PostgreSQL database (reads and writes apart)."""

    dialect = "postgresql"

    def __init__(self, url: str, options: StoreOptions | None = None) -> None:
        import psycopg

        self._psycopg = psycopg
        self.where = redact(url)
        self.options = options = options or StoreOptions()
        # Two pools: readers never queue for a connection behind writers waiting for a lock.
        self._readers = self._pool(url, "followup-store-read")
        self._writers = self._pool(url, "followup-store-write")
        try:
            for pool in (self._readers, self._writers):
                pool.open(wait=True, timeout=max(options.connect_timeout_s, 1.0) + 1.0)
        except Exception as exc:
            self.close()
            raise StoreError(f"Cannot connect to the answer store at {self.where}: {exc}") from exc

    def _pool(self, url: str, name: str) -> Any:
        from psycopg_pool import ConnectionPool

        o = self.options
        return ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, o.pool_size),
            kwargs={
                "autocommit": True,
                "connect_timeout": max(1, round(o.connect_timeout_s)),
                # A peer that vanished without closing (a machine lost) is noticed in seconds.
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
            },
            configure=self._configure,
            check=ConnectionPool.check_connection,
            timeout=o.pool_timeout_s,
            reconnect_timeout=RECONNECT_TIMEOUT_S,
            name=name,
            open=False,
        )

    def _configure(self, conn: Any) -> None:
        o = self.options
        conn.execute(
            f"SET lock_timeout = {_ms(o.lock_timeout_s)};"
            f" SET statement_timeout = {_ms(o.statement_timeout_s)};"
            f" SET idle_in_transaction_session_timeout = {_ms(o.idle_in_transaction_s)}"
        )

    def close(self) -> None:
        self._readers.close()
        self._writers.close()

    @contextmanager
    def _connection(self, what: str, pool: Any) -> Iterator[Any]:
        """A checked connection from ``pool``; psycopg and pool errors become StoreError."""
        from psycopg_pool import PoolTimeout

        errors = self._psycopg.errors
        try:
            with pool.connection() as conn:
                yield conn
        except errors.LockNotAvailable as exc:  # lock_timeout
            raise lock_busy(self.where, self.options.lock_timeout_s) from exc
        except errors.QueryCanceled as exc:  # statement_timeout
            raise StoreError(
                f"The answer store at {self.where} could not {what} in time: {exc}"
            ) from exc
        except (errors.IntegrityError, errors.RaiseException) as exc:
            raise StoreConflictError(f"The answer store refused the change: {exc}") from exc
        except PoolTimeout as exc:
            raise StoreError(
                f"The answer store at {self.where} could not {what}: no working connection "
                f"within {self.options.pool_timeout_s:g} s (is the database up?); try again."
            ) from exc
        except self._psycopg.Error as exc:
            raise StoreError(f"The answer store could not {what}: {exc}") from exc

    @contextmanager
    def write(self, lock: str | None = CHAIN) -> Iterator[Tx]:
        """One transaction, holding the advisory lock ``lock`` names (none when None)."""
        with self._connection("save", self._writers) as conn, conn.transaction():
            if lock == CHAIN:  # the key earlier releases used for every write: they interlock
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            elif lock is not None:
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, lock)
                )
            yield _PgTx(conn)

    def read(self, sql: str, params: Params = ()) -> list[Mapping[str, Any]]:
        from psycopg.rows import dict_row

        reading = self._connection("read", self._readers)
        with reading as conn, conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(_translate(sql), tuple(params))
            rows: list[Mapping[str, Any]] = list(cursor.fetchall())
            return rows

    def script(self, tx: Tx, sql: str) -> None:
        # No parameters: PostgreSQL runs the whole multi-statement script (function bodies
        # with inner semicolons included) in the open transaction.
        assert isinstance(tx, _PgTx)
        tx.run_script(sql)
