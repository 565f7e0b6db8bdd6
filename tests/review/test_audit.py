"""The audit trail is append-only, and every kind of tampering is caught by verify.

Runs on every store backend. Tampering is done as an attacker with raw database access would:
the append-only triggers are removed first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pytest

from assistant.errors import StoreConflictError
from assistant.models import AnswerRecord, ReviewStatus
from assistant.review import workflow
from assistant.review.audit import canonical, entry_hash, load_or_create_key
from assistant.review.store import AnswerStore
from assistant.review.users import User
from tests.support.records import save_answer, seen, tamper

FIELDS = ["seq", "at", "actor", "action", "answer_id", "payload", "prev_hash", "hash", "mac"]


@pytest.fixture
def history(store: AnswerStore, people: dict[str, User], answer: AnswerRecord) -> int:
    """Six entries: two creations, a comment, an edit, an approval, a rejection."""
    other = save_answer(store)
    workflow.comment(store, answer.id, people["rita"], text="checking the dose")
    workflow.edit(
        store,
        answer.id,
        people["rita"],
        **seen(store, answer.id),
        text="LDN is 1 to 5 mg daily [1].",
    )
    workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id))
    workflow.reject(
        store, other.id, people["rob"], **seen(store, other.id), reason="no source for 24 hours"
    )
    report = workflow.verify_audit(store, store.audit_key())
    assert report.ok and report.entries == 6
    return 6


def verify(store: AnswerStore, key: bytes | None = None) -> workflow.AuditReport:
    return workflow.verify_audit(store, key or store.audit_key())


def changed(field: str, value: object) -> object:
    if field == "seq":
        return int(value) + 100  # type: ignore[call-overload]
    if field == "payload":
        payload = json.loads(str(value))
        payload["tampered"] = True
        return canonical(payload)
    if field == "answer_id" and value is None:
        return "someone-else"
    text = str(value)
    return text[:-1] + ("0" if text[-1] != "0" else "1")  # one character, same length


def test_database_refuses_update_and_delete_of_the_audit_table(
    store: AnswerStore, history: int
) -> None:
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(StoreConflictError, match="append-only"), store.db.write() as tx:
            tx.execute(sql)
    assert verify(store).ok


@pytest.mark.parametrize("field", FIELDS)
def test_changing_any_field_of_any_row_is_detected(
    store: AnswerStore, history: int, field: str
) -> None:
    for seq in range(1, history + 1):
        (row,) = store.db.read(f"SELECT {field} AS v FROM audit_log WHERE seq = ?", (seq,))
        bad = changed(field, row["v"])
        tamper(store, (f"UPDATE audit_log SET {field} = ? WHERE seq = ?", (bad, seq)))
        report = verify(store)
        assert not report.ok and report.first_bad == seq, (seq, report)
        where = seq + 100 if field == "seq" else seq
        tamper(store, (f"UPDATE audit_log SET {field} = ? WHERE seq = ?", (row["v"], where)))
        assert verify(store).ok


@pytest.mark.parametrize("seq", [1, 3, 6])
def test_a_deleted_row_is_detected(store: AnswerStore, history: int, seq: int) -> None:
    tamper(store, ("DELETE FROM audit_log WHERE seq = ?", (seq,)))
    report = verify(store)
    assert not report.ok and report.first_bad == seq
    assert report.problem


def test_deleting_the_tail_and_rewinding_the_head_is_detected(
    store: AnswerStore, history: int
) -> None:
    (row,) = store.db.read("SELECT hash FROM audit_log WHERE seq = 4")
    tamper(
        store,
        ("DELETE FROM audit_log WHERE seq > 4", ()),
        ("UPDATE audit_head SET seq = 4, hash = ?", (row["hash"],)),
    )
    report = verify(store)
    assert not report.ok and report.problem == "chain head HMAC does not match"


def test_reordered_rows_are_detected(store: AnswerStore, history: int) -> None:
    tamper(
        store,
        ("UPDATE audit_log SET seq = CASE seq WHEN 3 THEN -4 ELSE -3 END WHERE seq IN (3, 4)", ()),
        ("UPDATE audit_log SET seq = -seq WHERE seq < 0", ()),
    )
    report = verify(store)
    assert not report.ok and report.first_bad == 3


def recompute_chain(store: AnswerStore, key: bytes, forge: dict[int, dict[str, str]]) -> None:
    """Rewrite every entry (with ``forge`` applied) into a consistent chain under ``key``."""
    statements = []
    prev = "0" * 64
    for row in store.db.read("SELECT * FROM audit_log ORDER BY seq"):
        e = {**dict(row), **forge.get(row["seq"], {})}
        digest = entry_hash(
            prev,
            e["seq"],
            e["at"],
            e["actor"],
            e["action"],
            e["answer_id"],
            json.loads(e["payload"]),
        )
        mac = hmac.new(key, f"followup-audit-entry\n{digest}".encode(), hashlib.sha256)
        statements.append(
            (
                "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ?, mac = ? WHERE seq = ?",
                (e["actor"], prev, digest, mac.hexdigest(), e["seq"]),
            )
        )
        prev = digest
    head = hmac.new(key, f"followup-audit-head\n{e['seq']}:{prev}".encode(), hashlib.sha256)
    statements.append(("UPDATE audit_head SET hash = ?, mac = ?", (prev, head.hexdigest())))
    tamper(store, *statements)


def test_recomputing_the_whole_chain_without_the_key_is_detected(
    store: AnswerStore, history: int
) -> None:
    recompute_chain(store, b"attacker-guess-attacker-guess!!", {5: {"actor": "mallory"}})
    report = verify(store)
    assert not report.ok and report.first_bad == 1
    assert "HMAC" in str(report.problem)
    # A rewrite under the real key (restoring the true actor) verifies: the key made the difference.
    recompute_chain(store, store.audit_key(), {5: {"actor": "rob"}})
    assert verify(store).ok


def test_a_wrong_key_fails_verification(store: AnswerStore, history: int) -> None:
    report = verify(store, key=os.urandom(32))
    assert not report.ok and report.first_bad == 1


@pytest.mark.parametrize(
    "forgery",
    [
        "UPDATE answers SET review_status = 'approved' WHERE review_status = 'rejected'",
        "UPDATE decisions SET user_name = 'mallory' WHERE action = 'approve'",
        "UPDATE answer_versions SET text = 'Take 50 mg [1].' WHERE version = 2",
        "DELETE FROM decisions WHERE action = 'comment'",
        "UPDATE answers SET answer = 'Take 50 mg [1].'",
    ],
)
def test_forged_working_tables_disagree_with_the_audit(
    store: AnswerStore, history: int, forgery: str
) -> None:
    tamper(store, (forgery, ()))
    report = verify(store)
    assert not report.ok and report.first_bad is not None and report.problem


def test_forged_status_inside_the_record_json_is_detected(
    store: AnswerStore, history: int, answer: AnswerRecord
) -> None:
    (other,) = workflow.queue(store, status="rejected")
    forged = other.model_copy(update={"review_status": ReviewStatus.APPROVED}).model_dump_json()
    tamper(store, ("UPDATE answers SET record_json = ? WHERE id = ?", (forged, other.id)))
    assert not verify(store).ok


def test_key_file_is_created_once_private_and_outside_the_database(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "data" / "followup.db")
    save_answer(store)
    key_file = tmp_path / "data.audit-key"
    assert store.key_file == key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_key(key_file) == store.audit_key()
    assert not any(p.name.endswith("audit-key") for p in (tmp_path / "data").iterdir())
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    key = store.audit_key()
    assert key not in stored and key.hex().encode() not in stored


def test_a_lost_key_is_never_silently_replaced(tmp_path: Path) -> None:
    from assistant.errors import AuditError

    store = AnswerStore(tmp_path / "data" / "followup.db", key_file=tmp_path / "audit.key")
    save_answer(store)
    store.close()
    (tmp_path / "audit.key").unlink()
    reopened = AnswerStore(tmp_path / "data" / "followup.db", key_file=tmp_path / "audit.key")
    with pytest.raises(AuditError, match="restore the key from its backup"):
        save_answer(reopened)
    assert not (tmp_path / "audit.key").exists()
    assert len(workflow.queue(reopened)) == 1  # the failed save left nothing behind
