"""The review state machine: every allowed transition, every refused one, and role checks.

Runs on every store backend (SQLite file; PostgreSQL when installed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.errors import (
    InvalidRequestError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from assistant.models import AnswerRecord, ReviewStatus
from assistant.review import workflow
from assistant.review.audit import entries
from assistant.review.store import AnswerStore, text_sha256
from assistant.review.users import User
from assistant.review.workflow import allowed_actions
from tests.support.records import ANSWER_TEXT, make_record, open_backend, save_answer, seen

PENDING, APPROVED, REJECTED = ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED
Act = Callable[[AnswerStore, str, User], object]
ACTS: dict[str, Act] = {
    "approve": lambda s, a, u: workflow.approve(
        s, a, u, **seen(s, a), comment="checked against the label"
    ),
    "reject": lambda s, a, u: workflow.reject(
        s, a, u, **seen(s, a), reason="dose not in the cited passage"
    ),
    "edit": lambda s, a, u: workflow.edit(
        s, a, u, **seen(s, a), text="LDN is 1 to 5 mg daily [1]."
    ),
    "comment": lambda s, a, u: workflow.comment(s, a, u, text="second look please"),
}
ALLOWED = [
    (PENDING, "approve", APPROVED),
    (PENDING, "reject", REJECTED),
    (PENDING, "edit", PENDING),
    (PENDING, "comment", PENDING),
    (APPROVED, "comment", APPROVED),
    (REJECTED, "comment", REJECTED),
]
REFUSED = [
    (state, action)
    for state in (PENDING, APPROVED, REJECTED)
    for action in ACTS
    if not any(s == state and a == action for s, a, _ in ALLOWED)
]


def bring_to(store: AnswerStore, answer_id: str, state: ReviewStatus, who: User) -> None:
    if state is APPROVED:
        workflow.approve(store, answer_id, who, **seen(store, answer_id))
    elif state is REJECTED:
        workflow.reject(store, answer_id, who, **seen(store, answer_id), reason="unsupported claim")


def shown_everywhere(store: AnswerStore, record: AnswerRecord) -> set[tuple[str, str]]:
    """(status, text) as every read channel shows the answer."""
    return {
        (r.review_status.value, r.answer)
        for r in (
            store.get_answer(record.id),
            *store.conversation_answers(record.conversation_id),
            *[a for a in store.list_answers() if a.id == record.id],
            *[a for a in workflow.queue(store, status=None) if a.id == record.id],
            workflow.detail(store, record.id).record,
        )
    }


def test_the_refused_list_covers_every_other_pair() -> None:
    assert len(ALLOWED) + len(REFUSED) == 3 * len(ACTS)
    assert allowed_actions(APPROVED) == ["comment"]


@pytest.mark.parametrize(("start", "action", "end"), ALLOWED)
def test_allowed_transition(
    store: AnswerStore,
    people: dict[str, User],
    answer: AnswerRecord,
    start: ReviewStatus,
    action: str,
    end: ReviewStatus,
) -> None:
    bring_to(store, answer.id, start, people["rob"])
    before = len(entries(store.db))
    ACTS[action](store, answer.id, people["rita"])
    text = "LDN is 1 to 5 mg daily [1]." if action == "edit" else ANSWER_TEXT
    assert shown_everywhere(store, answer) == {(end.value, text)}
    last = workflow.detail(store, answer.id).decisions[-1]
    assert (last.action, last.user, last.from_status, last.to_status) == (
        action,
        "rita",
        start,
        end,
    )
    assert last.version_sha256 == text_sha256(ANSWER_TEXT)  # the exact version acted on
    assert last.meaning and last.at.endswith("+00:00")
    assert len(entries(store.db)) == before + 1
    assert workflow.verify_audit(store, store.audit_key()).ok


@pytest.mark.parametrize(("start", "action"), REFUSED)
def test_refused_transition_changes_nothing(
    store: AnswerStore,
    people: dict[str, User],
    answer: AnswerRecord,
    start: ReviewStatus,
    action: str,
) -> None:
    bring_to(store, answer.id, start, people["rob"])
    before = workflow.detail(store, answer.id)
    with pytest.raises(
        InvalidTransitionError, match=f"Cannot {action} answer .* it is {start.value}"
    ):
        ACTS[action](store, answer.id, people["rita"])
    after = workflow.detail(store, answer.id)
    assert after.model_dump() == before.model_dump()
    assert shown_everywhere(store, answer) == {(start.value, ANSWER_TEXT)}


def test_edit_keeps_the_original_and_approval_signs_the_edited_text(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    version = workflow.edit(
        store, answer.id, people["rita"], **seen(store, answer.id), text="LDN: 1 to 5 mg [1]."
    )
    approval = workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id))
    detail = workflow.detail(store, answer.id)
    assert [v.text for v in detail.versions] == [ANSWER_TEXT, "LDN: 1 to 5 mg [1]."]
    assert approval.version == version.version == 2
    assert approval.version_sha256 == version.sha256 == text_sha256("LDN: 1 to 5 mg [1].")
    assert store.get_answer(answer.id).citations == answer.citations


def test_reviewer_may_not_approve_an_answer_to_their_own_question(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    with pytest.raises(InvalidTransitionError, match=r"dr\.asker asked the question"):
        workflow.approve(store, answer.id, people["dr.asker"], **seen(store, answer.id))
    workflow.reject(
        store,
        answer.id,
        people["dr.asker"],
        **seen(store, answer.id),
        reason="cannot approve my own",
    )
    assert store.get_answer(answer.id).review_status is REJECTED


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_self_approval_can_be_allowed_by_setting(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from assistant.review.users import add_user

    store = open_backend(kind, tmp_path, request, allow_self_approval=True)
    me, _ = add_user(store, "dr.asker", "reviewer")
    record = save_answer(store, owner="dr.asker")
    assert workflow.approve(store, record.id, me, **seen(store, record.id)).to_status is APPROVED
    store.close()


@pytest.mark.parametrize("action", list(ACTS))
def test_clinicians_cannot_review(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord, action: str
) -> None:
    with pytest.raises(PermissionDeniedError, match="cleo is a clinician; this needs reviewer"):
        ACTS[action](store, answer.id, people["cleo"])
    assert workflow.detail(store, answer.id).decisions == []
    assert len(entries(store.db)) == 1  # only the creation


@pytest.mark.parametrize("action", list(ACTS))
def test_admins_hold_the_reviewer_role(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord, action: str
) -> None:
    ACTS[action](store, answer.id, people["ada"])
    assert workflow.detail(store, answer.id).decisions[-1].role == "admin"


def test_bad_requests_name_what_is_wrong(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    rita = people["rita"]
    with pytest.raises(InvalidRequestError, match="A reason is required"):
        workflow.reject(store, answer.id, rita, **seen(store, answer.id), reason="   ")
    with pytest.raises(InvalidRequestError, match="A comment is required"):
        workflow.comment(store, answer.id, rita, text="")
    with pytest.raises(InvalidRequestError, match=r"cites \[7\], which is not one of"):
        workflow.edit(store, answer.id, rita, **seen(store, answer.id), text="Take 9 mg [7].")
    with pytest.raises(NotFoundError, match="No answer 'nope'"):
        workflow.approve(store, "nope", rita, version=1, sha256="0" * 64)
    with pytest.raises(InvalidRequestError, match="status must be one of"):
        workflow.queue(store, status="done")
    assert workflow.detail(store, answer.id).decisions == []


def test_queue_pages_oldest_first_by_status(store: AnswerStore, people: dict[str, User]) -> None:
    records = []
    for _ in range(5):
        # created_at has millisecond precision; answers of the same millisecond are ordered by
        # id (stable for paging, but not the order they were saved in).
        time.sleep(0.002)
        records.append(save_answer(store))
    workflow.approve(store, records[1].id, people["rita"], **seen(store, records[1].id))
    pending = [r.id for r in workflow.queue(store)]
    assert pending == [r.id for r in records if r.id != records[1].id]
    assert [r.id for r in workflow.queue(store, limit=2, offset=1)] == pending[1:3]
    assert [r.id for r in workflow.queue(store, status="approved")] == [records[1].id]
    assert len(workflow.queue(store, status=None)) == 5


def test_detail_is_json_serialisable_with_history(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    workflow.comment(store, answer.id, people["rita"], text="looks right")
    workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id))
    data = json.loads(workflow.detail(store, answer.id).model_dump_json())
    assert data["record"]["review_status"] == "approved"
    assert [d["action"] for d in data["decisions"]] == ["comment", "approve"]
    assert [e["action"] for e in data["audit"]] == ["create", "comment", "approve"]
    assert data["audit"][0]["payload"]["version_sha256"] == text_sha256(ANSWER_TEXT)
    assert data["allowed_actions"] == ["comment"]
    assert data["owner"] == "dr.asker"


def test_a_new_answer_is_always_born_pending_and_audited(store: AnswerStore) -> None:
    conversation = store.create_conversation(owner="dr.asker")
    forged = make_record(conversation.id).model_copy(update={"review_status": APPROVED})
    with pytest.raises(InvalidRequestError, match="always stored pending review"):
        store.save_answer(forged)
    record = save_answer(store)
    (created,) = workflow.detail(store, record.id).audit
    assert (created.action, created.actor) == ("create", "generator:extractive")
    assert created.payload["version_sha256"] == text_sha256(ANSWER_TEXT)
