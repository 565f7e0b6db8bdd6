"""Incremental ingest with the real embedder, Chroma and BM25 on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import IndexSettings, RetrievalSettings
from assistant.index.factory import open_index
from assistant.index.indexer import IngestReport, ingest
from assistant.index.retriever import Retriever
from tests.conftest import CORPUS, CountingEmbedder

ARTICLES = [
    "mebendazole-ascariasis-child",
    "umbilical-cord-prolapse",
    "albendazole-ascariasis-alternative",
]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A small copy of the sample corpus that tests may edit."""
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    for name in ARTICLES:
        shutil.copy(CORPUS / "articles" / f"{name}.md", root / "articles")
    shutil.copytree(CORPUS / "sources", root / "sources")
    return root


def run(corpus: Path, index: Path, embedder: CountingEmbedder) -> IngestReport:
    embedder.embedded.clear()
    return ingest([corpus], index, embedder, IndexSettings(), prune=True)


def search_ids(index: Path, embedder: CountingEmbedder, query: str) -> set[str]:
    retriever = Retriever.open(index, embedder, RetrievalSettings(top_k=50), IndexSettings())
    return {hit.chunk.doc_id for hit in retriever.search(query).hits}


def test_unchanged_corpus_embeds_nothing(
    corpus: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    first = run(corpus, tmp_path / "index", counting_embedder)
    assert first.chunks_embedded == first.chunks_total > 0
    again = run(corpus, tmp_path / "index", counting_embedder)
    assert again.chunks_embedded == 0 and counting_embedder.embedded == []
    assert again.corpus_version == first.corpus_version


def test_one_edit_re_embeds_only_that_article(
    corpus: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    index = tmp_path / "index"
    run(corpus, index, counting_embedder)
    path = corpus / "articles" / "umbilical-cord-prolapse.md"
    path.write_text(
        path.read_text().replace(
            "## Direct answer\n", "## Direct answer\nSample edit sentence.\n", 1
        )
    )
    report = run(corpus, index, counting_embedder)
    assert 0 < report.chunks_embedded <= 3
    catalog = open_index(IndexSettings(), index).catalog
    edited = {c.embedding_text for c in catalog.doc_chunks("umbilical-cord-prolapse")}
    assert set(counting_embedder.embedded) <= edited
    assert "umbilical-cord-prolapse" in search_ids(index, counting_embedder, "Sample edit sentence")


def test_deleted_or_unapproved_article_disappears(
    corpus: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    index = tmp_path / "index"
    run(corpus, index, counting_embedder)
    query = "mebendazole dose for a child with roundworm"
    assert "mebendazole-ascariasis-child" in search_ids(index, counting_embedder, query)

    path = corpus / "articles" / "mebendazole-ascariasis-child.md"
    path.write_text(path.read_text().replace("status: approved", "status: under_review"))
    report = run(corpus, index, counting_embedder)
    assert report.chunks_removed > 0 and report.chunks_embedded == 0
    assert ("mebendazole-ascariasis-child", "under_review") in report.skipped
    assert "mebendazole-ascariasis-child" not in search_ids(index, counting_embedder, query)

    path.unlink()
    report = run(corpus, index, counting_embedder)
    assert "mebendazole-ascariasis-child" not in report.indexed


def test_malformed_file_is_reported_and_the_rest_ingests(
    corpus: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    (corpus / "articles" / "broken.md").write_text("---\nid: broken\nstatus: [\n---\nbody\n")
    report = run(corpus, tmp_path / "index", counting_embedder)
    assert len(report.errors) == 1 and "broken.md" in str(report.errors[0])
    assert "umbilical-cord-prolapse" in report.indexed


def test_status_filter_keeps_unapproved_articles_out(
    corpus: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    report = run(corpus, tmp_path / "index", counting_embedder)
    assert ("albendazole-ascariasis-alternative", "under_review") in report.skipped
    ids = search_ids(
        tmp_path / "index", counting_embedder, "albendazole single dose 400 mg ascariasis"
    )
    assert "albendazole-ascariasis-alternative" not in ids
    assert not any("albendazole" in doc for doc in ids)
