"""Migration 3 on a store that already holds answers, and on processes opening it at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models import AnswerRecord, utc_now
from assistant.review import audit, workflow
from assistant.review.db import SQLiteDatabase
from assistant.review.migrations import MIGRATIONS
from assistant.review.store import AnswerStore, text_sha256
from assistant.review.users import Role, User
from tests.support.records import ANSWER_TEXT, make_record, seen

REPO = Path(__file__).resolve().parents[2]


def old_store_with_one_answer(path: Path) -> str:
    """A store as the foundation shipped it (migrations 1-2), holding one answer."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for version, name, sql in MIGRATIONS[:2]:
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (version, name))
    conn.execute("INSERT INTO conversations VALUES ('c1', 'then', 'dr.a', NULL, 'clinician')")
    record = make_record("c1")
    conn.execute(
        "INSERT INTO answers VALUES "
        "(?, 'c1', 1, ?, ?, ?, ?, 'pending_review', 'extractive', 'v', ?)",
        (
            record.id,
            record.created_at,
            record.question,
            record.standalone_question,
            record.answer,
            record.model_dump_json(),
        ),
    )
    conn.commit()
    conn.close()
    return record.id


def test_existing_answers_get_version_one_and_can_be_reviewed(tmp_path: Path) -> None:
    answer_id = old_store_with_one_answer(tmp_path / "data" / "followup.db")
    store = AnswerStore(tmp_path / "data" / "followup.db", key_file=tmp_path / "k")
    (version,) = workflow.versions(store, answer_id)
    assert (version.version, version.sha256) == (1, text_sha256(ANSWER_TEXT))
    decision = workflow.approve(
        store, answer_id, User("rita", Role.REVIEWER), **seen(store, answer_id)
    )
    assert decision.version_sha256 == text_sha256(ANSWER_TEXT)
    assert workflow.verify_audit(store, store.audit_key()).ok


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "data" / "followup.db"
    code = (
        "import sys; from pathlib import Path; from assistant.review.store import AnswerStore; "
        "AnswerStore(Path(sys.argv[1]), key_file=Path(sys.argv[2]))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(db), str(tmp_path / "k")],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    versions = [
        r["version"] for r in SQLiteDatabase(db).read("SELECT version FROM schema_migrations")
    ]
    assert sorted(versions) == [v for v, _, _ in MIGRATIONS]


def answer_as_stored_then(old: AnswerStore) -> AnswerRecord:
    """An answer stored as the code of migration 3 stored it (no fingerprints)."""
    record = make_record(old.create_conversation(owner="dr.asker").id)
    digest = text_sha256(record.answer)
    with old.db.write() as tx:
        tx.execute(
            "INSERT INTO answers VALUES (?, ?, 1, ?, ?, ?, ?, 'pending_review', 'extractive',"
            " 'v', ?)",
            (
                record.id,
                record.conversation_id,
                record.created_at,
                record.question,
                record.standalone_question,
                record.answer,
                record.model_dump_json(),
            ),
        )
        tx.execute(
            "INSERT INTO answer_versions VALUES (?, 1, ?, ?, ?, 'generator:extractive', NULL)",
            (record.id, record.answer, digest, record.created_at),
        )
        audit.append(
            tx,
            old.audit_key(),
            at=utc_now(),
            actor="generator:extractive",
            action="create",
            answer_id=record.id,
            payload={"version": 1, "version_sha256": digest, "review_status": "pending_review"},
        )
    return record


def test_decisions_audited_before_four_eyes_still_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 4 adds findings and justification; older audit payloads lack those keys."""
    from assistant.models import utc_now
    from assistant.review import audit

    db, key = tmp_path / "data" / "followup.db", tmp_path / "k"
    monkeypatch.setattr("assistant.review.migrations.MIGRATIONS", MIGRATIONS[:3])
    old = AnswerStore(db, key_file=key)
    record = answer_as_stored_then(old)
    payload = {
        "action": "comment",
        "role": "reviewer",
        "meaning": workflow.MEANINGS["comment"],
        "comment": "old note",
        "version": 1,
        "version_sha256": text_sha256(record.answer),
        "from_status": "pending_review",
        "to_status": "pending_review",
        "result_version": None,
        "result_sha256": None,
        "id": "d-old",
    }
    at = utc_now()
    with old.db.write() as tx:
        entry = audit.append(
            tx,
            old.audit_key(),
            at=at,
            actor="rita",
            action="comment",
            answer_id=record.id,
            payload=payload,
        )
        tx.execute(
            "INSERT INTO decisions VALUES (?, ?, ?, 'comment', 'rita', 'reviewer', ?, ?,"
            " 'old note', 1, ?, 'pending_review', 'pending_review', NULL, NULL)",
            ("d-old", record.id, entry.seq, at, payload["meaning"], payload["version_sha256"]),
        )
    old.close()
    monkeypatch.undo()
    store = AnswerStore(db, key_file=key)
    assert workflow.verify_audit(store, store.audit_key()).ok
    workflow.approve(store, record.id, User("rob", Role.REVIEWER), **seen(store, record.id))
    assert workflow.verify_audit(store, store.audit_key()).ok
