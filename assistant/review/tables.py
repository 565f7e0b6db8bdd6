"""The users table's SQL: people, their roles, hashed API keys and whether they are disabled."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.models import utc_now
from assistant.review.db import Database


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
        with self._db.write() as tx:
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

    def all(self, *, include_disabled: bool = False) -> list[UserRow]:
        sql = "SELECT name, role, disabled FROM users"
        sql += "" if include_disabled else " WHERE disabled = 0"
        rows = self._db.read(sql + " ORDER BY name")
        return [UserRow(r["name"], r["role"], bool(r["disabled"])) for r in rows]

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable ``name`` and, when disabling, end their sessions in the same
        transaction; False if there is no such user."""
        with self._db.write() as tx:
            found = tx.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
            if found is None:
                return False
            tx.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
            if disabled:
                tx.execute("DELETE FROM sessions WHERE user_name = ?", (name,))
        return True
