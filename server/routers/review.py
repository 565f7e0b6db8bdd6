"""The reviewer's routes: the queue, an answer with its cited passages and history, decisions.

A thin shell over ``assistant.review.workflow``; every decision lands in its audit trail.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from assistant.models import AnswerRecord
from assistant.review import workflow
from assistant.review.fingerprints import shown
from assistant.review.users import User
from server.auth import REVIEWER
from server.deps import IndexDep, StoreDep
from server.schemas import SeenVersion, Strict, text_field

router = APIRouter(prefix="/api/review", tags=["review"])

AnswerId = Annotated[str, Path(max_length=64, description="Answer id.")]
UserDep = Annotated[User, Depends(REVIEWER)]


class ApproveIn(SeenVersion):
    comment: str | None = text_field(4000, "Optional note.", required=False)
    justification: str | None = text_field(
        4000,
        "Why the text is right despite its verification findings (required when it has any).",
        required=False,
    )


class RejectIn(SeenVersion):
    reason: str = text_field(4000, "Why it is rejected.")


class EditIn(SeenVersion):
    """``version`` and ``sha256`` name the version the edit starts from (the current one)."""

    text: str = text_field(20000, "The corrected answer; cite only the original passages.")
    comment: str | None = text_field(4000, "Optional note.", required=False)


class CommentIn(Strict):
    text: str = text_field(4000, "The comment.")


@router.get("/queue", response_model=list[AnswerRecord])
async def queue(
    _: UserDep,
    store: StoreDep,
    index: IndexDep,
    status: Literal["pending_review", "approved", "rejected", "all"] = "pending_review",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    changed: Annotated[
        bool, Query(description="Only answers whose evidence changed since they were reviewed.")
    ] = False,
) -> list[AnswerRecord]:
    """Answers in a review state (the pending queue by default); ``changed=true``: only those
    whose cited evidence changed since they were reviewed (or written)."""
    chosen = None if status == "all" else status
    records = await run_in_threadpool(
        workflow.queue, store, status=chosen, limit=limit, offset=offset, changed=changed
    )
    return [shown(r, index.catalog) for r in records]


@router.get("/answers/{answer_id}", response_model=workflow.AnswerDetail)
async def detail(answer_id: AnswerId, _: UserDep, store: StoreDep, index: IndexDep) -> Any:
    """One answer with its cited passages, versions, decisions and audit history; when its
    evidence changed, the record's ``evidence`` says how (a diff of each passage)."""
    found = await run_in_threadpool(workflow.detail, store, answer_id)
    return found.model_copy(update={"record": shown(found.record, index.catalog)})


@router.post("/answers/{answer_id}/approve", response_model=workflow.Decision)
async def approve(answer_id: AnswerId, body: ApproveIn, user: UserDep, store: StoreDep) -> Any:
    """Approve the version you read (``version`` and ``sha256``), which must still be the
    current one (else 409 naming it): never by an author of a version of it; a version with
    verification findings needs a justification."""
    return await run_in_threadpool(
        lambda: workflow.approve(
            store,
            answer_id,
            user,
            version=body.version,
            sha256=body.sha256,
            comment=body.comment,
            justification=body.justification,
        )
    )


@router.post("/answers/{answer_id}/reject", response_model=workflow.Decision)
async def reject(answer_id: AnswerId, body: RejectIn, user: UserDep, store: StoreDep) -> Any:
    """Reject the version you read (409 if it is no longer the current one), with a reason."""
    return await run_in_threadpool(
        lambda: workflow.reject(
            store,
            answer_id,
            user,
            version=body.version,
            sha256=body.sha256,
            reason=body.reason,
        )
    )


@router.post("/answers/{answer_id}/edit", response_model=workflow.AnswerVersion)
async def edit(answer_id: AnswerId, body: EditIn, user: UserDep, store: StoreDep) -> Any:
    """Save an edited text as a new version on top of the version you edited (409 if another
    edit or decision came first); it is verified like a model's answer and its findings are
    returned and shown to the next reviewer."""
    return await run_in_threadpool(
        lambda: workflow.edit(
            store,
            answer_id,
            user,
            version=body.version,
            sha256=body.sha256,
            text=body.text,
            comment=body.comment,
        )
    )


@router.post("/answers/{answer_id}/comment", response_model=workflow.Decision)
async def comment(answer_id: AnswerId, body: CommentIn, user: UserDep, store: StoreDep) -> Any:
    """Add a comment to the answer's history without deciding."""
    return await run_in_threadpool(lambda: workflow.comment(store, answer_id, user, text=body.text))
