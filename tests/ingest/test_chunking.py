"""Chunks fit the embedding model's window and keep their heading and reference ids."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from assistant.config import IndexSettings
from assistant.index.embedder import MAX_WORDPIECES, MiniLMEmbedder
from assistant.ingest.chunking import chunk_document, count_tokens
from assistant.ingest.loader import load_corpus
from assistant.models import Document
from tests.support.data import CORPUS, SHARED_DATA


def _medquad_documents(limit: int) -> list[Document]:
    docs = []
    for path in sorted((SHARED_DATA / "medquad").rglob("*.xml")):
        root = ET.parse(path).getroot()
        for pair in root.iter("QAPair"):
            answer = (pair.findtext("Answer") or "").strip()
            if len(answer) > 1500:
                docs.append(
                    Document(
                        id=f"mq{len(docs)}",
                        title=pair.findtext("Question") or "",
                        text=answer,
                        kind="medquad",
                        status="approved",
                        origin=str(path),
                    )
                )
        if len(docs) >= limit:
            break
    return docs[:limit]


def test_every_chunk_fits_the_wordpiece_window(embedder: MiniLMEmbedder) -> None:
    settings = IndexSettings()
    documents = load_corpus([CORPUS]).documents
    if (SHARED_DATA / "medquad").exists():
        documents += _medquad_documents(40)
    chunks = list(
        itertools.chain.from_iterable(
            chunk_document(d, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
            for d in documents
        )
    )
    assert len(chunks) > 100
    longest = max(embedder.count_wordpieces(c.embedding_text) for c in chunks)
    assert longest <= MAX_WORDPIECES, f"a chunk would be truncated ({longest} WordPieces)"
    assert max(count_tokens(c.embedding_text) for c in chunks) <= settings.chunk_tokens + 5


def test_chunks_keep_heading_and_reference_ids() -> None:
    article = next(d for d in load_corpus([CORPUS]).documents if d.id == "ldn-fibromyalgia-dosing")
    chunks = chunk_document(article, max_tokens=150, overlap=20)
    assert all(c.heading for c in chunks)
    assert {c.heading for c in chunks} >= {"Direct answer"}
    reference_ids = {r.id for r in article.references}
    cited = set(itertools.chain.from_iterable(c.reference_ids for c in chunks))
    assert cited and cited <= reference_ids


def test_a_source_chunk_refers_to_itself() -> None:
    doc = Document(
        id="s1", title="T", text="One. " * 400, kind="summary", status="approved", origin="x"
    )
    chunks = chunk_document(doc, max_tokens=120, overlap=10)
    assert len(chunks) > 3
    assert all(c.reference_ids == ("s1",) for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize("budget", [60, 100, 200])
def test_budget_is_respected(budget: int) -> None:
    doc = Document(
        id="s", title="A title", text="word " * 2000, kind="summary", status="approved", origin="x"
    )
    assert all(
        count_tokens(c.embedding_text) <= budget + 5
        for c in chunk_document(doc, max_tokens=budget, overlap=0)
    )
