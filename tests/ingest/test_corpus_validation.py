"""A malformed corpus file is reported with its file and line or field; the rest still loads."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.index.catalog import StoredCatalog
from assistant.index.indexer import unresolved_references
from assistant.ingest.articles import parse_article
from assistant.ingest.loader import Limits, load_corpus

GOOD = """---
id: good-article
title: "A good article"
status: approved
audience: clinician
last_updated: 2026-01-14
references:
  - id: src-a
    citation: "Org. A real title. Publisher, 2020."
---
## Direct answer
Mebendazole is given as 500 mg once [1].
"""


SMALL = {"title": "T", "text": "fine"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(text: str, tmp_path: Path) -> CorpusError:
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(CorpusError) as caught:
        parse_article(path, text)
    assert str(path) in str(caught.value)
    return caught.value


def test_good_article_parses(tmp_path: Path) -> None:
    doc = parse_article(tmp_path / "good.md", GOOD)
    assert doc.id == "good-article" and doc.status == "approved"
    assert doc.references[0].id == "src-a"
    assert doc.metadata["last_updated"] == "2026-01-14"


def test_missing_front_matter_names_line_1(tmp_path: Path) -> None:
    error = error_for("## Just a body\ntext\n", tmp_path)
    assert error.line == 1
    assert "front matter" in str(error)


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('title: "A good article"', 'title: "unclosed')
    error = error_for(text, tmp_path)
    assert error.line is not None and 3 <= error.line <= 10  # inside the front matter
    assert "YAML" in str(error)


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    text = '---\nid: x\ntitle: "open\nstatus: approved\nreferences: []\nlast: 1\n---\nBody.\n'
    error = error_for(text, tmp_path)  # PyYAML notices it at the end (line 6)
    assert error.line == 3 and "quoted scalar" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("status: approved", "status: [approved", 4),  # unclosed bracket
        ("audience: clinician", "\taudience: clinician", 5),  # a tab cannot start a token
        ("audience: clinician", "audience: a: b", 5),  # a mapping inside a plain value
    ],
)
def test_yaml_errors_name_the_line_to_fix(tmp_path: Path, old: str, new: str, line: int) -> None:
    error = error_for(GOOD.replace(old, new), tmp_path)
    assert error.line == line, str(error)


def test_bad_status_names_field_and_line(tmp_path: Path) -> None:
    error = error_for(GOOD.replace("status: approved", "status: published"), tmp_path)
    assert error.field == "status" and error.line == 4
    assert "bad.md:4 (field 'status')" in str(error)


def test_missing_required_field_is_named(tmp_path: Path) -> None:
    error = error_for(GOOD.replace('title: "A good article"\n', ""), tmp_path)
    assert error.field == "title"


def test_citation_without_reference_names_body_line(tmp_path: Path) -> None:
    error = error_for(GOOD.replace("once [1].", "once [1].\nAnother claim [3]."), tmp_path)
    assert error.line == 13
    assert "[3]" in str(error)


def test_jsonl_bad_line_is_reported_and_others_load(tmp_path: Path) -> None:
    write(tmp_path, "articles/good.md", GOOD)
    write(
        tmp_path,
        "sources/s.jsonl",
        '{"id": "src-a", "title": "A", "text": "Mebendazole 500 mg once."}\n'
        "{not json\n"
        '{"id": "src-b", "title": "B"}\n'
        '{"id": "src-c", "title": "C", "text": "Fine.", "status": "under_review"}\n',
    )
    write(tmp_path, "articles/broken.md", "no front matter")
    result = load_corpus([tmp_path])
    assert sorted(d.id for d in result.documents) == ["good-article", "src-a", "src-c"]
    messages = sorted(str(e) for e in result.errors)
    assert any("broken.md:1" in m for m in messages)
    assert any("s.jsonl:2" in m and "invalid JSON" in m for m in messages)
    assert any("s.jsonl:3 (field 'text')" in m for m in messages)


def test_a_duplicate_id_names_both_files_and_neither_is_taken(tmp_path: Path) -> None:
    write(tmp_path, "b-real.md", GOOD)
    write(tmp_path, "a-fake.md", GOOD.replace("500 mg", "900 mg"))
    result = load_corpus([tmp_path])
    assert result.documents == [] and result.held == {"good-article"}
    (error,) = result.errors
    assert "duplicate id 'good-article'" in str(error)
    assert str(tmp_path / "a-fake.md") in str(error) and str(tmp_path / "b-real.md") in str(error)


def test_deeply_nested_jsonl_line_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    good = '{"id": "s1", "title": "T", "text": "fine"}'
    write(tmp_path, "s.jsonl", good + "\n" + "[" * 200_000 + "\n" + good.replace("s1", "s2"))
    result = load_corpus([tmp_path])
    assert [d.id for d in result.documents] == ["s1", "s2"]
    (error,) = result.errors
    assert f"{tmp_path / 's.jsonl'}:2:" in str(error) and "nested" in str(error)


def test_a_20_mb_article_is_refused_quickly_naming_the_file(tmp_path: Path) -> None:
    big = write(tmp_path, "big.md", GOOD + "Mebendazole is given once [1].\n" * 700_000)
    assert big.stat().st_size > 20_000_000
    started = time.perf_counter()
    result = load_corpus([tmp_path])
    assert time.perf_counter() - started < 1.0
    assert result.documents == []
    (error,) = result.errors
    assert str(big) in str(error) and "over the limit" in str(error)


def test_a_file_over_the_size_limit_is_refused_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "big.jsonl", '{"id": "s1", "title": "T", "text": "fine"}\n' * 3)
    result = load_corpus([tmp_path], Limits(max_file_bytes=100))
    assert result.documents == []
    assert f"{tmp_path / 'big.jsonl'}: file is 129 bytes, over the limit of 100" in str(
        result.errors[0]
    )


def test_a_document_over_the_size_limit_is_refused_and_held(tmp_path: Path) -> None:
    lines = [{"id": "huge", "title": "T", "text": "word " * 30_000}, {"id": "ok", **SMALL}]
    write(tmp_path, "s.jsonl", "\n".join(json.dumps(line) for line in lines))
    result = load_corpus([tmp_path], Limits(max_document_chars=100_000))
    assert [d.id for d in result.documents] == ["ok"] and result.held == {"huge"}
    assert f"{tmp_path / 's.jsonl'}:1: document 'huge' has 149,999 characters" in str(
        result.errors[0]
    )


def test_a_reference_to_no_source_is_a_warning_naming_the_file(tmp_path: Path) -> None:
    article = write(tmp_path, "a.md", GOOD)
    write(tmp_path, "s.jsonl", '{"id": "other", "title": "T", "text": "x"}\n')
    loaded = load_corpus([tmp_path])
    (warning,) = unresolved_references(loaded, StoredCatalog())
    assert str(article) in str(warning) and "'src-a' matches no source" in str(warning)
    write(tmp_path, "s.jsonl", '{"id": "src-a", "title": "T", "text": "x"}\n')
    assert unresolved_references(load_corpus([tmp_path]), StoredCatalog()) == []


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus([tmp_path / "nowhere"])
