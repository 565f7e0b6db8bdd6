"""What the reviewer console triages with, beside the review routes (server/routers/review.py):
the queue as rows with asker, coverage, refusal kind and findings in plain words, and for one
answer its findings explained sentence by sentence and its sources as links.

Read-only: every decision still goes through the review routes and their audit trail.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from assistant.index.base import Catalog
from assistant.models import AnswerRecord, Citation
from assistant.render import web_url
from assistant.review import workflow
from assistant.review.fingerprints import shown
from assistant.review.store import AnswerStore
from assistant.review.users import User
from assistant.stages.understand import Serving
from server.auth import REVIEWER
from server.deps import IndexDep, StoreDep
from server.findings_words import Finding, explain_all

router = APIRouter(prefix="/api/review", tags=["review"])

UserDep = Annotated[User, Depends(REVIEWER)]
Kind = Literal["answer", "not_covered", "off_topic"]
# Findings that say the message was no question, or that nothing in the corpus is near it.
_OFF_TOPIC = ("message: ", "best passage similarity")


class FindingOut(BaseModel):
    says: str
    sentence: str | None
    problem: bool
    raw: str


class TriageRow(BaseModel):
    """One queue row: what a reviewer sorts and filters the queue by."""

    id: str
    question: str
    asker: str | None
    created_at: str
    review_status: str
    coverage: str
    uncovered: list[str]
    refused: bool
    kind: Kind
    generator: str
    versions: int
    findings: list[FindingOut]
    problems: int


class SourceLink(BaseModel):
    n: int
    source_id: str
    title: str
    citation: str | None
    url: str | None
    article: str | None  # the page of an approved article, when the source is one


class Explained(BaseModel):
    """One answer's findings in words (the generated text's and the current version's) and its
    sources as links."""

    answer_id: str
    findings: list[FindingOut]
    version: int
    version_findings: list[FindingOut]
    sources: list[SourceLink]


def kind_of(record: AnswerRecord) -> Kind:
    """An answer, a refusal naming what the sources do not cover, or an off-topic message."""
    if not record.refused:
        return "answer"
    if any(f.startswith(_OFF_TOPIC) for f in record.findings):
        return "off_topic"
    return "not_covered"


def _out(findings: list[Finding]) -> list[FindingOut]:
    return [
        FindingOut(says=f.says, sentence=f.sentence, problem=f.problem, raw=f.raw) for f in findings
    ]


def _rows(store: AnswerStore, catalog: Catalog, status: str | None, limit: int) -> list[TriageRow]:
    askers: dict[str, str | None] = {}
    rows = []
    # As every channel shows them: an answer whose cited passage changed since it was
    # reviewed reads as pending until the re-check has run (assistant/review/fingerprints.py).
    for record in (shown(r, catalog) for r in workflow.queue(store, status=status, limit=limit)):
        cid = record.conversation_id
        if cid not in askers:
            askers[cid] = store.conversation_owner(cid)
        history = store.versions(record.id)
        current = history[-1].findings if len(history) > 1 else []
        findings = _out(explain_all([*record.findings, *current]))
        rows.append(
            TriageRow(
                id=record.id,
                question=record.question,
                asker=askers[cid],
                created_at=record.created_at,
                review_status=record.review_status.value,
                coverage=record.coverage,
                uncovered=record.uncovered,
                refused=record.refused,
                kind=kind_of(record),
                generator=record.generator,
                versions=len(history),
                findings=findings,
                problems=sum(f.problem for f in findings),
            )
        )
    return rows


@router.get("/triage", response_model=list[TriageRow])
async def triage(
    _: UserDep,
    store: StoreDep,
    index: IndexDep,
    status: Literal["pending_review", "approved", "rejected", "all"] = "pending_review",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[TriageRow]:
    """The queue in one state (or all), oldest first, as rows to sort and filter."""
    chosen = None if status == "all" else status
    return await run_in_threadpool(_rows, store, index.catalog, chosen, limit)


def _link(index: Serving, c: Citation) -> SourceLink:
    """A citation with the best address the corpus has for it."""
    catalog = index.catalog
    source = catalog.document(c.source_id)
    url = web_url(c.url) or web_url(source.url if source else None)
    if url is None:  # an article's reference may carry the address its source lacks
        refs = (r for doc in catalog.articles() for r in doc.references if r.id == c.source_id)
        url = next((web_url(r.url) for r in refs if web_url(r.url)), None)
    article = f"/articles/{c.source_id}" if catalog.article(c.source_id) is not None else None
    return SourceLink(
        n=c.n, source_id=c.source_id, title=c.title, citation=c.citation, url=url, article=article
    )


def _explained(store: AnswerStore, index: Serving, answer_id: str) -> Explained:
    record = store.get_answer(answer_id)
    history = store.versions(answer_id)
    current = history[-1] if history else None
    return Explained(
        answer_id=answer_id,
        findings=_out(explain_all(record.findings)),
        version=current.version if current else 1,
        version_findings=_out(explain_all(current.findings if current else [])),
        sources=[_link(index, c) for c in record.citations],
    )


@router.get("/answers/{answer_id}/explained", response_model=Explained)
async def explained(
    answer_id: Annotated[str, Path(max_length=64, description="Answer id.")],
    _: UserDep,
    store: StoreDep,
    index: IndexDep,
) -> Explained:
    """One answer's findings in plain words, each naming its sentence, and its sources as
    links (the corpus's address, or the approved article's page)."""
    return await run_in_threadpool(_explained, store, index, answer_id)
