"""The SQLite answer store survives reopening and migrates idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import NotFoundError
from assistant.models import AnswerRecord
from assistant.review.store import AnswerStore


def record(conversation_id: str, n: int) -> AnswerRecord:
    return AnswerRecord(
        id=f"a{n}",
        conversation_id=conversation_id,
        question=f"q{n}",
        standalone_question=f"q{n}",
        answer="text [1].",
        disclaimer="d",
        generator="extractive",
        corpus_version="v",
    )


def test_answers_survive_reopening(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "db.sqlite")
    conversation = store.create_conversation(owner="dr.a", anchor_article_id="art")
    store.save_answer(record(conversation.id, 1))
    store.save_answer(record(conversation.id, 2))
    store.close()
    reopened = AnswerStore(tmp_path / "db.sqlite")
    assert [a.id for a in reopened.conversation_answers(conversation.id)] == ["a1", "a2"]
    assert reopened.get_answer("a1").review_status.value == "pending_review"
    assert reopened.get_conversation(conversation.id).anchor_article_id == "art"


def test_missing_records_raise_not_found(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "db.sqlite")
    with pytest.raises(NotFoundError):
        store.get_answer("nope")
    with pytest.raises(NotFoundError):
        store.get_conversation("nope")


def test_store_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "db.sqlite")
    assert store.db.read("PRAGMA journal_mode")[0][0] == "wal"
    assert store.db.read("PRAGMA synchronous")[0][0] == 2  # FULL
