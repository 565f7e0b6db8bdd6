"""The ONNX embedder gives the torch model's vectors, and a cold `ask` never imports torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.config import IndexSettings
from assistant.index.embedder import MiniLMEmbedder, ensure_fast_embedder, open_embedder
from assistant.index.onnx_embedder import OnnxMiniLMEmbedder, onnx_file
from tests.support.data import CORPUS, REPO


@pytest.fixture(scope="session")
def onnx_settings(embedder: MiniLMEmbedder) -> IndexSettings:
    """Index settings whose model cache holds a checked export (made once per machine)."""
    settings = IndexSettings()
    ensure_fast_embedder(settings, embedder)
    return settings


def test_onnx_vectors_match_the_torch_model_on_corpus_passages(
    onnx_settings: IndexSettings, embedder: MiniLMEmbedder
) -> None:
    fast = open_embedder(onnx_settings)
    assert isinstance(fast, OnnxMiniLMEmbedder)
    texts = [p.read_text(encoding="utf-8")[:2000] for p in sorted(CORPUS.rglob("*.md"))]
    texts += ["LDN 4.5 mg?", "naltrexon dose", ""]
    agreement = np.sum(fast.embed(texts) * embedder.embed(texts), axis=1)
    assert agreement.min() >= 0.9999
    for word in ("naltrexone", "pembrolizumab", "a"):
        assert fast.count_wordpieces(word) == embedder.count_wordpieces(word)


def test_torch_setting_keeps_sentence_transformers(onnx_settings: IndexSettings) -> None:
    chosen = open_embedder(onnx_settings.model_copy(update={"embedder": "torch"}))
    assert isinstance(chosen, MiniLMEmbedder)


def test_missing_export_falls_back_to_torch_in_auto(tmp_path: Path) -> None:
    settings = IndexSettings(model_cache=tmp_path)
    assert not onnx_file(tmp_path).exists()
    assert isinstance(open_embedder(settings), MiniLMEmbedder)


def test_cold_ask_answers_without_importing_torch(
    onnx_settings: IndexSettings, sample_index: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index / "index", data / "index")
    code = (
        "import sys, json\n"
        "from assistant.cli import app\n"
        "try:\n"
        "    app(['ask', '--json', 'Mebendazole dose for a child with roundworm?'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(json.dumps({'torch': 'torch' in sys.modules}), file=sys.stderr)\n"
    )
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    env["FOLLOWUP_INDEX__MODEL_CACHE"] = str(onnx_settings.model_cache)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"torch": False}
    record = json.loads(done.stdout)
    assert record["citations"] and "500 mg" in record["answer"]
