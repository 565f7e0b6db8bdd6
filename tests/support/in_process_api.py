"""The real API in this process, through its ASGI interface: Starlette's ``TestClient`` (an
``httpx.Client`` on an ASGI transport) runs the app's lifespan, with no port and no subprocess.
The parts are composed with the session's embedder instead of loading the model a second time.
The loopback server (``tests.support.live_server``) stays the real-parts way in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.compose import Composed, compose
from assistant.config import Settings
from assistant.index.embedder import Embedder
from server.app import create_app


def with_embedder(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app compose its parts around ``embedder``."""

    def build(settings: Settings) -> Composed:
        return compose(settings, embedder=embedder, environ={})

    monkeypatch.setattr("server.app.compose", build)


def wait_ready(client: TestClient, timeout_s: float = 120) -> httpx.Response:
    """The /readyz answer once the app has left 'starting' (its warm-up rehearsal done)."""
    deadline = time.monotonic() + timeout_s
    while (ready := client.get("/readyz")).json()["status"] == "starting":
        assert time.monotonic() < deadline, "never left 'starting'"
        time.sleep(0.2)
    return ready


@contextmanager
def in_process_api(
    settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """A client of the app over ``settings``, ready to answer."""
    with_embedder(embedder, monkeypatch)
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        yield client
