"""Shared fixtures: one real embedder and one real index of the sample corpus per session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.compose import Composed, compose
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from tests.support.data import CORPUS, POISONED_SOURCE, settings_for
from tests.support.embedders import CountingEmbedder


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture()
def counting_embedder(embedder: MiniLMEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A data dir holding a real Chroma + BM25 index of the sample corpus (built once)."""
    data_dir = tmp_path_factory.mktemp("sample-index")
    settings = settings_for(data_dir)
    report = ingest([CORPUS], settings.index_dir, embedder, settings.index)
    assert not report.errors, report.errors
    return data_dir


@pytest.fixture()
def services(sample_index: Path, tmp_path: Path, embedder: MiniLMEmbedder) -> Iterator[Composed]:
    """The composition over the shared sample index with a fresh answer store for each test."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copytree(sample_index / "index", data_dir / "index")
    built = compose(settings_for(data_dir), embedder=embedder, environ={})
    yield built
    built.close()


@pytest.fixture(scope="session")
def poisoned_index(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A data dir whose index holds only the poisoned source (quick to embed)."""
    data_dir = tmp_path_factory.mktemp("poisoned-index")
    corpus = data_dir / "corpus"
    corpus.mkdir()
    (corpus / "poison.jsonl").write_text(json.dumps(POISONED_SOURCE) + "\n")
    settings = settings_for(data_dir)
    report = ingest([corpus], settings.index_dir, embedder, settings.index)
    assert not report.errors, report.errors
    return data_dir


@pytest.fixture()
def data_dir(sample_index: Path, tmp_path: Path) -> Path:
    """A data dir holding a copy of the sample index, for the CLI run as a subprocess."""
    target = tmp_path / "data"
    shutil.copytree(sample_index / "index", target / "index")
    return target
