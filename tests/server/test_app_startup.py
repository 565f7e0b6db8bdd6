"""Start-up without an index, and the demo users `make run` creates."""

from __future__ import annotations

import logging
import stat
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.cli.serve import demo_keys
from assistant.compose import Composed
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.review.store import AnswerStore
from assistant.review.users import authenticate
from server.app import create_app
from tests.support.data import settings_for
from tests.support.in_process_api import wait_ready, with_embedder


def test_without_an_index_the_server_says_to_ingest(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "followup ingest" in ready.json()["detail"]
        answer = client.get("/api/articles", headers={"Authorization": "Bearer fu_x"})
        assert answer.status_code == 503
        assert "followup ingest" in answer.json()["error"]["message"]


def test_demo_users_are_created_once_with_private_keys(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = demo_keys(settings)
    again = demo_keys(settings)
    assert first == again and set(first) == {"demo-clinician", "demo-reviewer"}
    mode = stat.S_IMODE((tmp_path / "demo-keys.txt").stat().st_mode)
    assert mode == 0o600
    store = AnswerStore(settings.store_path)
    try:
        assert authenticate(store, first["demo-reviewer"]).role.value == "reviewer"
    finally:
        store.close()


class GatedEmbedder:
    """The real embedder, held back until the test opens the gate (a model still loading)."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner, self.name, self.gate = inner, inner.name, threading.Event()
        self.broken = False

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.gate.wait(timeout=120)
        if self.broken:
            raise RuntimeError("model file unreadable")
        return self.inner.embed(texts)

    def count_wordpieces(self, text: str) -> int:
        return self.inner.count_wordpieces(text)


def _app_with(embedder: GatedEmbedder, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    with_embedder(embedder, monkeypatch)
    return create_app(settings_for(data_dir))


def test_ready_only_once_a_question_can_be_answered(
    services: Composed,
    embedder: MiniLMEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="followup.server")
    gated = GatedEmbedder(embedder)
    app = _app_with(gated, services.settings.data_dir, monkeypatch)
    with TestClient(app) as client:
        starting = client.get("/readyz")
        assert starting.status_code == 503 and starting.json()["status"] == "starting"
        gated.gate.set()  # the model has loaded
        ready = wait_ready(client)
        assert ready.status_code == 200 and ready.json()["documents"] > 0
    # Ready after a rehearsal answer (so the first clinicians do not each warm the process up),
    # which went to a throw-away store: the review queue and the audit chain are untouched.
    assert any("warmed up" in r.getMessage() for r in caplog.records)
    assert services.store.list_answers() == [] and services.store.verify_chain().entries == 0


def test_a_model_that_cannot_embed_is_not_ready(
    services: Composed, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = GatedEmbedder(embedder)
    gated.broken = True
    gated.gate.set()
    app = _app_with(gated, services.settings.data_dir, monkeypatch)
    with TestClient(app) as client:
        ready = wait_ready(client)
        assert ready.status_code == 503 and ready.json()["status"] == "not_ready"
        assert "RuntimeError" in ready.json()["detail"]
