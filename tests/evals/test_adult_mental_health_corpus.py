"""The adult mental health eval corpus keeps the corpus README's rules (issue 19 item 4).

It is the first-contact corpus: the product is run on it once, before any code changes for
it. Its articles must parse, cite every sentence, quote only numbers that a cited source
states, and keep each non-approved fact out of approved content, or the first-contact
figures measured on it mean nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.ingest.loader import load_corpus
from assistant.models import Document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "corpora" / "adult-mental-health"
ARTICLES = sorted((CORPUS / "articles").glob("*.md"))
SOURCE_FILES = sorted((CORPUS / "sources").glob("*.jsonl"))
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MARKERS = re.compile(r"\[(\d+(?:,\s*\d+)*)\]")
# Non-approved article -> the strings of its unique fact (README, "Non-approved articles").
UNIQUE_FACTS = {
    "mirtazapine-depression": ("mirtazapine", "Zispin", "15 or 30 mg"),
    "rimegepant-migraine": ("rimegepant", "Vydura", "75 mg every other day"),
}


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    loaded = load_corpus([CORPUS])
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return {d.id: d for d in loaded.documents}


@pytest.fixture(scope="module")
def source_lines() -> dict[str, dict[str, str]]:
    """source id -> its JSON object, read straight from the files."""
    lines = [line for f in SOURCE_FILES for line in f.read_text(encoding="utf-8").splitlines()]
    records = [json.loads(line) for line in lines if line.strip()]
    by_id = {r["id"]: r for r in records}
    assert len(by_id) == len(records), "a source id appears twice"
    return by_id


def split_article(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def reference_ids(meta: dict[str, Any]) -> list[str]:
    """The source ids of an article's references, in marker order ([1] is the first)."""
    return [str(r["id"]) for r in meta["references"]]


def numbers_not_in_cited_sources(
    line: str, references: list[str], sources: dict[str, dict[str, str]]
) -> list[str]:
    """Numbers of each cited stretch of ``line`` that none of the passages it cites states."""
    parts = MARKERS.split(line)
    missing = []
    for text, marks in zip(parts[0::2], parts[1::2], strict=False):
        cited = [sources[references[int(m) - 1]]["text"] for m in marks.split(",")]
        for number in NUMBER.findall(text):
            alone = re.compile(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)")
            if not any(alone.search(passage) for passage in cited):
                missing.append(number)
    return missing


def test_the_corpus_has_the_articles_and_statuses_the_issue_asks_for(
    documents: dict[str, Document],
) -> None:
    articles = {p.stem: split_article(p)[0] for p in ARTICLES}
    statuses = [str(meta["status"]) for meta in articles.values()]
    assert statuses.count("approved") >= 7
    assert statuses.count("under_review") == 1 and statuses.count("submitted") == 1
    assert set(UNIQUE_FACTS) == {a for a, m in articles.items() if m["status"] != "approved"}
    for stem, meta in articles.items():
        assert meta["id"] == stem and meta["audience"] == "clinician", stem
        assert meta["question"] and meta["references"], stem
        assert documents[stem].status == meta["status"], stem
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert "SAMPLE CONTENT — NOT CLINICAL GUIDANCE" in readme
    assert all(f"`{stem}`" in readme for stem in articles)


def test_source_passages_are_short_summaries_in_our_own_words(
    source_lines: dict[str, dict[str, str]],
) -> None:
    for sid, record in source_lines.items():
        words = len(record["text"].split())
        assert 60 <= words <= 180, f"{sid}: {words} words"
        assert record["kind"] == "summary" and record["title"], sid
        assert record["status"] in ("approved", "under_review", "submitted"), sid
        assert record.get("url", "https://").startswith("https://"), sid


def test_ids_do_not_clash_with_the_sample_corpus(documents: dict[str, Document]) -> None:
    sample = load_corpus([ROOT / "corpus"])
    assert not {d.id for d in sample.documents} & set(documents)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_article_sections_and_citations_follow_the_corpus_readme(
    path: Path, source_lines: dict[str, dict[str, str]]
) -> None:
    meta, body = split_article(path)
    references = reference_ids(meta)
    assert all(r in source_lines for r in references), references
    if meta["status"] == "approved":
        assert all(source_lines[r]["status"] == "approved" for r in references)
    else:
        assert all(source_lines[r]["status"] == meta["status"] for r in references)
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings[0] == "## Direct answer" and 3 <= len(headings) <= 6, headings
    assert all(h.startswith("## ") for h in headings)
    for line in body.splitlines():
        if not line.strip() or line.startswith("## "):
            continue
        assert line.rstrip().endswith("]."), f"{path.name}: uncited text in {line!r}"
        cited = [int(m) for group in MARKERS.findall(line) for m in group.split(",")]
        assert cited and all(1 <= m <= len(references) for m in cited), line


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_every_number_in_an_article_sentence_is_stated_by_a_source_it_cites(
    path: Path, source_lines: dict[str, dict[str, str]]
) -> None:
    meta, body = split_article(path)
    references = reference_ids(meta)
    for line in body.splitlines():
        if line.strip() and not line.startswith("## "):
            missing = numbers_not_in_cited_sources(line, references, source_lines)
            assert not missing, f"{path.name}: {missing} not in the sources cited by {line!r}"


def test_the_number_check_catches_a_number_its_source_does_not_state(
    source_lines: dict[str, dict[str, str]],
) -> None:
    refs = ["champix-varenicline-smpc", "imigran-sumatriptan-smpc"]
    good = "Varenicline 0.5 mg once daily [1] or sumatriptan 50 mg [2]."
    assert numbers_not_in_cited_sources(good, refs, source_lines) == []
    bad = "Varenicline 3.5 mg is given [1], sumatriptan 100 mg [2], for 9 days [1, 2]."
    assert numbers_not_in_cited_sources(bad, refs, source_lines) == ["3.5", "9"]


@pytest.mark.parametrize("article", sorted(UNIQUE_FACTS))
def test_each_non_approved_fact_is_found_nowhere_in_approved_content(
    article: str, documents: dict[str, Document], source_lines: dict[str, dict[str, str]]
) -> None:
    sources = reference_ids(split_article(CORPUS / "articles" / f"{article}.md")[0])
    for needle in UNIQUE_FACTS[article]:
        pattern = re.compile(re.escape(needle), re.IGNORECASE)
        leaks = [
            d.id
            for d in documents.values()
            if d.status == "approved" and pattern.search(f"{d.title}\n{d.text}")
        ]
        assert not leaks, f"{needle!r} is in approved content: {leaks}"
        files = [p.stem for p in ARTICLES if pattern.search(p.read_text(encoding="utf-8"))]
        assert files == [article], f"{needle!r} appears in articles {files}"
        lines = [sid for sid, r in source_lines.items() if pattern.search(json.dumps(r))]
        assert set(lines) <= set(sources), f"{needle!r} appears in sources {lines}"
        assert pattern.search(documents[article].text), f"{needle!r} not in the body of {article}"
