"""The index backends the contract suite runs against (h-pg adds a PostgreSQL param)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import IndexSettings
from assistant.index.base import Index
from assistant.index.factory import open_index
from tests.support.indexes import OpenIndex
from tests.support.pg_index import fresh_schema, pg_index_url, pgvector_url  # noqa: F401


@pytest.fixture(params=["embedded", pytest.param("postgres", marks=pytest.mark.postgres)])
def index_backend(request: pytest.FixtureRequest, tmp_path: Path) -> OpenIndex:
    """A function opening a fresh, empty index of one backend (same one on every call)."""
    url = None
    if request.param == "postgres":  # a fresh schema on the session's pgvector server
        url = fresh_schema(request.getfixturevalue("pgvector_url"))
    settings = IndexSettings(path=tmp_path / "index", url=url)
    folder = tmp_path / "index"

    def opener(*, create: bool = False) -> Index:
        return open_index(settings, folder, create=create)

    return opener
