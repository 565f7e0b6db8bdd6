"""Start-up without an index, and the demo users `make run` creates."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.cli_serve import demo_keys
from assistant.config import Settings
from assistant.review.store import AnswerStore
from assistant.review.users import authenticate
from server.app import create_app


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
