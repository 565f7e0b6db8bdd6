"""The `followup` command end to end, as a subprocess over a real index and store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import followup
from tests.support.data import REPO

PENDING = "Pending human review — answer "
DISCLAIMER_START = "Professional medical disclaimer"


def test_ask_prints_answer_references_disclaimer_and_status(data_dir: Path) -> None:
    result = followup(data_dir, "ask", "What dose of mebendazole for a 14 kg child with roundworm?")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1]" in out and "\nReferences\n" in out
    assert DISCLAIMER_START in out
    assert PENDING in out
    assert out.index("References") < out.index(DISCLAIMER_START) < out.index(PENDING)


def test_ask_json_prints_the_stored_record(data_dir: Path) -> None:
    result = followup(data_dir, "ask", "--json", "Is polyethylene glycol safe in pregnancy?")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["review_status"] == "pending_review"
    assert record["disclaimer"].startswith(DISCLAIMER_START)
    assert record["citations"] and all(c["passage"] for c in record["citations"])
    assert {
        "id",
        "conversation_id",
        "standalone_question",
        "corpus_version",
        "retrieval",
    } <= record.keys()


@pytest.mark.parametrize(("command", "option"), [("eval", "--claims"), ("serve", "--port")])
def test_every_command_runs_as_a_module_too(data_dir: Path, command: str, option: str) -> None:
    result = followup(data_dir, command, "--help")
    assert result.returncode == 0, result.stderr
    assert option in result.stdout


def test_refusal_also_carries_disclaimer_and_status(data_dir: Path) -> None:
    result = followup(data_dir, "ask", "What is the capital of France?")
    assert result.returncode == 0
    assert "cannot answer" in result.stdout
    assert DISCLAIMER_START in result.stdout and PENDING in result.stdout
    assert "References" not in result.stdout


def test_chat_understands_follow_ups(data_dir: Path) -> None:
    result = followup(
        data_dir,
        "chat",
        "--article",
        "ldn-fibromyalgia-dosing",
        stdin="What dose gives full opioid blockade?\nand at 4.5 mg?\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(PENDING) == 2
    assert result.stdout.count(DISCLAIMER_START) == 2
    assert "4.5 mg" in result.stdout.split(PENDING)[1]
    assert "conversation " in result.stdout


def test_errors_are_messages_not_tracebacks(data_dir: Path) -> None:
    for args in (["ask", "   "], ["ask", "--article", "no-such-article", "dose?"]):
        result = followup(data_dir, *args)
        assert result.returncode == 2
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr + result.stdout


def test_ask_without_an_index_says_to_ingest(tmp_path: Path) -> None:
    result = followup(tmp_path / "empty", "ask", "anything?")
    assert result.returncode == 2
    assert "followup ingest" in result.stderr


def test_ingest_reports_file_and_line_and_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus" / "sources", corpus / "sources")
    (corpus / "sources" / "bad.jsonl").write_text(
        '{"id": "x", "title": "T", "text": "ok"}\n{oops\n'
    )
    result = followup(tmp_path / "data", "ingest", str(corpus))
    assert result.returncode == 1
    assert f"{corpus / 'sources' / 'bad.jsonl'}:2: invalid JSON" in result.stderr
    assert "failed 1" in result.stdout and "indexed" in result.stdout
    assert "skipped" in result.stdout  # the unapproved sources are listed as skipped


@pytest.mark.parametrize(
    "args",
    [
        ["chat", "--article", "nope"],
        ["chat", "--conversation", "no-such-conversation"],
        ["chat", "--audience", "alien"],
    ],
)
def test_chat_that_cannot_start_says_why_and_exits_non_zero(
    data_dir: Path, args: list[str]
) -> None:
    result = followup(data_dir, *args, stdin="what dose?\n")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert PENDING not in result.stdout  # nothing was answered or stored
    assert "Traceback" not in result.stderr + result.stdout


def test_chat_answers_every_question_and_exits_non_zero_when_one_failed(data_dir: Path) -> None:
    lines = "What dose of mebendazole for a child?\n" + "x" * 5000 + "\nAnd for an adult?\n"
    result = followup(data_dir, "chat", stdin=lines)
    assert result.returncode == 2, result.stderr
    assert result.stdout.count(PENDING) == 2  # the questions around the bad one were answered
    assert "limit is" in result.stderr and "1 question(s) failed" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "--audience", "alien", "dose?"],
        ["ask", "--conversation", "no-such-conversation", "dose?"],
        ["ask", "x" * 5000],
        ["eval", str(REPO / "no-such-cases.jsonl")],
        ["eval"],
        ["ingest", str(REPO / "no-such-folder")],
        ["users", "add", "someone", "--role", "emperor"],
    ],
)
def test_every_error_exits_non_zero(data_dir: Path, args: list[str]) -> None:
    result = followup(data_dir, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_eval_fails_when_a_case_cannot_run(data_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    rows = [{"id": "too-long", "question": "x" * 5000}, {"id": "ok", "question": "LDN dose?"}]
    cases.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "out"
    result = followup(
        data_dir, "eval", str(cases), "--index", str(data_dir / "index"), "--out", str(out)
    )
    assert result.returncode == 1, (result.stdout, result.stderr)  # no threshold was given
    assert "1 case(s) failed to run" in result.stderr
    assert (out / "report.md").exists()  # the report is still written
