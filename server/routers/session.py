"""Web UI sign-in: exchange an API key for a session cookie and a CSRF token.

Sign-in attempts are throttled per client address (``server.signin_per_minute``, wrong keys
included, shared by every process on the store): 429 with Retry-After past it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from assistant.review.users import User, authenticate
from server.auth import ANY_USER, PUBLIC, SESSION_COOKIE, cookie, find_session, sessions
from server.deps import get_services
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
    services = get_services(request)
    settings = services.settings.server
    throttle = RateLimiter(settings.signin_per_minute, kind="sign-in attempts")
    await throttle.acheck(services.store.state, client_address(request))
    user = await run_in_threadpool(authenticate, services.store, body.api_key)
    store = sessions(request)
    session_id, session = await run_in_threadpool(store.create, services.store.state, user)
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
        services = get_services(request)
        await run_in_threadpool(sessions(request).drop, services.store.state, session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
