"""Server state shared by every process on one store: sessions, rate buckets, generation slots.

Kept in the store (SQLite file or PostgreSQL) instead of one process's memory, so N
``followup serve`` processes on one database behave as one server: a session made on one is
valid on all, a per-user limit admits N across all, and the generation-slot count is global.
Times are wall-clock seconds (``time.time()``), comparable across processes on one host
and, with synchronised clocks, across machines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.models import sha256_text
from assistant.review.db import Database, Tx


@dataclass(frozen=True)
class StoredSession:
    user_name: str
    role: str
    csrf: str
    expires_at: float


def session_key(session_id: str) -> str:
    """Sessions are stored by the SHA-256 of their id: reading the database gives no cookie."""
    return sha256_text(session_id)


class SharedState:
    """Typed access to ``sessions``, ``rate_buckets`` and ``generation_slots``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # Sessions -----------------------------------------------------------------------------
    def create_session(
        self, session_id: str, user: str, csrf: str, expires_at: float, now: float
    ) -> None:
        with self._db.write() as tx:
            tx.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            tx.execute(
                "INSERT INTO sessions (id_hash, user_name, csrf, expires_at) VALUES (?, ?, ?, ?)",
                (session_key(session_id), user, csrf, expires_at),
            )

    def session(self, session_id: str, now: float) -> StoredSession | None:
        """The live session with this id, only while its user is enabled."""
        rows = self._db.read(
            "SELECT s.user_name, u.role, s.csrf, s.expires_at FROM sessions s"
            " JOIN users u ON u.name = s.user_name"
            " WHERE s.id_hash = ? AND s.expires_at >= ? AND u.disabled = 0",
            (session_key(session_id), now),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredSession(r["user_name"], r["role"], r["csrf"], float(r["expires_at"]))

    def drop_session(self, session_id: str) -> None:
        with self._db.write() as tx:
            tx.execute("DELETE FROM sessions WHERE id_hash = ?", (session_key(session_id),))

    # Rate buckets -------------------------------------------------------------------------
    def take_token(self, key: str, per_minute: int, now: float) -> int:
        """Take one token from ``key``'s bucket (``per_minute`` a minute, bursts of the same
        size): 0 when admitted, else the whole seconds to wait."""
        with self._db.write() as tx:
            return _take(tx, key, per_minute, now)

    # Generation slots ---------------------------------------------------------------------
    def acquire_slot(self, holder: str, limit: int, now: float, lease_s: float) -> bool:
        """Hold one of ``limit`` slots as ``holder`` (expiring after ``lease_s``, so a killed
        process frees its slots); False when all are taken."""
        with self._db.write() as tx:
            tx.execute("DELETE FROM generation_slots WHERE expires_at < ?", (now,))
            (held,) = tx.execute("SELECT COUNT(*) FROM generation_slots").fetchone()
            if held >= limit:
                return False
            tx.execute(
                "INSERT INTO generation_slots (holder, expires_at) VALUES (?, ?)",
                (holder, now + lease_s),
            )
            return True

    def release_slot(self, holder: str) -> None:
        with self._db.write() as tx:
            tx.execute("DELETE FROM generation_slots WHERE holder = ?", (holder,))

    def slots_held(self, now: float) -> int:
        rows = self._db.read(
            "SELECT COUNT(*) AS n FROM generation_slots WHERE expires_at >= ?", (now,)
        )
        return int(rows[0]["n"])


def _take(tx: Tx, key: str, per_minute: int, now: float) -> int:
    rate, capacity = per_minute / 60.0, float(per_minute)
    row = tx.execute(
        "SELECT tokens, updated_at FROM rate_buckets WHERE bucket = ?", (key,)
    ).fetchone()
    tokens = capacity if row is None else min(capacity, row[0] + max(0.0, now - row[1]) * rate)
    wait = 0 if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / rate))
    left = tokens - 1.0 if wait == 0 else tokens
    tx.execute(
        "INSERT INTO rate_buckets (bucket, tokens, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (bucket) DO UPDATE SET tokens = excluded.tokens,"
        " updated_at = excluded.updated_at",
        (key, left, now),
    )
    return wait
