"""After the chain verifies: do the working tables still say what the audit trail says?

Decisions, versions and each answer's current status and text live in ordinary (updatable)
tables for fast reads. Each must agree with the authenticated audit entries, so an edit made
directly in the database (a forged approval, a changed version text) is reported too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from assistant.models import ReviewStatus
from assistant.review.audit import AuditEntry, AuditReport
from assistant.review.store import AnswerStore, text_sha256

_DECISION_ACTIONS = ("approve", "reject", "edit", "comment", "recheck")
_NEW_VERSION = ("edit", "recheck")  # decisions that create a version
_NOT_IN_PAYLOAD = {"answer_id", "user", "at", "audit_seq"}
_ADDED_LATER = ("findings", "justification", "evidence", "evidence_state")


def _bad(report: AuditReport, seq: int, problem: str) -> AuditReport:
    return AuditReport(ok=False, entries=report.entries, first_bad=seq, problem=problem)


def _decision_problem(row: dict[str, Any], entry: AuditEntry | None) -> str | None:
    if entry is None:
        return f"decision {row['id']} has no audit entry {row['audit_seq']}"
    payload = {k: v for k, v in row.items() if k not in _NOT_IN_PAYLOAD | {"user_name"}}
    payload["findings"] = json.loads(payload.get("findings") or "[]")
    payload["evidence"] = json.loads(payload.get("evidence") or "[]")
    for added in _ADDED_LATER:  # decisions audited before migration 4 lack these keys
        if added not in entry.payload and not payload.get(added):
            payload.pop(added, None)
    same = (
        entry.action == row["action"]
        and entry.actor == row["user_name"]
        and entry.at == row["at"]
        and entry.answer_id == row["answer_id"]
        and entry.payload == payload
    )
    return None if same else f"decision {row['id']} differs from its audit entry"


def _check_decisions(store: AnswerStore, by_seq: dict[int, AuditEntry]) -> tuple[int, str] | None:
    seen = set()
    for row in map(dict, store.stored_rows("decisions")):
        problem = _decision_problem(row, by_seq.get(row["audit_seq"]))
        if problem:
            return row["audit_seq"], problem
        seen.add(row["audit_seq"])
    for seq, entry in by_seq.items():
        if entry.action in _DECISION_ACTIONS and seq not in seen:
            return seq, f"audit entry {seq} ({entry.action}) has no decision row (deleted?)"
    return None


Recorded = dict[tuple[str, int], tuple[int, str, list[str]]]


def _recorded_versions(by_seq: dict[int, AuditEntry]) -> Recorded:
    """(answer, version) -> (audit seq, sha256, findings) as the audit trail recorded them."""
    recorded: Recorded = {}
    for seq, e in by_seq.items():
        if e.action == "create" and e.answer_id:
            recorded[(e.answer_id, 1)] = (seq, e.payload["version_sha256"], [])
        elif e.action in _NEW_VERSION and e.answer_id:
            found = e.payload.get("findings", [])
            recorded[(e.answer_id, e.payload["result_version"])] = (
                seq,
                e.payload["result_sha256"],
                found,
            )
    return recorded


def _check_versions(store: AnswerStore, by_seq: dict[int, AuditEntry]) -> tuple[int, str] | None:
    recorded = _recorded_versions(by_seq)
    audited_answers = {answer for answer, _ in recorded}
    for row in store.stored_rows("answer_versions"):
        where = recorded.get((row["answer_id"], row["version"]))
        if where is None:
            if row["version"] == 1 and row["answer_id"] not in audited_answers:
                continue  # an answer stored before the audit trail existed (migration 3)
            return 0, f"version {row['version']} of answer {row['answer_id']} is not audited"
        if text_sha256(row["text"]) != row["sha256"] or row["sha256"] != where[1]:
            return where[0], (
                f"version {row['version']} of answer {row['answer_id']} differs from the "
                "text whose SHA-256 the audit recorded"
            )
        if json.loads(row.get("findings") or "[]") != where[2]:
            return where[0], (
                f"version {row['version']} of answer {row['answer_id']} shows other "
                "verification findings than the audit recorded"
            )
    return None


def _check_current(store: AnswerStore, by_seq: dict[int, AuditEntry]) -> tuple[int, str] | None:
    last: dict[str, AuditEntry] = {}
    versions: dict[str, int] = defaultdict(lambda: 1)
    for entry in by_seq.values():
        if entry.answer_id and entry.action in (*_DECISION_ACTIONS, "create"):
            last[entry.answer_id] = entry
            if entry.action in _NEW_VERSION:
                versions[entry.answer_id] = entry.payload["result_version"]
    texts = {
        (r["answer_id"], r["version"]): r["text"] for r in store.stored_rows("answer_versions")
    }
    for row in store.stored_rows("answers"):
        latest = last.get(row["id"])
        if latest is None:
            continue  # stored before the audit trail existed
        status = latest.payload.get("to_status", ReviewStatus.PENDING.value)
        text = texts.get((row["id"], versions[row["id"]]))
        shown = json.loads(row["record_json"])
        if (
            {row["review_status"], shown.get("review_status")} != {status}
            or text is None
            or {row["answer"], shown.get("answer")} != {text}
        ):
            return latest.seq, (
                f"answer {row['id']} shows status {row['review_status']!r} or text that the "
                f"audit trail does not support (last audited status {status!r})"
            )
    return None


Evidence = dict[tuple[str, int], tuple[int, list[dict[str, Any]]]]
_EVIDENCE_KEYS = ("n", "chunk_id", "source_id", "passage_sha256", "document_version", "state")


def _recorded_evidence(by_seq: dict[int, AuditEntry]) -> Evidence:
    """(answer, version) -> (audit seq, fingerprints) as the audit trail recorded them: at
    birth, by an edit or a re-check (the version it made), or when fingerprinted later."""
    recorded: Evidence = {}
    for seq, e in by_seq.items():
        if not e.answer_id or "evidence" not in e.payload:
            continue
        if e.action == "create" or e.action == "fingerprint":
            recorded[(e.answer_id, e.payload["version"])] = (seq, e.payload["evidence"])
        elif e.action in _NEW_VERSION:
            recorded[(e.answer_id, e.payload["result_version"])] = (seq, e.payload["evidence"])
    return recorded


def _live_versions(store: AnswerStore) -> dict[str, int | None]:
    """answer -> the version whose evidence the passage index must hold (None: rejected)."""
    latest: dict[str, int] = {}
    for row in store.stored_rows("answer_versions"):
        latest[row["answer_id"]] = max(row["version"], latest.get(row["answer_id"], 0))
    return {
        r["id"]: None if r["review_status"] == ReviewStatus.REJECTED.value else latest.get(r["id"])
        for r in store.stored_rows("answers")
    }


def _check_evidence(store: AnswerStore, by_seq: dict[int, AuditEntry]) -> tuple[int, str] | None:
    """Fingerprints agree with the audit, and only current versions of answers that are not
    rejected are live in the passage index (a row taken out would hide an answer from the
    re-check)."""
    recorded = _recorded_evidence(by_seq)
    stored: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    live = _live_versions(store)
    for row in store.stored_rows("answer_evidence"):
        key = (row["answer_id"], row["version"])
        stored[key].append({k: row[k] for k in _EVIDENCE_KEYS})
        if bool(row["live"]) != (live.get(row["answer_id"]) == row["version"]):
            seq = recorded.get(key, (0, []))[0]
            return seq, (
                f"evidence of version {row['version']} of answer {row['answer_id']} is "
                f"{'live' if row['live'] else 'not live'} in the passage index, which the "
                "answer's versions and status do not support"
            )
    for key in sorted(set(recorded) | set(stored)):
        seq, fingerprints = recorded.get(key, (0, []))
        if sorted(fingerprints, key=lambda f: f["n"]) != stored.get(key, []):
            return seq, (
                f"evidence fingerprints of version {key[1]} of answer {key[0]} differ from "
                "what the audit trail recorded"
            )
    return None


def crosscheck(store: AnswerStore, report: AuditReport) -> AuditReport:
    """``report`` if the working tables agree with the verified chain, else the first problem."""
    by_seq = {e.seq: e for e in store.audit_entries()}
    for check in (_check_decisions, _check_versions, _check_current, _check_evidence):
        found = check(store, by_seq)
        if found:
            return _bad(report, *found)
    return report
