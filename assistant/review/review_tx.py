"""The review tables' SQL: typed reads and the writes of one decision, inside one transaction.

The workflow decides; this module is the only place that knows how versions, decisions and
answers are stored. A ``ReviewTx`` lives for one serialised write transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from assistant.errors import NotFoundError
from assistant.models import AnswerRecord, Citation, EvidenceNotice, ReviewStatus
from assistant.review import audit, evidence_sql
from assistant.review.audit import AuditEntry
from assistant.review.db import Tx
from assistant.review.records import (
    AnswerVersion,
    CurrentVersion,
    Decision,
    Fingerprint,
    version_from_row,
)

_DECISION_COLUMNS = (
    "id, answer_id, audit_seq, action, user_name, role, at, meaning, comment, version,"
    " version_sha256, from_status, to_status, result_version, result_sha256, findings,"
    " justification, evidence, evidence_state"
)
# What ``show`` leaves as it is unless told.
KEEP: Any = object()


def decision_from_row(row: Mapping[str, Any]) -> Decision:
    data = dict(row)
    data["user"] = data.pop("user_name")
    data["findings"] = json.loads(data.get("findings") or "[]")
    data["evidence"] = json.loads(data.get("evidence") or "[]")
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
            evidence=tuple(evidence_sql.live(self._tx, answer_id)),
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
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                json.dumps([f.model_dump(mode="json") for f in d.evidence], ensure_ascii=False),
                d.evidence_state,
            ),
        )

    def show(
        self,
        answer_id: str,
        *,
        status: ReviewStatus,
        text: str,
        reviewed_at: str | None = KEEP,
        evidence: EvidenceNotice | None = KEEP,
        citations: list[Citation] = KEEP,
    ) -> None:
        """Make the stored record show its current status and version's text (and, when given,
        when it was reviewed, its evidence notice and its citations)."""
        row = self._tx.execute(
            "SELECT record_json FROM answers WHERE id = ?", (answer_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No answer {answer_id!r}.")
        record = AnswerRecord.model_validate_json(row[0])
        update: dict[str, Any] = {"review_status": status, "answer": text}
        for name, value in (
            ("reviewed_at", reviewed_at),
            ("evidence", evidence),
            ("citations", citations),
        ):
            if value is not KEEP:
                update[name] = value
        record = record.model_copy(update=update)
        state = record.evidence.state if record.evidence is not None else None
        self._tx.execute(
            "UPDATE answers SET review_status = ?, answer = ?, record_json = ?,"
            " evidence_state = ? WHERE id = ?",
            (status.value, text, record.model_dump_json(), state, answer_id),
        )

    def set_evidence(self, answer_id: str, version: int, fingerprints: list[Fingerprint]) -> None:
        """``fingerprints`` become the live evidence of ``version`` (superseding earlier ones)."""
        evidence_sql.add(self._tx, answer_id, version, fingerprints)

    def retire_evidence(self, answer_id: str) -> None:
        """The answer's evidence is no longer watched (it was rejected)."""
        evidence_sql.retire(self._tx, answer_id)

    def fingerprinted(self, answer_id: str) -> None:
        evidence_sql.mark_fingerprinted(self._tx, answer_id)

    def publication(self, answer_id: str) -> str | None:
        """The id of the article the answer was published as, if it was."""
        row = self._tx.execute(
            "SELECT payload FROM audit_log WHERE answer_id = ? AND action = 'publish'",
            (answer_id,),
        ).fetchone()
        return None if row is None else str(json.loads(row[0]).get("article_id"))

    def published(self, answer_id: str) -> bool:
        """Whether the audit trail already records a publication of the answer."""
        row = self._tx.execute(
            "SELECT 1 FROM audit_log WHERE answer_id = ? AND action = 'publish'", (answer_id,)
        ).fetchone()
        return row is not None
