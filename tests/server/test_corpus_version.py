"""An answer's ``corpus_version`` is that of the generation its passages came from (issue 24,
finding 4), on a PostgreSQL index that another server re-ingests while the answer is made.

The probe saw 7 of 402 answers during repeated ingests record a corpus version their quoted
passages did not come from: the version was read from the serving catalog after retrieval, and
that catalog reloads (within a second) when another process commits an ingest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.compose import Composed, compose
from assistant.config import IndexSettings, Settings
from assistant.index.factory import open_index
from assistant.index.postgres import open_postgres_index
from assistant.index.retriever import Retrieval
from assistant.pipeline import Ask, answer
from tests.support.data import CORPUS
from tests.support.pg_index import copy_index, fresh_schema, pgvector_url  # noqa: F401

pytestmark = pytest.mark.postgres

QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"


@pytest.fixture
def services(
    sample_index: Path,
    pgvector_url: str,  # noqa: F811
    embedder: Any,
    tmp_path: Path,
) -> Iterator[tuple[Composed, str]]:
    url = fresh_schema(pgvector_url)
    copy_index(open_index(IndexSettings(), sample_index / "index"), url)
    settings = Settings(
        data_dir=tmp_path / "data", corpus_paths=[CORPUS], index=IndexSettings(url=url)
    )
    built = compose(settings, embedder=embedder, environ={})
    yield built, url
    built.close()


def commit_without(url: str, keep: set[str]) -> str:
    """Another server's ingest: a new generation without one document no hit came from.
    Returns the new generation's corpus version."""
    index = open_postgres_index(url)
    try:
        doc = next(d for d in index.catalog.documents() if d.id not in keep)
        with index.begin() as tx:
            gone = [c.id for c in tx.catalog.doc_chunks(doc.id)]
            tx.catalog.remove(doc.id)
            tx.vectors.delete(gone)
            tx.lexical.replace((c.id, c.embedding_text) for c in tx.catalog.chunks())
            tx.commit()
        reopened = open_postgres_index(url)
        try:
            return reopened.catalog.corpus_version
        finally:
            reopened.close()
    finally:
        index.close()


def test_the_corpus_version_is_the_one_the_passages_were_retrieved_from(
    services: tuple[Composed, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, url = services
    before = built.catalog.corpus_version
    search = built.retriever.search
    seen: dict[str, Any] = {}

    def search_then_ingest(*args: Any, **kwargs: Any) -> Retrieval:
        found = search(*args, **kwargs)
        cited = {h.chunk.doc_id for h in found.hits}
        seen["after"] = commit_without(url, cited | {d.id for d in built.catalog.articles()})
        built.catalog.invalidate()  # type: ignore[attr-defined]  # as after its 1 s refresh
        seen["texts"] = {h.chunk.id: h.chunk.text for h in found.hits}
        return found

    monkeypatch.setattr(built.retriever, "search", search_then_ingest)
    record = answer(built.pipeline, Ask(QUESTION))
    assert record.citations, record.answer
    assert built.catalog.corpus_version == seen["after"] != before  # the catalog reloaded
    assert record.corpus_version == before  # ... but the answer's passages are from `before`
    assert all(c.passage and c.chunk_id in seen["texts"] for c in record.citations)
