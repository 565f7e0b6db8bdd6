"""The review tables' SQL: typed reads and the writes of one decision, inside one transaction.

The workflow decides; this module is the only place that knows how versions, decisions and
answers are stored. A ``ReviewTx`` lives for one serialised write transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from assistant.errors import NotFoundError
from assistant.models import AnswerRecord, ReviewStatus
from assistant.review import audit
from assistant.review.audit import AuditEntry
from assistant.review.db import Tx
from assistant.review.records import AnswerVersion, CurrentVersion, Decision

_DECISION_COLUMNS = (
    "id, answer_id, audit_seq, action, user_name, role, at, meaning, comment, version,"
    " version_sha256, from_status, to_status, result_version, result_sha256, findings,"
    " justification"
)


def version_from_row(row: Mapping[str, Any]) -> AnswerVersion:
    data = dict(row)
    data["findings"] = json.loads(data.get("findings") or "[]")
    return AnswerVersion(**data)


def decision_from_row(row: Mapping[str, Any]) -> Decision:
    data = dict(row)
    data["user"] = data.pop("user_name")
    data["findings"] = json.loads(data.get("findings") or "[]")
    return Decision(**data)


class ReviewTx:
    """Reads and writes of one review decision, all inside the open write transaction ``tx``."""

    def __init__(self, tx: Tx, key: bytes) -> None:
        self._tx = tx
        self._key = key

    def current(self, answer_id: str) -> CurrentVersion:
        """The answer, who asked it, its latest version and every version's author."""
        row = self._tx.execute(
            "SELECT a.record_json, a.review_status, c.owner FROM answers a"
            " JOIN conversations c ON c.id = a.conversation_id WHERE a.id = ?",
            (answer_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No answer {answer_id!r}.")
        rows = self._tx.execute(
            "SELECT answer_id, version, text, sha256, created_at, author, comment, findings"
            " FROM answer_versions WHERE answer_id = ? ORDER BY version",
            (answer_id,),
        ).fetchall()
        columns = ("answer_id", "version", "text", "sha256", "created_at", "author", "comment")
        found = [version_from_row(dict(zip((*columns, "findings"), r, strict=True))) for r in rows]
        return CurrentVersion(
            record=AnswerRecord.model_validate_json(row[0]),
            status=ReviewStatus(row[1]),
            owner=row[2],
            version=found[-1],
            authors=frozenset(v.author for v in found),
        )

    def add_version(self, version: AnswerVersion) -> None:
        self._tx.execute(
            "INSERT INTO answer_versions (answer_id, version, text, sha256, created_at, author,"
            " comment, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version.answer_id,
                version.version,
                version.text,
                version.sha256,
                version.created_at,
                version.author,
                version.comment,
                json.dumps(version.findings, ensure_ascii=False),
            ),
        )

    def audit(
        self, *, at: str, actor: str, action: str, answer_id: str, payload: dict[str, Any]
    ) -> AuditEntry:
        return audit.append(
            self._tx,
            self._key,
            at=at,
            actor=actor,
            action=action,
            answer_id=answer_id,
            payload=payload,
        )

    def add_decision(self, d: Decision) -> None:
        self._tx.execute(
            f"INSERT INTO decisions ({_DECISION_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d.id,
                d.answer_id,
                d.audit_seq,
                d.action,
                d.user,
                d.role,
                d.at,
                d.meaning,
                d.comment,
                d.version,
                d.version_sha256,
                d.from_status.value,
                d.to_status.value,
                d.result_version,
                d.result_sha256,
                json.dumps(d.findings, ensure_ascii=False),
                d.justification,
            ),
        )

    def show(self, answer_id: str, *, status: ReviewStatus, text: str) -> None:
        """Make the stored record show its current status and version's text."""
        row = self._tx.execute(
            "SELECT record_json FROM answers WHERE id = ?", (answer_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No answer {answer_id!r}.")
        record = AnswerRecord.model_validate_json(row[0])
        record = record.model_copy(update={"review_status": status, "answer": text})
        self._tx.execute(
            "UPDATE answers SET review_status = ?, answer = ?, record_json = ? WHERE id = ?",
            (status.value, text, record.model_dump_json(), answer_id),
        )

    def published(self, answer_id: str) -> bool:
        """Whether the audit trail already records a publication of the answer."""
        row = self._tx.execute(
            "SELECT 1 FROM audit_log WHERE answer_id = ? AND action = 'publish'", (answer_id,)
        ).fetchone()
        return row is not None
