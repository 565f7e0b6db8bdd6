"""Incremental ingest with the real embedder, Chroma and BM25 on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import IndexSettings, RetrievalSettings
from assistant.errors import UnavailableError
from assistant.index.factory import open_index
from assistant.index.indexer import IngestReport, ingest
from assistant.index.retriever import Retriever
from assistant.index.sentences import quotable_sentences
from assistant.index.vector_store import ChromaStore
from tests.support.data import CORPUS
from tests.support.embedders import CountingEmbedder, HashEmbedder

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
    chunks = catalog.doc_chunks("umbilical-cord-prolapse")
    edited = {c.embedding_text for c in chunks}
    sentences = {s for c in chunks for s in quotable_sentences(c.text)}
    assert set(counting_embedder.embedded) <= edited | sentences
    assert edited & set(counting_embedder.embedded)
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


# Findings of issue 11 (a duplicate id, single-file ingest, a damaged index), each reproduced
# on real Chroma and bm25s; the fake embedder keeps them fast (vectors' meaning is not tested).

FAKE = "mebendazole-ascariasis-child"


def fake_run(corpus: Path | list[Path], index: Path, **options: object) -> IngestReport:
    paths = corpus if isinstance(corpus, list) else [corpus]
    return ingest(paths, index, HashEmbedder(), IndexSettings(), **options)  # type: ignore[arg-type]


def indexed_text(index: Path, doc_id: str) -> str:
    catalog = open_index(IndexSettings(), index).catalog
    return " ".join(c.text for c in catalog.doc_chunks(doc_id))


def test_a_duplicate_id_never_replaces_the_indexed_article(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    fake_run(corpus, index, prune=True)
    real = corpus / "articles" / f"{FAKE}.md"
    assert "500 mg" in indexed_text(index, FAKE)
    fake = corpus / "articles" / "000-planted.md"  # sorts before the real file
    fake.write_text(real.read_text().replace("500 mg", "900 mg"))
    report = fake_run(corpus, index, prune=True)
    (error,) = report.errors
    assert f"duplicate id '{FAKE}'" in str(error) and str(fake) in str(error)
    assert str(real) in str(error)
    assert "900 mg" not in indexed_text(index, FAKE) and "500 mg" in indexed_text(index, FAKE)
    assert FAKE not in report.removed and not report.committed


def test_ingest_of_one_file_adds_it_and_removes_nothing(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    full = fake_run(corpus, index, prune=True)
    one = corpus / "articles" / "umbilical-cord-prolapse.md"
    one.write_text(one.read_text().replace("## Direct answer\n", "## Direct answer\nZyxel.\n"))
    report = fake_run(one, index)
    assert report.removed == [] and report.chunks_total == full.chunks_total
    assert len(report.kept) == len(full.indexed) - 1
    assert "Zyxel" in indexed_text(index, "umbilical-cord-prolapse")
    assert open_index(IndexSettings(), index).catalog.document(FAKE) is not None


def test_removal_is_explicit_and_announced_before_any_write(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    fake_run(corpus, index, prune=True)
    (corpus / "articles" / f"{FAKE}.md").unlink()
    events: list[str] = []
    dry = fake_run(
        corpus, index, prune=True, dry_run=True, on_plan=lambda p: events.extend(p.remove)
    )
    assert events == [FAKE] and dry.removed == [FAKE]
    assert open_index(IndexSettings(), index).catalog.document(FAKE) is not None
    events.clear()
    report = fake_run(
        corpus, index, prune=True, on_plan=lambda p: events.append("plan"), hook=events.append
    )
    assert events[0] == "plan" and "switch" in events and report.removed == [FAKE]
    assert open_index(IndexSettings(), index).catalog.document(FAKE) is None


def test_a_file_that_fails_to_read_keeps_its_indexed_article(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    fake_run(corpus, index, prune=True)
    path = corpus / "articles" / f"{FAKE}.md"
    path.write_text(path.read_text().replace("status: approved", "status: [approved"))
    report = fake_run(corpus, index, prune=True)
    assert len(report.errors) == 1 and FAKE in report.kept and FAKE not in report.removed
    assert "500 mg" in indexed_text(index, FAKE)


def serving_folder(index: Path) -> Path:
    return index / "generations" / (index / "CURRENT").read_text().strip()


def test_a_damaged_lexical_index_is_a_clear_error_and_ingest_repairs_it(
    corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    fake_run(corpus, index, prune=True)
    lexical = serving_folder(index) / "lexical"
    ids = json.loads((lexical / "ids.json").read_text())
    (lexical / "ids.json").write_text(json.dumps([*ids, "ghost::0"]))  # ids and matrices differ
    with pytest.raises(UnavailableError, match="run `followup ingest`") as raised:
        open_index(IndexSettings(), index)
    assert raised.value.status == 503  # the server's fault, not the request's: never a 400
    report = fake_run(corpus, index, prune=True)
    assert report.repaired and report.committed and report.chunks_embedded == 0
    repaired = open_index(IndexSettings(), index)
    assert repaired.problems() == [] and repaired.lexical.count() == len(ids)


def test_vectors_lost_from_chroma_are_embedded_again(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = fake_run(corpus, index, prune=True)
    opened = open_index(IndexSettings(), index)
    lost = sorted(opened.vectors.hashes().values())[:3]
    ChromaStore(index / "chroma").delete(lost)
    assert any("missing from Chroma" in p for p in opened.problems())
    report = fake_run(corpus, index, prune=True)
    assert report.chunks_embedded == 3 and report.corpus_version == first.corpus_version
    assert open_index(IndexSettings(), index).problems() == []


def test_cli_ingest_of_one_file_keeps_the_rest_and_says_so(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.setattr("assistant.index.embedder.MiniLMEmbedder", lambda *_: HashEmbedder())
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FOLLOWUP_CORPUS_PATHS", json.dumps([str(corpus)]))
    runner = CliRunner()
    assert runner.invoke(app, ["ingest"]).exit_code == 0  # the whole corpus
    one = corpus / "articles" / "umbilical-cord-prolapse.md"
    (corpus / "articles" / f"{FAKE}.md").unlink()
    result = runner.invoke(app, ["ingest", str(one)])
    assert result.exit_code == 0, result.output
    assert "keeping" in result.output and "--prune" in result.output
    assert "removed 0 documents" in result.output
    dry = runner.invoke(app, ["ingest", "--dry-run", str(corpus)])  # the corpus path: prunes
    assert f"will remove 1 documents: {FAKE}" in dry.output and "nothing written" in dry.output
    index = tmp_path / "data" / "index"
    assert open_index(IndexSettings(), index).catalog.document(FAKE) is not None
    result = runner.invoke(app, ["ingest", "--prune", str(one)])
    assert result.output.index("will remove") < result.output.index("indexed ")
    assert open_index(IndexSettings(), index).catalog.document(FAKE) is None
