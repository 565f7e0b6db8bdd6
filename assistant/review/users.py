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
    NotFoundError,
    PermissionDeniedError,
    StoreConflictError,
)
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
        store.users.insert(name, user.role.value, hash_key(key))
    except StoreConflictError as exc:
        raise InvalidRequestError(f"A user named {name!r} already exists.") from exc
    return user, key


def authenticate(store: AnswerStore, key: str) -> User:
    """The user holding ``key``; AuthenticationError if none (or disabled)."""
    row = store.users.by_key_hash(hash_key(key))
    if row is None:
        raise AuthenticationError("Invalid or missing API key.")
    return User(row.name, Role(row.role))


def list_users(store: AnswerStore, *, include_disabled: bool = False) -> list[User]:
    """Enabled users by name (and disabled ones too when asked)."""
    return [User(r.name, Role(r.role)) for r in store.users.all(include_disabled=include_disabled)]


def set_disabled(store: AnswerStore, name: str, disabled: bool) -> None:
    """Disable (or enable again) a user. Disabling ends their web sessions at once and makes
    their API key fail; their past decisions stay attributed to them."""
    if not store.users.set_disabled(name, disabled):
        raise NotFoundError(f"No user named {name!r}; see `followup users list --all`.")
