"""Crash injection on the PostgreSQL index: an ingest killed before any write step changes nothing.

The same corpus edit as tests/index/test_crash.py, ingested by a real process that exits with
``os._exit`` (no rollback, no cleanup) before its N-th write step, for every N. PostgreSQL
rolls the dead connection's transaction back, so the previous generation must keep serving
whole, and the next ingest must bring the index to the edited corpus.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import IndexSettings, RetrievalSettings
from assistant.index.factory import open_index
from assistant.index.indexer import ingest
from assistant.index.retriever import Retriever
from tests.support.corpus_edits import DELETED, EDITED, edit_corpus, small_corpus
from tests.support.data import REPO
from tests.support.embedders import HashEmbedder
from tests.support.pg_index import fresh_schema

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
KILLED = 17
KILLED_INGEST = """
import os, sys
from pathlib import Path
from assistant.config import IndexSettings
from assistant.index.indexer import ingest
from tests.support.embedders import HashEmbedder

corpus, url, crash_at, steps_file = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
steps = []

def hook(step):
    if len(steps) == crash_at:
        os._exit(17)
    steps.append(step)

settings = IndexSettings(url=url, embed_batch_size=1)
ingest([corpus], corpus / "unused", HashEmbedder(), settings, prune=True, hook=hook)
Path(steps_file).write_text("\\n".join(steps), encoding="utf-8")
"""


def run_killed(corpus: Path, url: str, crash_at: int, steps: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", KILLED_INGEST, str(corpus), url, str(crash_at), str(steps)]
    return subprocess.run(cmd, env=env, cwd=REPO, timeout=300).returncode


def serving(url: str) -> tuple[str, set[str]]:
    """(corpus version, documents found for a mebendazole query) of what now serves."""
    opened = open_index(IndexSettings(url=url), Path("unused"))
    try:
        assert opened.problems() == []
        retriever = Retriever.over(opened, HashEmbedder(), RetrievalSettings(top_k=50))
        hits = retriever.search("mebendazole dose for a child Zyxel").hits
        assert hits and all(opened.catalog.chunk(h.chunk.id) == h.chunk for h in hits)
        return opened.catalog.corpus_version, {h.chunk.doc_id for h in hits}
    finally:
        opened.close()


def test_a_crash_at_every_write_step_changes_nothing(
    tmp_path: Path,
    pgvector_url: str,
) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    url, rehearsal = fresh_schema(pgvector_url), fresh_schema(pgvector_url)
    for target in (url, rehearsal):
        ingest([corpus], tmp_path / "unused", HashEmbedder(), IndexSettings(url=target), prune=True)
    v1, v1_docs = serving(url)
    assert DELETED in v1_docs
    edit_corpus(corpus)
    # A rehearsal on a second schema records the write steps of this very ingest.
    assert run_killed(corpus, rehearsal, -1, tmp_path / "steps") == 0
    steps = (tmp_path / "steps").read_text().split("\n")
    v2, v2_docs = serving(rehearsal)
    assert v2 != v1 and DELETED not in v2_docs and EDITED in v2_docs
    assert {"vectors.upsert", "lexical.write", "switch"} <= set(steps)
    assert steps.count("vectors.upsert") >= 2

    for n, step in enumerate(steps):
        assert run_killed(corpus, url, n, tmp_path / "unused") == KILLED, step
        assert serving(url) == (v1, v1_docs), f"killed before {step}"
    report = ingest(
        [corpus], tmp_path / "unused", HashEmbedder(), IndexSettings(url=url), prune=True
    )
    assert serving(url) == (v2, v2_docs) and report.corpus_version == v2
