"""Approved articles: the pages clinicians read before asking a follow-up.

An article's disclaimer says that it is approved and, where it is recorded, by whom and when:
the review store's approval of the answer an article was published from (its front matter's
``provenance.answer_id``) first, else what the front matter says, else the corpus status and
date alone. It never carries the answers' "pending human review" wording.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant.errors import NotFoundError
from assistant.models import Document
from assistant.prompts import load_prompt
from assistant.review.store import AnswerStore
from assistant.review.users import User
from server.auth import ANY_USER
from server.deps import IndexDep, SettingsDep, StoreDep
from server.schemas import ArticleOut, ArticleSummary, ReferenceOut

router = APIRouter(prefix="/api/articles", tags=["articles"])

UserDep = Annotated[User, Depends(ANY_USER)]


class Approval(BaseModel):
    """Who approved an article and when, and where that is recorded."""

    approved_by: str | None = None
    approved_at: str | None = None
    recorded_in: str = Field(..., description="review store | article front matter | corpus")
    answer_id: str | None = Field(None, description="The approved answer it was published from.")

    def describe(self) -> str:
        """In words, for the disclaimer: "by rita on 2026-03-02, review decision on ..."."""
        when = (self.approved_at or "")[:10]
        if self.approved_by is None:
            date = f", last updated {when}" if when else ""
            return f"status approved in the corpus{date}; the corpus does not record by whom"
        on = f" on {when}" if when else ""
        if self.recorded_in == "review store":
            return f"by {self.approved_by}{on}, review decision on answer {self.answer_id}"
        return f"by {self.approved_by}{on}, as recorded in the article"


class ApprovedArticleOut(ArticleOut):
    approval: Approval


def approval_of(store: AnswerStore, doc: Document) -> Approval:
    """The article's approval: the store's decision when it was published from an answer."""
    provenance = doc.metadata.get("provenance") or {}
    answer_id = provenance.get("answer_id")
    if answer_id:
        decisions = store.decisions(answer_id, "approve")
        if decisions:
            last = decisions[-1]
            return Approval(
                approved_by=last.user,
                approved_at=last.at,
                recorded_in="review store",
                answer_id=answer_id,
            )
        if provenance.get("approved_by"):
            return Approval(
                approved_by=provenance["approved_by"],
                approved_at=provenance.get("approved_at"),
                recorded_in="article front matter",
                answer_id=answer_id,
            )
    return Approval(approved_at=doc.metadata.get("last_updated"), recorded_in="corpus")


def _summary(doc: Document) -> ArticleSummary:
    return ArticleSummary(
        id=doc.id,
        title=doc.title,
        question=doc.metadata.get("question"),
        audience=str(doc.metadata.get("audience", "clinician")),
        last_updated=doc.metadata.get("last_updated"),
        status=doc.status,
    )


@router.get("", response_model=list[ArticleSummary])
async def list_articles(_: UserDep, index: IndexDep) -> list[ArticleSummary]:
    """Every indexed (approved) article."""
    docs = index.catalog.articles()
    return sorted((_summary(d) for d in docs), key=lambda a: a.title)


@router.get("/{article_id}", response_model=ApprovedArticleOut)
async def read_article(
    article_id: Annotated[str, Path(max_length=200)],
    _: UserDep,
    index: IndexDep,
    store: StoreDep,
    settings: SettingsDep,
) -> ApprovedArticleOut:
    """One article: body with [n] markers, its numbered references, related questions, and
    who approved it and when (in ``approval`` and its disclaimer)."""
    doc = index.catalog.article(article_id)
    if doc is None:
        raise NotFoundError(f"No approved article {article_id!r}.")
    references = []
    for n, ref in enumerate(doc.references, start=1):
        source = index.catalog.document(ref.id)
        url = ref.url or (source.url if source else None)
        references.append(ReferenceOut(n=n, id=ref.id, citation=ref.citation, url=url))
    approval = await run_in_threadpool(approval_of, store, doc)
    template = load_prompt(settings.prompts_dir, "article_disclaimer", expect={"approval"})
    return ApprovedArticleOut(
        **_summary(doc).model_dump(),
        body=doc.text,
        references=references,
        related_questions=[str(q) for q in doc.metadata.get("related_questions") or []],
        disclaimer=template.render(approval=approval.describe()),
        approval=approval,
    )
