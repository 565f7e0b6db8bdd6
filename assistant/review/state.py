"""Server state shared by every process on one store: sessions, rate buckets, generation slots.

Kept in the store (SQLite file or PostgreSQL) instead of one process's memory, so N
``followup serve`` processes on one database behave as one server: a session made on one is
valid on all, a per-user limit admits N across all, and the generation-slot count is global.
Times are wall-clock seconds (``time.time()``), comparable across processes on one host
and, with synchronised clocks, across machines.

A generation slot is a *lease*: its holder renews it every few seconds while it generates
(``renew_slot``), so a killed holder's slot is free again a few seconds later. None of these
writes takes the audit chain's lock: a stalled review decision never holds up a sign-in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.errors import AuthenticationError
from assistant.models import sha256_text
from assistant.review.db import Database, Tx
from assistant.review.tables import enabled_in

SLOTS_LOCK = "generation-slots"


@dataclass(frozen=True)
class SlotLease:
    """One held generation slot: who holds it (``owner``: host and process), since when, and
    until when its lease runs unless renewed."""

    holder: str
    owner: str
    acquired_at: float
    expires_at: float


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
        """Store a session for ``user``; AuthenticationError if they are disabled by now.

        The check and the insert are one transaction holding the user's row (``FOR SHARE``), so
        a ``users disable`` (one transaction: flag and session delete) either comes first and
        is seen, or waits for this one and deletes the new session too.
        """
        with self._db.write(lock=None) as tx:
            if not enabled_in(tx, self._db.dialect, user):
                raise AuthenticationError(f"{user} is disabled; ask an administrator.")
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
        with self._db.write(lock=None) as tx:
            tx.execute("DELETE FROM sessions WHERE id_hash = ?", (session_key(session_id),))

    # Rate buckets -------------------------------------------------------------------------
    def take_token(self, key: str, per_minute: int, now: float) -> int:
        """Take one token from ``key``'s bucket (``per_minute`` a minute, bursts of the same
        size): 0 when admitted, else the whole seconds to wait."""
        with self._db.write(lock=f"rate:{key}") as tx:
            return _take(tx, key, per_minute, now)

    def give_back_token(self, key: str, per_minute: int) -> None:
        """Return one token taken from ``key``'s bucket (a sign-in that succeeded)."""
        with self._db.write(lock=f"rate:{key}") as tx:
            tx.execute(
                "UPDATE rate_buckets SET tokens = MIN(tokens + 1, ?) WHERE bucket = ?"
                if self._db.dialect == "sqlite"
                else "UPDATE rate_buckets SET tokens = LEAST(tokens + 1, ?) WHERE bucket = ?",
                (float(per_minute), key),
            )

    # Generation slots ---------------------------------------------------------------------
    def acquire_slot(
        self, holder: str, limit: int, now: float, lease_s: float, owner: str = ""
    ) -> bool:
        """Hold one of ``limit`` slots as ``holder`` until ``now + lease_s`` (renew it to keep
        it); expired leases are taken back first. False when all are taken."""
        with self._db.write(lock=SLOTS_LOCK) as tx:
            tx.execute("DELETE FROM generation_slots WHERE expires_at < ?", (now,))
            (held,) = tx.execute("SELECT COUNT(*) FROM generation_slots").fetchone()
            if held >= limit:
                return False
            tx.execute(
                "INSERT INTO generation_slots (holder, expires_at, acquired_at, owner)"
                " VALUES (?, ?, ?, ?)",
                (holder, now + lease_s, now, owner),
            )
            return True

    def renew_slot(self, holder: str, now: float, lease_s: float) -> bool:
        """Extend ``holder``'s lease to ``now + lease_s``; False if it was already taken back."""
        with self._db.write(lock=None) as tx:
            row = tx.execute(
                "UPDATE generation_slots SET expires_at = ? WHERE holder = ? RETURNING holder",
                (now + lease_s, holder),
            ).fetchone()
        return row is not None

    def release_slot(self, holder: str) -> None:
        with self._db.write(lock=None) as tx:
            tx.execute("DELETE FROM generation_slots WHERE holder = ?", (holder,))

    def slots(self, now: float) -> list[SlotLease]:
        """The live leases, oldest first."""
        rows = self._db.read(
            "SELECT holder, owner, acquired_at, expires_at FROM generation_slots"
            " WHERE expires_at >= ? ORDER BY acquired_at",
            (now,),
        )
        return [
            SlotLease(r["holder"], r["owner"], float(r["acquired_at"]), float(r["expires_at"]))
            for r in rows
        ]

    def slots_held(self, now: float) -> int:
        return len(self.slots(now))


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
