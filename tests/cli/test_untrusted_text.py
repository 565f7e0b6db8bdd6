"""Untrusted text on the terminal channels: questions with undecodable bytes, lone surrogates or
no visible text get one clear error (no traceback, nothing stored); corpus text with terminal
escapes, direction overrides and markup never reaches the terminal raw."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import InvalidRequestError
from assistant.render import answer_text
from assistant.safe_text import QUESTION_PATTERN, check_question, terminal_safe
from tests.support.data import POISONED_QUESTION, REPO

RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")
MARKUP = ("<script", "<iframe", "<b>", "javascript:", "](", "evil.example/beacon")


def _followup(data_dir: Path, *args: str | bytes, stdin: bytes | None = None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FOLLOWUP_LLM"))}
    env |= {"FOLLOWUP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=300,
    )
    return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace")


@pytest.fixture()
def sample_dir(sample_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(sample_index / "index", target / "index")
    return target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ud800 x", "not valid text"),
        ("\udcff dose", "not valid text"),
        ("\u200b\u200b", "no visible text"),
        ("\u202e \u2066\u2069\u200f", "no visible text"),
        ("\u00ad\u2060", "no visible text"),
        ("a\x1b[2J", "control characters"),
    ],
)
def test_unusable_questions_are_refused_by_name(text: str, expected: str) -> None:
    with pytest.raises(InvalidRequestError, match=expected):
        check_question(text, 100)


def test_direction_controls_are_removed_from_a_question() -> None:
    assert check_question("dose\u202e of \u200bmebendazole\u2066?", 100) == "dose of mebendazole?"


def test_schema_pattern_agrees_with_the_check() -> None:
    import re

    pattern = re.compile(QUESTION_PATTERN)
    for text in ("\ud800 x", "\u200b\u200b", "\u202e", "a\x1b", " "):
        assert not pattern.match(text)
    for text in ("dose?", "x\u202e", "Dosis für Kinder?"):
        assert pattern.match(text)
        check_question(text, 100)


def test_terminal_safe_shows_escapes_instead_of_sending_them() -> None:
    shown = terminal_safe("a\x1b[31mred\x9b\u202ex\udcff\n\tok")
    assert shown == "a\\x1b[31mred\\x9b\\u202ex\\udcff\n\tok"


def test_ask_with_undecodable_bytes_is_one_error_line(sample_dir: Path) -> None:
    code, out = _followup(sample_dir, "ask", b"\xff dose of mebendazole")
    assert code == 2, out
    assert "not valid text" in out and "Traceback" not in out
    assert not (sample_dir / "followup.db").exists() or "conversation" not in out


def test_chat_refuses_bad_lines_and_answers_the_next(sample_dir: Path) -> None:
    lines = b"\xff\xfe dose\n\xe2\x80\x8b\xe2\x80\x8b\nWhat dose of mebendazole for a child?\n"
    code, out = _followup(sample_dir, "chat", stdin=lines)
    assert code == 2, out  # the bad lines are errors: reported, the rest answered, exit 2
    assert "Traceback" not in out
    assert "not valid text" in out and "no visible text" in out
    assert out.count("Pending human review — answer ") == 1
    assert "2 question(s) failed" in out


def test_poisoned_source_reaches_the_terminal_inert(poisoned_index: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(poisoned_index / "index", data_dir / "index")
    code, out = _followup(data_dir, "ask", POISONED_QUESTION)
    assert code == 0, out
    assert "[1]" in out and "Quoted source text:" in out
    assert "5 mg" in out
    for raw in RAW + MARKUP:
        assert raw not in out, raw
    assert "\\x1b[2J" in out  # shown, so a reader sees that the title held an escape
    code, listed = _followup(data_dir, "articles")
    assert code == 0 and "\x1b" not in listed


def test_rendered_record_is_free_of_markup_and_escapes(services: object) -> None:
    from assistant.models import AnswerRecord, Citation

    citation = Citation(
        n=1,
        source_id="s",
        chunk_id="s#0",
        title="\x1b]0;t\x07<img src=x onerror=alert(1)>Title",
        url="javascript:alert(1)",
        passage="<script>x()</script>Dose is 5 mg [a](javascript:y) ![i](https://e.example/i)",
    )
    record = AnswerRecord.model_construct(
        id="a" * 32,
        answer="Dose is 5 mg [1].",
        citations=[citation],
        disclaimer="Disclaimer.",
        review_status=__import__("assistant.models").models.ReviewStatus.PENDING,
        related_questions=[],
    )
    text = answer_text(record)
    for raw in (*RAW, "<img", "onerror", "<script", "javascript:", "](", "e.example"):
        assert raw not in text, raw
    assert 'Quoted source text: "Dose is 5 mg a"' in text
