"""MedQuAD and PubMedQA importers on the real data in ../shared/data, and on broken files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.config import IndexSettings, RetrievalSettings
from assistant.errors import CorpusError
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.index.retriever import Retriever
from assistant.ingest.loader import load_corpus
from assistant.ingest.medquad import read_medquad
from assistant.ingest.pubmedqa import read_pubmedqa
from tests.support.data import CORPUS, SHARED_DATA, require_shared_data

MEDQUAD = SHARED_DATA / "medquad"
PUBMEDQA = SHARED_DATA / "pubmedqa" / "pqal_dev.json"
GARD_FILE = MEDQUAD / "2_GARD_QA" / "0004375.xml"


def real_data() -> None:
    """Skip (or, under CI, fail) when the real data sets are not there."""
    require_shared_data("medquad")
    require_shared_data("pubmedqa", "pqal_dev.json")


BROKEN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000099" source="Test" url="https://example.org/x">
<Focus>Made-up syndrome</Focus>
<QAPairs>
  <QAPair pid="1"><Question qtype="information">What is made-up syndrome ?</Question>
    <Answer>Made-up syndrome is a condition invented for this importer test.</Answer></QAPair>
  <QAPair pid="2"><Question qtype="symptoms">What are the symptoms of made-up syndrome ?</Question>
    <Answer>   </Answer></QAPair>
  <QAPair><Question qtype="treatment">How to treat made-up syndrome ?</Question>
    <Answer>Rest.</Answer></QAPair>
  <QAPair pid="4" status="under_review"><Question>Is it inherited ?</Question>
    <Answer>Nobody knows yet whether made-up syndrome is inherited.</Answer></QAPair>
</QAPairs>
</Document>
"""


def test_medquad_file_yields_one_source_per_pair_with_project_ids() -> None:
    real_data()
    items = list(read_medquad(GARD_FILE))
    docs = [d for d in items if not isinstance(d, CorpusError)]
    assert docs and len(docs) == len(items)
    assert docs[0].id == "medquad:GARD_0004375_Sec1"
    assert [d.id for d in docs] == [f"medquad:GARD_0004375_Sec{i}" for i in range(1, len(docs) + 1)]
    first = docs[0]
    assert first.status == "approved" and first.kind == "medquad"
    assert first.url and first.url.startswith("https://")
    # The question is indexed with its answer; the answer is the passage text.
    assert first.title == first.metadata["question"] and first.title.endswith("?")
    assert first.text and "  " not in first.text


