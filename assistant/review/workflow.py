"""Reviewing answers: the queue, an answer's history, and reviewer decisions.

State machine (anything not listed is refused with InvalidTransitionError)::

    pending_review --approve--------> approved       (reviewer; not on their own question
    pending_review --reject(reason)-> rejected        unless review.allow_self_approval)
    pending_review --edit(text)-----> pending_review  (a new version; the old stays readable)
    any state      --comment--------> same state
    approved       --publish--------> approved        (once; see publish.py)

``approved`` and ``rejected`` are final: a wrong approved answer is superseded by a new answer,
never silently re-decided. An edit leaves the answer pending, so the exact edited text is what
a later approval signs (its SHA-256 is on the decision). Every decision is written with its
audit entry in one serialised write transaction and returned only after COMMIT.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistant.errors import InvalidRequestError, InvalidTransitionError, NotFoundError
from assistant.ingest.articles import CITATION_MARK, cited_numbers
from assistant.models import AnswerRecord, ReviewStatus, utc_now
from assistant.review import audit
from assistant.review.audit import AuditEntry, AuditReport
from assistant.review.db import Tx
from assistant.review.store import AnswerStore, new_id, text_sha256
from assistant.review.users import Role, User

PENDING, APPROVED, REJECTED = ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED
ACTIONS = ("approve", "reject", "edit", "comment")
TRANSITIONS: dict[tuple[ReviewStatus, str], ReviewStatus] = {
    (PENDING, "approve"): APPROVED,
    (PENDING, "reject"): REJECTED,
    (PENDING, "edit"): PENDING,
    (PENDING, "comment"): PENDING,
    (APPROVED, "comment"): APPROVED,
    (REJECTED, "comment"): REJECTED,
}
# The meaning of each signature (21 CFR 11.50(a)(3)), stored on the decision and in the audit.
MEANINGS = {
    "approve": "Approval: I reviewed this exact version and approve it for clinical use.",
    "reject": "Rejection: this version must not be relied on.",
    "edit": "Authorship: I wrote a revised version; it still needs approval.",
    "comment": "Comment only: no change to the answer or its review status.",
}
MAX_TEXT = 20_000


class AnswerVersion(BaseModel):
    answer_id: str
    version: int
    text: str
    sha256: str
    created_at: str
    author: str
    comment: str | None = None


class Decision(BaseModel):
    id: str
    answer_id: str
    action: str
    user: str
    role: str
    at: str
    meaning: str
    comment: str | None = None
    version: int  # the version acted on
    version_sha256: str
    from_status: ReviewStatus
    to_status: ReviewStatus
    result_version: int | None = None  # an edit: the version it created
    result_sha256: str | None = None
    audit_seq: int


class AnswerDetail(BaseModel):
    """Everything a reviewer needs about one answer (current record, history, audit)."""

    record: AnswerRecord
    owner: str | None
    versions: list[AnswerVersion]
    decisions: list[Decision]
    audit: list[AuditEntry]
    allowed_actions: list[str]


def allowed_actions(status: ReviewStatus) -> list[str]:
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def queue(
    store: AnswerStore, *, status: str | None = "pending_review", limit: int = 50, offset: int = 0
) -> list[AnswerRecord]:
    """Answers in ``status`` (all when None), oldest first, ``limit`` from ``offset``."""
    if status is not None and status not in {s.value for s in ReviewStatus}:
        raise InvalidRequestError(
            f"status must be one of {', '.join(s.value for s in ReviewStatus)}; got {status!r}"
        )
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidRequestError("limit must be 1-500 and offset 0 or more.")
    sql, params = "SELECT record_json FROM answers", tuple[object, ...]()
    if status is not None:
        sql, params = sql + " WHERE review_status = ?", (status,)
    rows = store.read(sql + " ORDER BY created_at, id LIMIT ? OFFSET ?", (*params, limit, offset))
    return [AnswerRecord.model_validate_json(r["record_json"]) for r in rows]


def versions(store: AnswerStore, answer_id: str) -> list[AnswerVersion]:
    rows = store.read(
        "SELECT * FROM answer_versions WHERE answer_id = ? ORDER BY version", (answer_id,)
    )
    return [AnswerVersion(**dict(r)) for r in rows]


def _decision(row: Any) -> Decision:
    data = dict(row)
    data["user"] = data.pop("user_name")
    return Decision(**data)


def decisions(store: AnswerStore, answer_id: str | None = None) -> list[Decision]:
    sql, params = "SELECT * FROM decisions", tuple[object, ...]()
    if answer_id is not None:
        sql, params = sql + " WHERE answer_id = ?", (answer_id,)
    return [_decision(r) for r in store.read(sql + " ORDER BY audit_seq", params)]


def detail(store: AnswerStore, answer_id: str) -> AnswerDetail:
    """The current record with every version, decision and audit entry about it."""
    record = store.get_answer(answer_id)
    owner = store.read("SELECT owner FROM conversations WHERE id = ?", (record.conversation_id,))[
        0
    ]["owner"]
    return AnswerDetail(
        record=record,
        owner=owner,
        versions=versions(store, answer_id),
        decisions=decisions(store, answer_id),
        audit=audit.entries(store.db, answer_id),
        allowed_actions=allowed_actions(record.review_status),
    )


def _required(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidRequestError(f"{what} is required and must not be blank.")
    if len(text) > MAX_TEXT:
        raise InvalidRequestError(f"{what} is too long ({len(text)} > {MAX_TEXT} characters).")
    return text


def _current(tx: Tx, answer_id: str) -> tuple[ReviewStatus, str | None, int, str, str]:
    """(status, question owner, version, its text, its sha256) of an answer, inside a write."""
    row = tx.execute(
        "SELECT a.review_status, c.owner FROM answers a"
        " JOIN conversations c ON c.id = a.conversation_id WHERE a.id = ?",
        (answer_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No answer {answer_id!r}.")
    version, text, digest = tx.execute(
        "SELECT version, text, sha256 FROM answer_versions WHERE answer_id = ?"
        " ORDER BY version DESC LIMIT 1",
        (answer_id,),
    ).fetchone()
    return ReviewStatus(row[0]), row[1], version, text, digest


def _check_transition(
    store: AnswerStore,
    answer_id: str,
    status: ReviewStatus,
    action: str,
    user: User,
    owner: str | None,
) -> ReviewStatus:
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = ", ".join(allowed_actions(status))
        raise InvalidTransitionError(
            f"Cannot {action} answer {answer_id}: it is {status.value} "
            f"(allowed now: {allowed}). Approved and rejected answers are final."
        )
    if action == "approve" and owner == user.name and not store.policy.allow_self_approval:
        raise InvalidTransitionError(
            f"{user.name} asked the question of answer {answer_id} and may not approve it; "
            "another reviewer must (or set FOLLOWUP_REVIEW__ALLOW_SELF_APPROVAL=true)."
        )
    return target


def _check_citations(tx: Tx, answer_id: str, text: str) -> None:
    """An edited answer may only cite passages retrieved for the original request."""
    (record_json,) = tx.execute(
        "SELECT record_json FROM answers WHERE id = ?", (answer_id,)
    ).fetchone()
    known = {c.n for c in AnswerRecord.model_validate_json(record_json).citations}
    for match in CITATION_MARK.finditer(text):
        unknown = [n for n in cited_numbers(match.group(1)) if n not in known]
        if unknown:
            raise InvalidRequestError(
                f"The edited text cites [{unknown[0]}], which is not one of this answer's "
                f"citations ({', '.join(map(str, sorted(known))) or 'none'})."
            )


def _decide(
    store: AnswerStore,
    answer_id: str,
    user: User,
    action: str,
    *,
    comment: str | None,
    new_text: str | None = None,
) -> Decision:
    user.require(Role.REVIEWER)
    key = store.audit_key()
    with store.write() as tx:
        status, owner, version, text, digest = _current(tx, answer_id)
        target = _check_transition(store, answer_id, status, action, user, owner)
        result: tuple[int, str] | None = None
        at = utc_now()
        if new_text is not None:
            _check_citations(tx, answer_id, new_text)
            result = (version + 1, text_sha256(new_text))
            tx.execute(
                "INSERT INTO answer_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (answer_id, result[0], new_text, result[1], at, user.name, comment),
            )
        decision = Decision(
            id=new_id(),
            answer_id=answer_id,
            action=action,
            user=user.name,
            role=user.role.value,
            at=at,
            meaning=MEANINGS[action],
            comment=comment,
            version=version,
            version_sha256=digest,
            from_status=status,
            to_status=target,
            result_version=result[0] if result else None,
            result_sha256=result[1] if result else None,
            audit_seq=0,
        )
        payload = decision.model_dump(mode="json", exclude={"answer_id", "user", "at", "audit_seq"})
        entry = audit.append(
            tx, key, at=at, actor=user.name, action=action, answer_id=answer_id, payload=payload
        )
        decision.audit_seq = entry.seq
        _insert_decision(tx, decision)
        store.update_answer(tx, answer_id, status=target, text=new_text or text)
    return decision


def _insert_decision(tx: Tx, d: Decision) -> None:
    tx.execute(
        "INSERT INTO decisions (id, answer_id, audit_seq, action, user_name, role, at, meaning,"
        " comment, version, version_sha256, from_status, to_status, result_version,"
        " result_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ),
    )


def approve(
    store: AnswerStore, answer_id: str, user: User, *, comment: str | None = None
) -> Decision:
    """Approve the answer's current version (pending_review -> approved)."""
    note = _required(comment, "A comment") if comment else None
    return _decide(store, answer_id, user, "approve", comment=note)


def reject(store: AnswerStore, answer_id: str, user: User, *, reason: str) -> Decision:
    """Reject the answer's current version; a reason is required."""
    return _decide(store, answer_id, user, "reject", comment=_required(reason, "A reason"))


def edit(
    store: AnswerStore, answer_id: str, user: User, *, text: str, comment: str | None = None
) -> AnswerVersion:
    """Create a new version with ``text``; the answer stays pending review."""
    body = _required(text, "The edited text")
    note = _required(comment, "A comment") if comment else None
    decision = _decide(store, answer_id, user, "edit", comment=note, new_text=body)
    return next(v for v in versions(store, answer_id) if v.version == decision.result_version)


def comment(store: AnswerStore, answer_id: str, user: User, *, text: str) -> Decision:
    """Add a comment; the status does not change."""
    return _decide(store, answer_id, user, "comment", comment=_required(text, "A comment"))


def verify_audit(store: AnswerStore, hmac_key: bytes) -> AuditReport:
    """Verify the chain, then that decisions and versions agree with their audit entries."""
    from assistant.review.crosscheck import crosscheck

    report = audit.verify_chain(store.db, hmac_key)
    return crosscheck(store, report) if report.ok else report
