"""An approved article's page says it is approved, and by whom and when where that is known:
the review store's approval of the answer it was published from, never "pending review"."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.compose import Composed, compose
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.review.publish import article_id, publish
from assistant.review.store import AnswerStore
from assistant.review.users import add_user
from assistant.review.workflow import approve
from server.app import create_app
from tests.conftest import CORPUS, settings_for
from tests.review.conftest import make_record, seen
from tests.server.live import LiveServer


def test_a_corpus_article_is_approved_not_pending(live: LiveServer) -> None:
    with live.client("alice") as client:
        article = client.get("/api/articles/ldn-fibromyalgia-dosing").json()
    assert article["approval"] == {
        "approved_by": None,
        "approved_at": "2026-01-14",
        "recorded_in": "corpus",
        "answer_id": None,
    }
    disclaimer = article["disclaimer"]
    assert "this article is approved" in disclaimer
    assert "2026-01-14" in disclaimer and "does not record by whom" in disclaimer
    assert "pending" not in disclaimer.lower() and "this answer" not in disclaimer


@pytest.fixture()
def published(sample_index: Path, tmp_path: Path, embedder: MiniLMEmbedder) -> tuple[Settings, str]:
    """A data dir whose index also holds an answer rita approved, published and then promoted
    to ``approved`` by the editorial board; returns its settings and alice's API key."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_index / "index", data_dir / "index")
    settings = settings_for(data_dir)
    store = AnswerStore.from_settings(settings)
    try:
        rita, _ = add_user(store, "rita", "reviewer")
        _, key = add_user(store, "alice", "clinician")
        record = make_record(store.create_conversation(owner="alice").id)
        store.save_answer(record)
        approve(store, record.id, rita, **seen(store, record.id))
        path = publish(store, record.id, rita, tmp_path / "published")
    finally:
        store.close()
    path.write_text(path.read_text().replace("status: submitted", "status: approved"))
    report = ingest([CORPUS, tmp_path / "published"], settings.index_dir, embedder, settings.index)
    assert not report.errors, report.errors
    return settings, key


def test_a_published_answer_names_its_approver_from_the_store(
    published: tuple[Settings, str], embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, key = published

    def build(given: Settings) -> Composed:
        return compose(given, embedder=embedder, environ={})

    monkeypatch.setattr("server.app.compose", build)
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").json()["status"] == "starting":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {key}"}
        listed = client.get("/api/articles", headers=headers).json()
        ours = next(a["id"] for a in listed if a["id"].startswith("answer-"))
        article = client.get(f"/api/articles/{ours}", headers=headers).json()
    approval = article["approval"]
    assert approval["approved_by"] == "rita" and approval["recorded_in"] == "review store"
    assert ours == article_id(approval["answer_id"])
    day = approval["approved_at"][:10]
    assert f"approved (by rita on {day}, review decision on answer" in article["disclaimer"]
    assert "pending" not in article["disclaimer"].lower()