def test_medquad_bad_pairs_are_reported_with_position_and_the_rest_reads(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(BROKEN_XML, encoding="utf-8")
    items = list(read_medquad(path))
    docs = [i for i in items if not isinstance(i, CorpusError)]
    errors = [i for i in items if isinstance(i, CorpusError)]
    assert [d.id for d in docs] == ["medquad:Test_0000099_Sec1", "medquad:Test_0000099_Sec4"]
    assert docs[1].status == "under_review"
    assert len(errors) == 2
    assert "QAPair 2 (pid 2)" in str(errors[0]) and "empty answer" in str(errors[0])
    assert "QAPair 3" in str(errors[1]) and "pid" in str(errors[1])
    assert all(str(path) in str(e) for e in errors)


def test_medquad_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text('<?xml version="1.0"?>\n<Document id="1" source="X">\n<QAPairs>\n', "utf-8")
    (error,) = list(read_medquad(path))
    assert isinstance(error, CorpusError) and error.line is not None
    assert "not well-formed XML" in str(error)


def test_pubmedqa_file_yields_abstracts_without_question_or_conclusion() -> None:
    real_data()
    raw = json.loads(PUBMEDQA.read_text(encoding="utf-8"))
    docs = list(read_pubmedqa(PUBMEDQA))
    assert len(docs) == len(raw) == 500
    pmid, record = next(iter(raw.items()))
    doc = docs[0]
    assert not isinstance(doc, CorpusError)
    assert doc.id == f"pubmed:{pmid}" and doc.status == "approved"
    assert record["CONTEXTS"][0][:60] in doc.text
    assert record["LONG_ANSWER"] not in doc.text and record["QUESTION"] not in doc.text


def test_pubmedqa_bad_record_is_reported_and_skipped(tmp_path: Path) -> None:
    real_data()
    raw = json.loads(PUBMEDQA.read_text(encoding="utf-8"))
    keys = list(raw)[:3]
    subset = {k: raw[k] for k in keys}
    subset[keys[1]] = {**raw[keys[1]], "CONTEXTS": []}
    path = tmp_path / "pq.json"
    path.write_text(json.dumps(subset), encoding="utf-8")
    items = list(read_pubmedqa(path))
    assert [i.id for i in items if not isinstance(i, CorpusError)] == [
        f"pubmed:{keys[0]}",
        f"pubmed:{keys[2]}",
    ]
    (error,) = [i for i in items if isinstance(i, CorpusError)]
    assert f"record 2 (PMID {keys[1]})" in str(error) and "CONTEXTS" in str(error)


def test_loader_dispatches_xml_and_json_in_a_folder(tmp_path: Path) -> None:
    real_data()
    shutil.copy(GARD_FILE, tmp_path / GARD_FILE.name)
    (tmp_path / "broken.xml").write_text(BROKEN_XML, encoding="utf-8")
    result = load_corpus([tmp_path])
    ids = {d.id for d in result.documents}
    assert "medquad:GARD_0004375_Sec1" in ids and "medquad:Test_0000099_Sec1" in ids
    assert len(result.errors) == 2


@pytest.mark.slow
def test_imported_sources_ingest_and_unapproved_pairs_are_not_searchable(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    real_data()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(GARD_FILE, corpus / GARD_FILE.name)
    (corpus / "broken.xml").write_text(BROKEN_XML, encoding="utf-8")
    raw = json.loads(PUBMEDQA.read_text(encoding="utf-8"))
    pmid = next(iter(raw))
    (corpus / "pq.json").write_text(json.dumps({pmid: raw[pmid]}), encoding="utf-8")
    report = ingest([corpus], tmp_path / "index", embedder, IndexSettings())
    assert len(report.errors) == 2
    assert ("medquad:Test_0000099_Sec4", "under_review") in report.skipped
    assert f"pubmed:{pmid}" in report.indexed
    retriever = Retriever.open(tmp_path / "index", embedder, RetrievalSettings(), IndexSettings())
    hits = retriever.search("Is made-up syndrome inherited?", k=10).hits
    assert hits and "medquad:Test_0000099_Sec4" not in {h.chunk.doc_id for h in hits}
    top = retriever.search(raw[pmid]["QUESTION"], k=3).hits
    assert top[0].chunk.doc_id == f"pubmed:{pmid}"


class _FailingEmbedder:
    """The real embedder until its ``fail_on``-th call, which raises (a crash mid-ingest)."""

    def __init__(self, inner: MiniLMEmbedder, fail_on: int) -> None:
        self.inner, self.name, self.calls, self.fail_on = inner, inner.name, 0, fail_on

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("embedding crashed")
        return self.inner.embed(texts)

    def count_wordpieces(self, text: str) -> int:
        return self.inner.count_wordpieces(text)


@pytest.mark.slow
def test_an_interrupted_ingest_keeps_what_it_embedded_and_resumes(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = IndexSettings(embed_batch_size=1)  # windows of 16 passages
    with pytest.raises(RuntimeError, match="embedding crashed"):
        ingest([CORPUS], tmp_path / "index", _FailingEmbedder(embedder, 3), settings)
    resumed = ingest([CORPUS], tmp_path / "index", embedder, settings)
    assert resumed.chunks_embedded == resumed.chunks_total - 2 * 16
    again = ingest([CORPUS], tmp_path / "index", embedder, settings)
    assert again.chunks_embedded == 0
