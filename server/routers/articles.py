"""Approved articles: the pages clinicians read before asking a follow-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from assistant.errors import NotFoundError
from assistant.models import Document
from assistant.review.users import User
from assistant.services import Services
from server.auth import ANY_USER
from server.deps import get_services
from server.schemas import ArticleOut, ArticleSummary, ReferenceOut

router = APIRouter(prefix="/api/articles", tags=["articles"])

UserDep = Annotated[User, Depends(ANY_USER)]
ServicesDep = Annotated[Services, Depends(get_services)]


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
async def list_articles(_: UserDep, services: ServicesDep) -> list[ArticleSummary]:
    """Every indexed (approved) article."""
    docs = services.catalog.articles()
    return sorted((_summary(d) for d in docs), key=lambda a: a.title)


@router.get("/{article_id}", response_model=ArticleOut)
async def read_article(
    article_id: Annotated[str, Path(max_length=200)], _: UserDep, services: ServicesDep
) -> ArticleOut:
    """One article: body with [n] markers, its numbered references and related questions."""
    doc = services.catalog.article(article_id)
    if doc is None:
        raise NotFoundError(f"No approved article {article_id!r}.")
    references = []
    for n, ref in enumerate(doc.references, start=1):
        source = services.catalog.document(ref.id)
        url = ref.url or (source.url if source else None)
        references.append(ReferenceOut(n=n, id=ref.id, citation=ref.citation, url=url))
    return ArticleOut(
        **_summary(doc).model_dump(),
        body=doc.text,
        references=references,
        related_questions=[str(q) for q in doc.metadata.get("related_questions") or []],
        disclaimer=services.disclaimer,
    )
