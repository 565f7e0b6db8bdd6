"""Fixtures for the model-backed generator: the adversarial server and services built on it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.compose import Composed, compose
from assistant.config import LLMSettings
from assistant.index.embedder import MiniLMEmbedder
from tests.support.adversary import Adversary, start
from tests.support.data import settings_for
from tests.support.live_server import LiveServer, prepare_data_dir, start_server
from tests.support.model_answers import MakeServices


@pytest.fixture(scope="session")
def adversary_server() -> Iterator[Adversary]:
    adversary, server = start()
    yield adversary
    server.shutdown()


@pytest.fixture()
def adversary(adversary_server: Adversary) -> Adversary:
    """The loopback server with a fresh script and request log for this test."""
    adversary_server.reset()
    return adversary_server


@pytest.fixture()
def make_services(
    sample_index: Path, tmp_path: Path, embedder: MiniLMEmbedder
) -> Iterator[MakeServices]:
    """Build Composed over a copy of an index with the model at ``base_url``.

    The environment is not consulted (``environ={}``): a developer's OPENAI_API_KEY never
    reaches a test.
    """
    built: list[Composed] = []

    def make(base_url: str | None, index: Path = sample_index, **llm: Any) -> Composed:
        data_dir = tmp_path / f"data{len(built)}"
        shutil.copytree(index / "index", data_dir / "index")
        llm.setdefault("model", "adversary")
        # Scripted replies are free text unless a test asks for select mode.
        llm.setdefault("mode", "write")
        llm.setdefault("timeout_s", 10.0)
        settings = settings_for(data_dir, llm=LLMSettings(base_url=base_url, **llm))
        services = compose(settings, embedder=embedder, environ={})
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


@pytest.fixture()
def live_with_model(
    adversary: Adversary,
    sample_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    """A real ``followup serve`` on loopback whose model is the scripted server (write mode)."""
    for name in [k for k in os.environ if k.startswith(("OPENAI_", "FOLLOWUP_LLM"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FOLLOWUP_LLM__BASE_URL", adversary.url)
    monkeypatch.setenv("FOLLOWUP_LLM__MODEL", "adversary")
    monkeypatch.setenv("FOLLOWUP_LLM__MODE", "write")
    monkeypatch.setenv("FOLLOWUP_LLM__TIMEOUT_S", "20")
    keys = prepare_data_dir(tmp_path / "live", sample_index / "index")
    server = start_server(tmp_path / "live", keys, rate_per_minute="1000")
    yield server
    server.stop()
