"""Library errors mapped to HTTP responses, in one place.

Every error answer is JSON ``{"error": {"type", "message"}}``; no traceback ever leaves the
server. A library error carries its own HTTP status and ``retry_after`` (``assistant.errors``),
so one generic handler answers them all; a bare FollowupError is a 400, never a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import errors

log = logging.getLogger("followup.server")


def error_body(kind: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"type": kind, "message": message}}


def followup_response(exc: errors.FollowupError) -> JSONResponse:
    """The one response for every library error: its class's status, its name and message,
    and the headers its category calls for."""
    headers = {}
    if exc.status == 401:  # a 401 names the scheme to authenticate with (RFC 9110)
        headers["WWW-Authenticate"] = 'Bearer realm="followup"'
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(error_body(type(exc).__name__, str(exc)), exc.status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at ``path``."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= route.methods or set()
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a JSON 4xx (or a bare 500 for bugs)."""

    @app.exception_handler(errors.FollowupError)
    async def _followup(_: Request, exc: errors.FollowupError) -> JSONResponse:
        return followup_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("InvalidRequestError", _validation_message(exc)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        status = exc.status_code
        if status == 400 and "parsing the body" in message:
            # Undecodable bytes are invalid input like malformed JSON: one status for both.
            status, message = 422, "The request body is not valid UTF-8 JSON; send a JSON object."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route's methods; list every route on the path.
            headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
            message = f"{request.method} is not allowed here; use {headers['Allow']}."
        return JSONResponse(error_body("HTTPError", message), status, headers=headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: log it server-side (no request body, no credentials).
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("InternalError", "Something went wrong on the server; it was logged."), 500
        )
