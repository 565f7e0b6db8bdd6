"""The web UI's HTML pages (static files; their scripts fetch data from the API)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import FileResponse, Response

from assistant.language.markers import javascript_module
from server.auth import PUBLIC

STATIC = FilePath(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(PUBLIC)])


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html")


@router.get("/static/js/markers.js")
async def marker_grammar() -> Response:
    """The citation-marker grammar for the UI, generated from the one Python definition."""
    return Response(javascript_module(), media_type="text/javascript")


@router.get("/")
async def home() -> FileResponse:
    return _page("index.html")


@router.get("/login")
async def login_page() -> FileResponse:
    return _page("login.html")


@router.get("/chat")
async def chat_page() -> FileResponse:
    return _page("chat.html")


@router.get("/review")
async def review_page() -> FileResponse:
    return _page("review.html")


@router.get("/docs")
async def api_docs() -> FileResponse:
    return _page("docs.html")


@router.get("/articles/{article_id}")
async def article_page(article_id: Annotated[str, Path(max_length=200)]) -> FileResponse:
    return _page("article.html")
