"""The index backends the contract suite runs against (h-pg adds a PostgreSQL param)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.config import IndexSettings
from assistant.index.base import Index
from assistant.index.factory import open_index

# Opens the backend's index; ``create=True`` as ingest does.
OpenIndex = Callable[..., Index]


@pytest.fixture(params=["embedded"])
def index_backend(request: pytest.FixtureRequest, tmp_path: Path) -> OpenIndex:
    """A function opening a fresh, empty index of one backend (same one on every call)."""
    settings = IndexSettings(path=tmp_path / "index")
    folder = tmp_path / "index"

    def opener(*, create: bool = False) -> Index:
        return open_index(settings, folder, create=create)

    return opener
