"""Web UI sign-in: exchange an API key for a session cookie and a CSRF token.

Failed sign-in attempts are throttled per client address (``server.signin_per_minute``,
shared by every process on the store): 429 with Retry-After past it. A successful sign-in does
not count, so a ward behind one address is not locked out by its own colleagues.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from assistant.review.users import User, authenticate
from server.auth import ANY_USER, PUBLIC, SESSION_COOKIE, cookie, find_session, sessions
from server.deps import get_settings, get_store
from server.limits import RateLimiter
from server.schemas import LoginIn, Me

router = APIRouter(prefix="/api/session", tags=["session"])


def client_address(request: Request) -> str:
    """The peer address (a proxy in front should set the real one via uvicorn's
    ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


@router.post("", response_model=Me, dependencies=[Depends(PUBLIC)])
async def login(body: LoginIn, request: Request, response: Response) -> Me:
    """Sign in with your API key; sets an HttpOnly session cookie and returns the CSRF token."""
    answers = get_store(request)
    settings = get_settings(request).server
    throttle = RateLimiter(settings.signin_per_minute, kind="sign-in attempts")
    client = client_address(request)
    await throttle.acheck(answers.state, client)
    user = await run_in_threadpool(authenticate, answers, body.api_key)
    await throttle.refund(answers.state, client)
    store = sessions(request)
    session_id, session = await run_in_threadpool(store.create, answers.state, user)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return Me(name=user.name, role=user.role.value, csrf_token=session.csrf)


@router.get("", response_model=Me)
async def whoami(
    request: Request,
    user: Annotated[User, Depends(ANY_USER)],
    session_id: Annotated[str | None, Depends(cookie)],
) -> Me:
    """Who is signed in (and the session's CSRF token, for pages loaded later)."""
    session = await find_session(request, session_id) if session_id else None
    return Me(name=user.name, role=user.role.value, csrf_token=session.csrf if session else None)


@router.delete("", status_code=204)
async def logout(
    request: Request,
    response: Response,
    _: Annotated[User, Depends(ANY_USER)],
    session_id: Annotated[str | None, Depends(cookie)],
) -> Response:
    """Sign out: forget the session (on every server) and clear its cookie."""
    if session_id:
        state = get_store(request).state
        await run_in_threadpool(sessions(request).drop, state, session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
