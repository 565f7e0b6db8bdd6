"""People and their roles. An API key is shown once at creation; only its hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from assistant.errors import (
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    StoreConflictError,
)
from assistant.models import utc_now
from assistant.review.store import AnswerStore

KEY_PREFIX = "fu_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class Role(StrEnum):
    CLINICIAN = "clinician"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def require(self, *roles: Role) -> None:
        """Raise PermissionDeniedError unless the user holds one of ``roles`` (admin holds all)."""
        if self.role is not Role.ADMIN and self.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise PermissionDeniedError(
                f"{self.name} is a {self.role.value}; this needs {allowed}."
            )


def hash_key(key: str) -> str:
    # Keys are 256-bit random tokens, so a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_user(store: AnswerStore, name: str, role: str) -> tuple[User, str]:
    """Create a user and return it with its API key (the only time the key is available)."""
    if not _NAME.match(name):
        raise InvalidRequestError("A user name is 1-64 letters, digits, '.', '_', '@' or '-'.")
    try:
        user = User(name, Role(role))
    except ValueError as exc:
        raise InvalidRequestError(
            f"role must be one of {', '.join(r.value for r in Role)}"
        ) from exc
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with store.write() as conn:
            conn.execute(
                "INSERT INTO users (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, user.role.value, hash_key(key), utc_now()),
            )
    except StoreConflictError as exc:
        raise InvalidRequestError(f"A user named {name!r} already exists.") from exc
    return user, key


def authenticate(store: AnswerStore, key: str) -> User:
    """The user holding ``key``; AuthenticationError if none (or disabled)."""
    rows = store.read(
        "SELECT name, role FROM users WHERE key_hash = ? AND disabled = 0", (hash_key(key),)
    )
    if not rows:
        raise AuthenticationError("Invalid or missing API key.")
    return User(rows[0]["name"], Role(rows[0]["role"]))


def list_users(store: AnswerStore) -> list[User]:
    rows = store.read("SELECT name, role FROM users WHERE disabled = 0 ORDER BY name")
    return [User(r["name"], Role(r["role"])) for r in rows]
