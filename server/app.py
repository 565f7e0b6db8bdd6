"""The FastAPI application: clients built in the lifespan and injected, one router per
resource, errors mapped in one place (server.errors), security headers and limits as middleware.

Run it with ``followup serve`` (or ``uvicorn server.app:create_app --factory``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assistant.compose import Composed, compose
from assistant.config import Settings
from assistant.errors import FollowupError
from assistant.warm import rehearse
from server import errors
from server.auth import SessionStore
from server.headers import SecurityHeaders
from server.limits import BodySizeLimit, GenerationSlots, RateLimiter
from server.routers import (
    articles,
    chat,
    health,
    openai_compat,
    pages,
    review,
    session,
    triage,
)
from server.routers.pages import STATIC
from server.schemas import ERROR_RESPONSES

log = logging.getLogger("followup.server")

DESCRIPTION = """Cited, disclaimed answers from the approved corpus, each stored pending human
review. Authenticate with `Authorization: Bearer <API key>` (create one with
`followup users add NAME --role clinician`), or sign in to the web UI at `/login`."""


async def _warm(built: Composed) -> None:
    try:  # the rehearsal's answer loads the model and searches both indexes, as warm_up does
        seconds = await asyncio.to_thread(rehearse, built.pipeline, built.catalog)
        log.info("warmed up: a rehearsal answer took %.1f s", seconds)
    except Exception as exc:  # /readyz runs the query again and reports the failure
        log.error("warm-up failed: %s", type(exc).__name__)


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.composed = None
        app.state.startup_error = None
        app.state.warm_up = None
        try:
            app.state.composed = compose(settings)
        except FollowupError as exc:
            # Serve anyway: readiness and every data route say what to do (e.g. run ingest).
            log.error("not ready: %s", exc)
            app.state.startup_error = exc
        else:
            # Loading the embedding model takes seconds: serve probes meanwhile (not ready).
            app.state.warm_up = asyncio.create_task(_warm(app.state.composed))
        try:
            yield
        finally:
            if app.state.warm_up is not None:
                await asyncio.wait([app.state.warm_up])  # a thread cannot be cancelled
            if app.state.composed is not None:
                app.state.composed.close()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its clients are created when it starts (lifespan), not at import."""
    settings = settings or Settings()
    limits = settings.server
    app = FastAPI(
        title="Followup",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=_lifespan(settings),
        docs_url=None,  # /docs is our own page: the default loads scripts from a CDN, inline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessions = SessionStore(ttl_s=limits.session_hours * 3600)
    app.state.limiter = RateLimiter(limits.rate_per_minute)
    app.state.slots = GenerationSlots(
        limits.max_generations,
        limits.queue_timeout_s,
        max_queue=limits.max_queue,
        lease_s=limits.slot_lease_s,
    )
    errors.install(app)
    for module in (health, session, articles, chat, review, triage, openai_compat):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
