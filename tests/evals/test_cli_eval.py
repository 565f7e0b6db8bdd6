"""`followup eval` end to end: real index, real pipeline, report files and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.support.data import CORPUS

CASES = [
    {
        "id": "dose",
        "question": "At what dose does naltrexone switch from partial to full opioid blockade?",
        "relevant": {"ldn-fibromyalgia-dosing": 2, "fda-label-naltrexone": 2},
        "unknown_field": "ignored",
    },
    {
        "id": "follow-up",
        "question": "And what does the 50 mg dose do?",
        "history": ["What dose range counts as low-dose naltrexone?"],
        "relevant": {"ldn-fibromyalgia-dosing": 2, "fda-label-naltrexone": 2},
    },
    {
        "id": "out-of-scope",
        "question": "What is the starting dose of atorvastatin for primary prevention?",
        "must_refuse": True,
    },
]


@pytest.fixture()
def workspace(sample_index: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_index / "index", tmp_path / "index")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in CASES) + "\n", encoding="utf-8")
    return tmp_path


def _eval(workspace: Path, *extra: str) -> tuple[int, str]:
    args = ["eval", str(workspace / "cases.jsonl"), "--corpus", str(CORPUS)]
    args += ["--index", str(workspace / "index"), "--out", str(workspace / "out"), *extra]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


@pytest.mark.slow
def test_eval_scores_cases_through_the_pipeline_and_passes_met_thresholds(workspace: Path) -> None:
    code, output = _eval(workspace, "--min", "ndcg@10=0.5", "--min", "disclaimer=1")
    assert code == 0, output
    report = json.loads((workspace / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["cases"] == 3 and report["errors"] == 0
    assert report["index"]["embedded_now"] == 0  # the existing index was reused
    assert report["retrieval"]["final"]["cases"] == 2
    assert report["retrieval"]["final"]["mrr@10"] == pytest.approx(1.0)
    for variant in ("final", "dense", "bm25"):
        assert 0 < report["retrieval"][variant]["ndcg@10"] <= 1
    answers = report["answers"]
    assert answers["compliance"] == {
        "disclaimer": 1.0,
        "pending_review": 1.0,
        "citations_resolve": 1.0,
        "numbers_grounded": 1.0,
    }
    assert answers["refusal_cases"] == 1 and answers["refusal_accuracy"] == 1.0
    rows = {r["id"]: r for r in report["per_case"]}
    assert "follow-up to:" in rows["follow-up"]["standalone_question"]
    assert rows["dose"]["cited_sources"] and rows["dose"]["refused"] is False
    assert rows["out-of-scope"]["refused"] is True and not rows["out-of-scope"]["cited_sources"]
    assert report["latency_ms"]["generate"]["p95"] > 0
    markdown = (workspace / "out" / "report.md").read_text(encoding="utf-8")
    assert "| final |" in markdown and "| bm25 |" in markdown
    assert "pass: ndcg@10" in markdown
    assert (workspace / "out" / "data" / "followup.db").exists()  # answers were persisted


@pytest.mark.slow
def test_eval_exits_non_zero_naming_the_metric_under_its_threshold(workspace: Path) -> None:
    config = workspace / "config.json"
    config.write_text(json.dumps({"name": "tiny", "thresholds": {"mrr@10": 0.5}}), "utf-8")
    code, output = _eval(
        workspace, "--retrieval-only", "--config", str(config), "--min", "ndcg@10=1.01"
    )
    assert code == 1, output
    assert "FAIL ndcg@10" in output and "ok   mrr@10" in output
    report = json.loads((workspace / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["passed"] is False and report["dataset"] == "tiny"


def test_eval_reports_a_bad_case_file_with_its_line(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "question": "ok?"}\n{"id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(cases), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "cases.jsonl:2" in result.output and "question" in result.output
