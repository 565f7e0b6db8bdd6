"""One live server per session (real uvicorn on 127.0.0.1, real index and SQLite store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, prepare_data_dir, start_server


@pytest.fixture(scope="session")
def live(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The shared server; generous limits so suites do not trip the rate limit."""
    data_dir = tmp_path_factory.mktemp("live-server")
    keys = prepare_data_dir(data_dir, sample_index / "index")
    server = start_server(data_dir, keys, rate_per_minute="100000", max_generations="4")
    yield server
    server.stop()
