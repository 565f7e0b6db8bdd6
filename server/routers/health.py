"""Liveness and readiness probes (public: they reveal nothing but whether the index is open).

Ready means a question can be answered now: the embedding model is loaded and a real tiny
query ran through it, the vector index and the lexical index; and the answer store answers.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import FollowupError
from assistant.services import Services
from server.auth import PUBLIC

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)])

PROBE_QUERY = "dose"  # a real query: embeds, searches both indexes, fuses


def warm_up(services: Services) -> None:
    """Load the embedding model and open the indexes by answering a tiny query."""
    services.retriever.search(PROBE_QUERY, k=1)


def _not_ready(status: str, detail: str) -> JSONResponse:
    return JSONResponse({"status": status, "detail": detail}, 503)


@router.get("/healthz")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Starting, or not ready (no index)"}})
async def ready(request: Request) -> JSONResponse:
    """Ready to answer: embedding model loaded, both indexes answer a query, store reachable.
    ``starting`` (503) while the model loads; ``not_ready`` (503) with the reason otherwise."""
    services = request.app.state.services
    if services is None:
        return _not_ready("not_ready", str(request.app.state.startup_error))
    warming: asyncio.Task[None] | None = request.app.state.warm_up
    if warming is not None and not warming.done():
        return _not_ready(
            "starting", "Loading the embedding model and warming up; retry in a few seconds."
        )
    try:
        await run_in_threadpool(warm_up, services)  # fast once loaded: one short query
        services.store.ping()
    except FollowupError as exc:
        return _not_ready("not_ready", str(exc))
    except Exception as exc:  # a broken index or model is a state to report, not a crash
        return _not_ready("not_ready", f"A test query failed: {type(exc).__name__}.")
    catalog = services.catalog
    return JSONResponse(
        {
            "status": "ready",
            "corpus_version": catalog.corpus_version,
            "documents": len(catalog.documents()),
        }
    )
