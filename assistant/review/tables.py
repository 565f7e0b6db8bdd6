"""The users table's SQL: people, their roles, hashed API keys and whether they are disabled."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.models import utc_now
from assistant.review.db import Database, Tx


def enabled_in(tx: Tx, dialect: str, name: str) -> bool:
    """Whether ``name`` is an enabled user, read inside ``tx`` holding their row until commit
    (PostgreSQL ``FOR SHARE``; SQLite has one writer), so a concurrent disable waits for ``tx``
    or is seen by it. A name that is no user (a command-line asker) counts as enabled."""
    lock = " FOR SHARE" if dialect == "postgresql" else ""
    row = tx.execute("SELECT disabled FROM users WHERE name = ?" + lock, (name,)).fetchone()
    return row is None or not row[0]


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    disabled: bool


class UserTable:
    """Typed access to ``users``; a disabled user is kept (decisions name them) but not let in."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, name: str, role: str, key_hash: str) -> None:
        """Add a user; StoreConflictError if the name (or key) exists."""
        with self._db.write(lock=None) as tx:
            tx.execute(
                "INSERT INTO users (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, key_hash, utc_now()),
            )

    def by_key_hash(self, key_hash: str) -> UserRow | None:
        """The enabled user holding the key with this hash."""
        rows = self._db.read(
            "SELECT name, role FROM users WHERE key_hash = ? AND disabled = 0", (key_hash,)
        )
        return UserRow(rows[0]["name"], rows[0]["role"], False) if rows else None

    def enabled(self, name: str) -> bool:
        """Whether ``name`` may act now (an enabled user, or no user by that name)."""
        rows = self._db.read("SELECT disabled FROM users WHERE name = ?", (name,))
        return not rows or not rows[0]["disabled"]

    def all(self, *, include_disabled: bool = False) -> list[UserRow]:
        sql = "SELECT name, role, disabled FROM users"
        sql += "" if include_disabled else " WHERE disabled = 0"
        rows = self._db.read(sql + " ORDER BY name")
        return [UserRow(r["name"], r["role"], bool(r["disabled"])) for r in rows]

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable ``name`` and, when disabling, end their sessions in the same
        transaction; False if there is no such user.

        The UPDATE takes the user's row first: a sign-in or an answer being stored for them
        (which read the row ``FOR SHARE``) either committed before, and its session is deleted
        here, or waits and then sees the user disabled.
        """
        with self._db.write(lock=None) as tx:
            found = tx.execute(
                "UPDATE users SET disabled = ? WHERE name = ? RETURNING name", (int(disabled), name)
            ).fetchone()
            if found is None:
                return False
            if disabled:
                tx.execute("DELETE FROM sessions WHERE user_name = ?", (name,))
        return True
