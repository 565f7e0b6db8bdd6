"""Liveness and readiness probes (public: they reveal nothing but whether the index is open).

Ready means a question can be answered now: the embedding model is loaded and a real tiny
query ran through it, the vector index and the lexical index; the answer store answers; and
the generation slots are not all held past the queue timeout (saturated, or a holder stuck).
Every check runs afresh on each probe, with a deadline, so readiness follows the database: a
store or index that went away is reported within seconds, and ready again once it is back.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.compose import Composed
from assistant.errors import FollowupError
from assistant.index.retriever import Retriever
from server.auth import PUBLIC

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)])

PROBE_QUERY = "dose"  # a real query: embeds, searches both indexes, fuses
CHECK_TIMEOUT_S = 4.0  # a probe answers within this, whatever the database does


def warm_up(retriever: Retriever) -> None:
    """Load the embedding model and open the indexes by answering a tiny query."""
    retriever.search(PROBE_QUERY, k=1)


def _not_ready(status: str, detail: str) -> JSONResponse:
    return JSONResponse({"status": status, "detail": detail}, 503)


@router.get("/healthz")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def _check(built: Composed) -> dict[str, Any]:
    """Run the index query and the store ping; the slot leases as the store holds them."""
    warm_up(built.retriever)
    built.store.ping()
    return {"leases": built.store.state.slots(time.time())}


@router.get(
    "/readyz",
    responses={503: {"description": "Starting, not ready (no index, store away) or saturated"}},
)
async def ready(request: Request) -> JSONResponse:
    """Ready to answer: embedding model loaded, both indexes answer a query, store reachable,
    generation slots not all stuck. ``starting`` (503) while the model loads; ``not_ready``
    (503) with the reason; ``saturated`` (503) when every slot has been held longer than a
    question waits for one."""
    built: Composed | None = request.app.state.composed
    if built is None:
        return _not_ready("not_ready", str(request.app.state.startup_error))
    warming: asyncio.Task[None] | None = request.app.state.warm_up
    if warming is not None and not warming.done():
        return _not_ready(
            "starting", "Loading the embedding model and warming up; retry in a few seconds."
        )
    try:
        checked = await asyncio.wait_for(run_in_threadpool(_check, built), timeout=CHECK_TIMEOUT_S)
    except TimeoutError:
        late = f"The index or the answer store did not answer within {CHECK_TIMEOUT_S:g} s."
        return _not_ready("not_ready", late)
    except FollowupError as exc:
        return _not_ready("not_ready", str(exc))
    except Exception as exc:  # a broken index or model is a state to report, not a crash
        return _not_ready("not_ready", f"A test query failed: {type(exc).__name__}.")
    queue = request.app.state.slots
    slots = queue.report(checked["leases"], time.time())
    body: dict[str, Any] = {"generation": asdict(slots)}
    if slots.stuck(queue.timeout_s):
        detail = (
            f"All {slots.limit} generation slots are held, one for {slots.oldest_held_s:g} s "
            f"(longer than a question waits, {queue.timeout_s:g} s): questions get 503 now."
        )
        return JSONResponse({"status": "saturated", "detail": detail, **body}, 503)
    catalog = built.catalog
    return JSONResponse(
        {
            "status": "ready",
            "corpus_version": catalog.corpus_version,
            "documents": len(catalog.documents()),
            **body,
        }
    )
