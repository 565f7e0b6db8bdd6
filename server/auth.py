"""Who is calling: per-person API keys (bearer) or a web-UI session cookie with CSRF protection.

Deny by default: every route declares an ``Access`` dependency (the roles it admits, or
``PUBLIC``); the route-by-role test walks ``app.routes`` and fails on any route without one.
Sessions live in the answer store (shared by every server process, surviving restarts, ended at
once when the user is disabled); the cookie holds only a random session id, never the API key.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from assistant.errors import AuthenticationError, PermissionDeniedError
from assistant.review.state import SharedState
from assistant.review.users import Role, User, authenticate
from server.deps import get_store

SESSION_COOKIE = "followup_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="Your personal API key (fu_...).")
cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="Web UI session from POST /api/session; unsafe methods also need X-CSRF-Token.",
)


@dataclass
class Session:
    user: User
    csrf: str
    expires: float


@dataclass
class SessionStore:
    """Web sessions kept in the answer store, so every server process on it knows them.

    The cookie carries a random id; the store keeps only its SHA-256. A session is valid only
    while its user is enabled: ``followup users disable`` ends it at once, everywhere.
    """

    ttl_s: float

    def create(self, state: SharedState, user: User) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        session = Session(user, secrets.token_urlsafe(32), now + self.ttl_s)
        state.create_session(session_id, user.name, session.csrf, session.expires, now)
        return session_id, session

    def get(self, state: SharedState, session_id: str) -> Session | None:
        found = state.session(session_id, time.time())
        if found is None:
            return None
        return Session(User(found.user_name, Role(found.role)), found.csrf, found.expires_at)

    def drop(self, state: SharedState, session_id: str) -> None:
        state.drop_session(session_id)


def sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def shared_state(request: Request) -> SharedState:
    return get_store(request).state


async def find_session(request: Request, session_id: str) -> Session | None:
    """The live session with this id (its user enabled), or None."""
    return await run_in_threadpool(sessions(request).get, shared_state(request), session_id)


def _check_csrf(request: Request, session: Session) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise PermissionDeniedError(
            f"Missing or wrong {CSRF_HEADER} header; reload the page and try again."
        )


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_id: Annotated[str | None, Depends(cookie)],
) -> User:
    """The caller, from a bearer API key or else a session cookie (CSRF-checked)."""
    if credentials is not None and credentials.credentials:
        store = get_store(request)
        return await run_in_threadpool(authenticate, store, credentials.credentials)
    if session_id:
        session = await find_session(request, session_id)
        if session is not None:
            _check_csrf(request, session)
            return session.user
    raise AuthenticationError(
        "Sign in: send 'Authorization: Bearer <your API key>' or log in at /login."
    )


class Access:
    """A route's access rule: the roles it admits (admin holds every role)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    async def __call__(self, user: Annotated[User, Depends(current_user)]) -> User:
        user.require(*self.roles)
        return user

    def __repr__(self) -> str:
        return f"Access({', '.join(r.value for r in self.roles)})"


class Public:
    """Marks a route as open to everyone (health checks, login, static pages)."""

    roles: tuple[Role, ...] = ()

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "Public()"


PUBLIC = Public()
ANY_USER = Access(Role.CLINICIAN, Role.REVIEWER)
CLINICIAN = Access(Role.CLINICIAN)
REVIEWER = Access(Role.REVIEWER)
