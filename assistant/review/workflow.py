"""Reviewing answers: the queue, an answer's history, and reviewer decisions.

State machine (anything not listed is refused with InvalidTransitionError)::

    pending_review --approve--------> approved       (four eyes: see below)
    pending_review --reject(reason)-> rejected
    pending_review --edit(text)-----> pending_review  (a new version; the old stays readable)
    any state      --comment--------> same state
    approved       --publish--------> approved        (once; see publish.py)
    approved, pending_review --recheck--> pending_review   (the re-check after an ingest only)

``approved`` and ``rejected`` are final for reviewers: a wrong approved answer is superseded by a
new answer, never silently re-decided. Only changed evidence reopens an approval (the re-check,
``assistant.review.recheck``); an approval signs the version's evidence fingerprints too, and a
text citing a withdrawn passage is never approved. An edit leaves the answer pending, so the
exact edited text is what a later approval signs (its SHA-256 is on the decision). Every
decision is written with its audit entry in one serialised write transaction and returned only
after COMMIT.

**The version seen.** Approve, reject and edit name the version the reviewer read (its number
and the SHA-256 of its text; for an edit, the version edited). Inside the decision's
transaction that must still be the current version, else InvalidTransitionError (409) naming
the current one: nobody signs a text they did not see, and an edit on a stale base never
silently replaces another reviewer's edit.

**Four eyes.** The approver of a version is never one of its authors: not a reviewer who wrote
any version of the answer (always enforced), and not the person who asked the question (unless
``review.allow_self_approval``; the text is then still the model's, never their own). An edited
text goes through the same checks as a model's answer (``assistant.citations.verify``: each
citation resolves to a passage retrieved for the request, each number, dose, unit and frequency
is in the cited passage), and each sentence must be said by the passages it cites, as a
model's sentence must (``assistant.verify.check_sentences``). Its findings are stored on the
version and shown to the next reviewer; approving a version with findings needs a written
justification, which the decision and its audit entry carry.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistant.errors import InvalidRequestError, InvalidTransitionError
from assistant.models import AnswerRecord, ReviewStatus, utc_now
from assistant.review import fingerprints as fp
from assistant.review.audit import AuditEntry, AuditReport
from assistant.review.edit_checks import verify_text
from assistant.review.records import AnswerVersion, CurrentVersion, Decision
from assistant.review.review_tx import ReviewTx
from assistant.review.store import AnswerStore, new_id, text_sha256
from assistant.review.users import Role, User

__all__ = ["AnswerDetail", "AnswerVersion", "Decision", "approve", "comment", "detail", "edit"]

PENDING, APPROVED, REJECTED = ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED
ACTIONS = ("approve", "reject", "edit", "comment")
TRANSITIONS: dict[tuple[ReviewStatus, str], ReviewStatus] = {
    (PENDING, "approve"): APPROVED,
    (PENDING, "reject"): REJECTED,
    (PENDING, "edit"): PENDING,
    (PENDING, "comment"): PENDING,
    (APPROVED, "comment"): APPROVED,
    (REJECTED, "comment"): REJECTED,
    # Only the re-check after an ingest, never a person: a reviewer must decide again.
    (PENDING, "recheck"): PENDING,
    (APPROVED, "recheck"): PENDING,
}
# The meaning of each signature (21 CFR 11.50(a)(3)), stored on the decision and in the audit.
MEANINGS = {
    "approve": "Approval: I reviewed this exact version and approve it for clinical use.",
    "reject": "Rejection: this version must not be relied on.",
    "edit": "Authorship: I wrote a revised version; it still needs approval.",
    "comment": "Comment only: no change to the answer or its review status.",
    "recheck": "Re-check: the evidence this answer cites changed in the approved corpus; "
    "its text is kept as a new version that a reviewer must confirm.",
}
MAX_TEXT = 20_000


class AnswerDetail(BaseModel):
    """Everything a reviewer needs about one answer (current record, history, audit)."""

    record: AnswerRecord
    owner: str | None
    versions: list[AnswerVersion]
    decisions: list[Decision]
    audit: list[AuditEntry]
    allowed_actions: list[str]
    # What verification found in the current version; approving it then needs a justification.
    findings: list[str]
    approval_needs_justification: bool


def allowed_actions(status: ReviewStatus) -> list[str]:
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def queue(
    store: AnswerStore,
    *,
    status: str | None = "pending_review",
    limit: int = 50,
    offset: int = 0,
    changed: bool = False,
) -> list[AnswerRecord]:
    """Answers in ``status`` (all when None), oldest first, ``limit`` from ``offset``; with
    ``changed`` only those whose evidence changed since they were reviewed or written."""
    if status is not None and status not in {s.value for s in ReviewStatus}:
        raise InvalidRequestError(
            f"status must be one of {', '.join(s.value for s in ReviewStatus)}; got {status!r}"
        )
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidRequestError("limit must be 1-500 and offset 0 or more.")
    return store.review_queue(status, limit, offset, changed=changed)


def versions(store: AnswerStore, answer_id: str) -> list[AnswerVersion]:
    return store.versions(answer_id)


def decisions(store: AnswerStore, answer_id: str | None = None) -> list[Decision]:
    return store.decisions(answer_id)


def detail(store: AnswerStore, answer_id: str) -> AnswerDetail:
    """The current record with every version, decision and audit entry about it."""
    record = store.get_answer(answer_id)
    history = store.versions(answer_id)
    findings = history[-1].findings if history else []
    return AnswerDetail(
        record=record,
        owner=store.conversation_owner(record.conversation_id),
        versions=history,
        decisions=store.decisions(answer_id),
        audit=store.audit_entries(answer_id),
        allowed_actions=allowed_actions(record.review_status),
        findings=findings,
        approval_needs_justification=bool(findings),
    )


def _required(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidRequestError(f"{what} is required and must not be blank.")
    if len(text) > MAX_TEXT:
        raise InvalidRequestError(f"{what} is too long ({len(text)} > {MAX_TEXT} characters).")
    return text


def _optional(value: str | None, what: str) -> str | None:
    return _required(value, what) if value is not None and value.strip() else None


def _check_transition(answer_id: str, status: ReviewStatus, action: str) -> ReviewStatus:
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = ", ".join(allowed_actions(status))
        raise InvalidTransitionError(
            f"Cannot {action} answer {answer_id}: it is {status.value} "
            f"(allowed now: {allowed}). Approved and rejected answers are final."
        )
    return target


def _check_seen(current: CurrentVersion, action: str, seen: tuple[int, str]) -> None:
    """The version acted on is the current one: same number, same text (SHA-256)."""
    number, digest = seen
    latest = current.version
    if number == latest.version and digest.strip().lower() == latest.sha256:
        return
    verb = "edited" if action == "edit" else "read"
    why = (
        f"you {verb} version {number}"
        if number != latest.version
        else f"the SHA-256 sent is not that of version {number}'s text"
    )
    raise InvalidTransitionError(
        f"Answer {current.record.id} is now at version {latest.version} "
        f"(sha256 {latest.sha256[:12]}…) but {why}; nothing was {_DONE[action]}. "
        f"Reload the answer, read version {latest.version} and {action} again."
    )


_DONE = {"approve": "approved", "reject": "rejected", "edit": "saved"}


def _check_four_eyes(store: AnswerStore, current: CurrentVersion, user: User) -> None:
    """The approver wrote no version of the answer and (by default) did not ask it."""
    answer_id = current.record.id
    if user.name in current.authors:
        raise InvalidTransitionError(
            f"{user.name} wrote a version of answer {answer_id} and may not approve it: "
            "another reviewer must (four eyes on every approved text)."
        )
    if current.owner == user.name and not store.policy.allow_self_approval:
        raise InvalidTransitionError(
            f"{user.name} asked the question of answer {answer_id} and may not approve it; "
            "another reviewer must (or set FOLLOWUP_REVIEW__ALLOW_SELF_APPROVAL=true)."
        )


def _check_justified(current: CurrentVersion, justification: str | None) -> None:
    findings = current.version.findings
    if findings and justification is None:
        raise InvalidRequestError(
            f"Version {current.version.version} of answer {current.record.id} has verification "
            f"findings ({'; '.join(findings)}). Correct it with an edit, reject it, or approve "
            "it with a justification saying why the text is right."
        )


def _new_version(
    current: CurrentVersion, user: User, text: str, comment: str | None, at: str
) -> AnswerVersion:
    return AnswerVersion(
        answer_id=current.record.id,
        version=current.version.version + 1,
        text=text,
        sha256=text_sha256(text),
        created_at=at,
        author=user.name,
        comment=comment,
        findings=verify_text(current.record, text) + fp.withdrawn_findings(current, text),
    )


def _signed(
    current: CurrentVersion, user: User, action: str, target: ReviewStatus, at: str
) -> Decision:
    return Decision(
        id=new_id(),
        answer_id=current.record.id,
        action=action,
        user=user.name,
        role=user.role.value,
        at=at,
        meaning=MEANINGS[action],
        version=current.version.version,
        version_sha256=current.version.sha256,
        from_status=current.status,
        to_status=target,
        audit_seq=0,
    )


def record_decision(review: ReviewTx, decision: Decision, text: str, **shown: Any) -> Decision:
    """Audit the decision, store it, and make the answer show its outcome (``shown``: what
    else the stored record shows now, see ``ReviewTx.show``)."""
    payload = decision.model_dump(mode="json", exclude={"answer_id", "user", "at", "audit_seq"})
    entry = review.audit(
        at=decision.at,
        actor=decision.user,
        action=decision.action,
        answer_id=decision.answer_id,
        payload=payload,
    )
    decision.audit_seq = entry.seq
    review.add_decision(decision)
    review.show(decision.answer_id, status=decision.to_status, text=text, **shown)
    return decision


def _decide(
    store: AnswerStore,
    answer_id: str,
    user: User,
    action: str,
    *,
    comment: str | None,
    seen: tuple[int, str] | None = None,
    new_text: str | None = None,
    justification: str | None = None,
) -> Decision:
    user.require(Role.REVIEWER)
    with store.review() as review:
        current = review.current(answer_id)
        target = _check_transition(answer_id, current.status, action)
        if seen is not None:
            _check_seen(current, action, seen)
        decision = _signed(current, user, action, target, utc_now())
        decision.comment = comment
        text, shown = current.version.text, dict[str, Any]()
        if action == "approve":
            _check_four_eyes(store, current, user)
            fp.check_not_withdrawn(current)
            _check_justified(current, justification)
            decision.findings, decision.justification = current.version.findings, justification
            # The approval signs the evidence too; a notice of changed evidence is answered.
            decision.evidence = list(current.evidence)
            shown = {"reviewed_at": decision.at, "evidence": None}
        elif action == "reject":
            review.retire_evidence(answer_id)  # a rejected answer is never shown as approved
            shown = {"reviewed_at": decision.at}
        if new_text is not None:
            version = _new_version(current, user, new_text, comment, decision.at)
            review.add_version(version)
            decision.evidence = fp.carried(current, new_text)
            review.set_evidence(answer_id, version.version, decision.evidence)
            decision.result_version, decision.result_sha256 = version.version, version.sha256
            decision.findings, text = version.findings, new_text
        return record_decision(review, decision, text, **shown)


def approve(
    store: AnswerStore,
    answer_id: str,
    user: User,
    *,
    version: int,
    sha256: str,
    comment: str | None = None,
    justification: str | None = None,
) -> Decision:
    """Approve version ``version`` (whose text has SHA-256 ``sha256``), which must be the
    answer's current version (pending_review -> approved).

    Refused to any author of a version (and, by default, to the asker); a version with
    verification findings needs ``justification``.
    """
    note = _optional(comment, "A comment")
    why = _optional(justification, "A justification")
    seen = (version, sha256)
    return _decide(store, answer_id, user, "approve", comment=note, seen=seen, justification=why)


def reject(
    store: AnswerStore, answer_id: str, user: User, *, version: int, sha256: str, reason: str
) -> Decision:
    """Reject version ``version`` (the current one, SHA-256 ``sha256``); a reason is required."""
    reason = _required(reason, "A reason")
    return _decide(store, answer_id, user, "reject", comment=reason, seen=(version, sha256))


def edit(
    store: AnswerStore,
    answer_id: str,
    user: User,
    *,
    version: int,
    sha256: str,
    text: str,
    comment: str | None = None,
) -> AnswerVersion:
    """Create a new version with ``text`` on top of version ``version`` (SHA-256 ``sha256``),
    which must be the current one; verified, findings kept on it; stays pending."""
    body = _required(text, "The edited text")
    note = _optional(comment, "A comment")
    seen = (version, sha256)
    decision = _decide(store, answer_id, user, "edit", comment=note, seen=seen, new_text=body)
    return next(v for v in store.versions(answer_id) if v.version == decision.result_version)


def comment(store: AnswerStore, answer_id: str, user: User, *, text: str) -> Decision:
    """Add a comment; the status does not change."""
    return _decide(store, answer_id, user, "comment", comment=_required(text, "A comment"))


def verify_audit(store: AnswerStore, hmac_key: bytes) -> AuditReport:
    """Verify the chain, then that decisions and versions agree with their audit entries."""
    from assistant.review.audit import verify_chain
    from assistant.review.crosscheck import crosscheck

    report = verify_chain(store.db, hmac_key)
    return crosscheck(store, report) if report.ok else report
