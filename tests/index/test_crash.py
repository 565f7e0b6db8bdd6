"""Crash injection: an ingest killed before any one of its write steps never breaks the index.

Each run kills a real ingest process (``os._exit`` from the write hook, so no cleanup runs)
before one step; the index must still answer from a whole generation, and the next ingest must
end with an index that answers and whose catalog, vectors and BM25 agree. Real Chroma and
bm25s on disk; the embedder is a deterministic fake (the vectors' meaning is not under test).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import IndexSettings, RetrievalSettings
from assistant.index.factory import open_index
from assistant.index.indexer import ingest
from assistant.index.retriever import Retriever
from tests.index.crash_ingest import KILLED
from tests.support.corpus_edits import DELETED, EDITED, edit_corpus, small_corpus
from tests.support.data import REPO
from tests.support.embedders import HashEmbedder


def run_killed(corpus: Path, index: Path, crash_at: int, steps: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "tests.index.crash_ingest"]
    args = [str(corpus), str(index), str(crash_at), str(steps)]
    return subprocess.run([*cmd, *args], env=env, cwd=REPO, timeout=300).returncode


def forget_chroma() -> None:
    """Drop this process's cached Chroma clients: another process has written the folder.

    Chroma keeps one client per path per process and does not see another process's writes.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def serving(index: Path) -> tuple[str, set[str]]:
    """(corpus version, documents found for a mebendazole query) of what now serves."""
    forget_chroma()
    opened = open_index(IndexSettings(), index)
    assert opened.problems() == []
    retriever = Retriever.over(opened, HashEmbedder(), RetrievalSettings(top_k=50))
    hits = retriever.search("mebendazole dose for a child Zyxel").hits
    assert hits and all(opened.catalog.chunk(h.chunk.id) == h.chunk for h in hits)
    return opened.catalog.corpus_version, {h.chunk.doc_id for h in hits}


@pytest.mark.slow
def test_a_crash_at_every_write_step_leaves_a_whole_generation_serving(tmp_path: Path) -> None:
    corpus, index, snapshot = small_corpus(tmp_path / "corpus"), tmp_path / "i", tmp_path / "v1"
    ingest([corpus], index, HashEmbedder(), IndexSettings(), prune=True)
    v1, v1_docs = serving(index)
    assert DELETED in v1_docs
    shutil.copytree(index, snapshot)
    edit_corpus(corpus)
    assert run_killed(corpus, index, -1, tmp_path / "steps") == 0
    steps = (tmp_path / "steps").read_text().split("\n")
    v2, v2_docs = serving(index)
    assert v2 != v1 and DELETED not in v2_docs and EDITED in v2_docs
    written = {"vectors.upsert", "sentences.put", "lexical.ids", "lexical.matrices"}
    assert written | {"sentences.write", "switch", "gc.sentences"} <= set(steps)
    assert steps.count("vectors.upsert") >= 2

    for n, step in enumerate(steps):
        shutil.rmtree(index)
        shutil.copytree(snapshot, index)
        assert run_killed(corpus, index, n, tmp_path / "unused") == KILLED, step
        switched = n > steps.index("switch")
        assert serving(index)[0] == (v2 if switched else v1), f"killed before {step}"
        forget_chroma()
        report = ingest([corpus], index, HashEmbedder(), IndexSettings(), prune=True)
        assert serving(index) == (v2, v2_docs), f"after a crash before {step}"
        assert report.corpus_version == v2
