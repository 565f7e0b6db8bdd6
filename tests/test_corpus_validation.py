"""A malformed corpus file is reported with its file and line or field; the rest still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.ingest.articles import parse_article
from assistant.ingest.loader import load_corpus

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


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    result = load_corpus([tmp_path])
    assert len(result.documents) == 1
    assert "duplicate id 'good-article'" in str(result.errors[0])


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus([tmp_path / "nowhere"])
