"""Liveness and readiness probes (public: they reveal nothing but whether the index is open)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from server.auth import PUBLIC

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)])


@router.get("/healthz")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready (e.g. no index yet)"}})
async def ready(request: Request) -> JSONResponse:
    """Ready to answer: index open and answer store reachable."""
    services = request.app.state.services
    if services is None:
        detail = str(request.app.state.startup_error)
        return JSONResponse({"status": "not_ready", "detail": detail}, 503)
    services.store.ping()
    catalog = services.catalog
    return JSONResponse(
        {
            "status": "ready",
            "corpus_version": catalog.corpus_version,
            "documents": len(catalog.documents()),
        }
    )
