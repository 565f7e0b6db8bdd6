"""Data contracts shared by every part of the assistant (see DESIGN.md, "Contracts")."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, Field

APPROVED = "approved"
ARTICLE_STATUSES = frozenset({"approved", "under_review", "submitted"})


def sha256_text(*parts: str) -> str:
    """Stable content hash of one or more strings."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with an explicit offset."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Reference:
    """One entry of an article's reference list: what ``[n]`` in its body points to."""

    id: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """An approved-or-not unit of the corpus: an article or a citable source."""

    id: str
    title: str
    text: str
    kind: str  # article | summary | medquad | pubmed | ...
    status: str
    origin: str  # file (and line) it was read from
    url: str | None = None
    citation: str | None = None
    references: tuple[Reference, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_article(self) -> bool:
        return self.kind == "article"

    @property
    def content_hash(self) -> str:
        refs = json.dumps([[r.id, r.citation, r.url] for r in self.references])
        meta = json.dumps(self.metadata, sort_keys=True, default=str)
        parts = (self.id, self.title, self.text, self.kind, self.status, self.url or "")
        return sha256_text(*parts, self.citation or "", refs, meta)


@dataclass(frozen=True)
class Chunk:
    """A passage small enough to embed whole; the unit of retrieval and citation."""

    id: str
    doc_id: str
    ordinal: int
    title: str
    heading: str
    text: str
    reference_ids: tuple[str, ...]

    @property
    def embedding_text(self) -> str:
        """What the embedder and the lexical index see: title and heading give context."""
        return "\n".join(part for part in (self.title, self.heading, self.text) if part)

    @cached_property
    def content_hash(self) -> str:
        return sha256_text(self.doc_id, self.title, self.heading, self.text)


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk returned for one request, with how it ranked."""

    chunk: Chunk
    score: float  # fused score, higher is better
    dense_similarity: float | None = None  # cosine similarity to the query, when dense saw it
    dense_rank: int | None = None
    lexical_rank: int | None = None


class ReviewStatus(StrEnum):
    PENDING = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class Citation(BaseModel):
    """What ``[n]`` in an answer points to: a passage retrieved for that request."""

    n: int
    source_id: str
    chunk_id: str
    title: str
    citation: str | None = None
    url: str | None = None
    passage: str
    # Evidence fingerprint: the content hash of the cited passage (``Chunk.content_hash``) and
    # the version (ingest hash) of its document, in the generation the answer was written
    # from. A later ingest that changes either is found through them (assistant/review/recheck).
    passage_sha256: str | None = None
    document_version: str | None = None


class DiffPart(BaseModel):
    """One run of a word diff between two texts of a passage."""

    op: Literal["same", "removed", "added"]
    text: str


class EvidenceChange(BaseModel):
    """What happened to one cited passage since the answer was reviewed."""

    n: int
    source_id: str
    title: str
    change: Literal["changed", "withdrawn"]
    reviewed_passage: str  # the passage as it read when the answer was reviewed (or written)
    passage: str | None = None  # as it reads now; None when withdrawn
    diff: list[DiffPart] = Field(default_factory=list)


EvidenceState = Literal["evidence_changed", "evidence_withdrawn", "no_longer_supported"]


class EvidenceNotice(BaseModel):
    """Shown with an answer whose cited evidence changed after it was reviewed or written.

    ``evidence_changed``: the text still verifies against the new passages and a reviewer must
    confirm it; ``no_longer_supported``: a sentence no longer verifies; ``evidence_withdrawn``:
    a cited passage is gone from the approved corpus. ``pending`` while the re-check that
    ingest runs has not reached this answer yet (it is then never shown as approved).
    """

    state: EvidenceState
    message: str
    reviewed_on: str | None = None  # date of the approval it invalidated (None: never reviewed)
    checked_at: str | None = None  # when the re-check ran
    corpus_version: str | None = None  # the generation it was checked against
    changes: list[EvidenceChange] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)  # each names its sentence and passage
    published_article: str | None = None  # an article published from this answer
    pending: bool = False


class EarlierEvidence(BaseModel):
    """An earlier answer of the same conversation whose evidence changed (shown with later
    answers, so a client that never reloads the history still learns of it)."""

    answer_id: str
    question: str
    state: EvidenceState
    message: str


class SourceReference(BaseModel):
    """A source an answer rests on, named once by its real citation (a label, guideline or
    trial), whichever passages led to it: the numbers of those passages in the answer, its
    link where the corpus has one, and the approved article(s) it came through."""

    source_id: str
    citation: str
    url: str | None = None
    numbers: list[int] = Field(default_factory=list)  # the answer's [n] that lead to it
    via: list[ArticleLink] = Field(default_factory=list)


class ArticleLink(BaseModel):
    """An approved article a source came through (it cites the source, or it was quoted)."""

    id: str
    title: str


class RetrievalHit(BaseModel):
    chunk_id: str
    source_id: str
    score: float
    dense_similarity: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None


class AnswerRecord(BaseModel):
    """What every channel returns and the store keeps."""

    id: str
    conversation_id: str
    question: str
    standalone_question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    # The sources behind the citations, each once (assistant/references.py); empty on records
    # stored before the field existed.
    references: list[SourceReference] = Field(default_factory=list)
    disclaimer: str
    review_status: ReviewStatus = ReviewStatus.PENDING
    refused: bool = False
    # The one decision (assistant/stages/decide.py): answer | answer_in_part | decline, and
    # why; None on records stored before the fields existed.
    decision: str | None = None
    decision_reason: str | None = None
    generator: str
    fallback: str | None = None  # why the model's answer was not used, when it was not
    # How the stored text was composed: "select" (a model chose verbatim passage sentences),
    # "write" (a model wrote it), "extractive" (quoted in code). None on records stored before
    # the field existed.
    mode: str | None = None
    prompt_version: str | None = None
    corpus_version: str
    retrieval: list[RetrievalHit] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    anchor_article_id: str | None = None
    audience: str = "clinician"
    timings_ms: dict[str, float] = Field(default_factory=dict)
    related_questions: list[str] = Field(default_factory=list)  # answerable follow-ups
    # Which parts of the question the cited sources address (assistant/coverage.py):
    # full | partial | none, with the parts they do not address named.
    coverage: str = "full"
    uncovered: list[str] = Field(default_factory=list)
    # How the question was read: typo corrections ("naltrexon → naltrexone") and the text
    # that was searched (corrections applied, synonyms added).
    corrections: list[str] = Field(default_factory=list)
    search_question: str | None = None
    created_at: str = Field(default_factory=utc_now)
    # When a reviewer last approved or rejected it (None while it never was).
    reviewed_at: str | None = None
    # Set when the evidence it cites changed after it was reviewed or written.
    evidence: EvidenceNotice | None = None
    # Filled when the record is shown (never stored): earlier answers of its conversation
    # whose evidence changed.
    earlier_evidence: list[EarlierEvidence] = Field(default_factory=list)
