"""What the review tables hold, as typed records: versions of an answer and decisions on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from assistant.models import AnswerRecord, ReviewStatus


class AnswerVersion(BaseModel):
    """One text of an answer: version 1 is the generator's, later ones a reviewer's edit."""

    answer_id: str
    version: int
    text: str
    sha256: str
    created_at: str
    author: str  # "generator:<name>" or the reviewer who wrote it
    comment: str | None = None
    # What verification found in this text (numbers or citations its passages do not support).
    findings: list[str] = Field(default_factory=list)


class Decision(BaseModel):
    """A signed review action on one exact version, as stored and audited."""

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
    # An edit: what verification found in the new text. An approval: the findings it overrode.
    findings: list[str] = Field(default_factory=list)
    # Why an approver accepted a version despite its findings (required then).
    justification: str | None = None


@dataclass(frozen=True)
class CurrentVersion:
    """An answer as a decision sees it, read inside the decision's write transaction."""

    record: AnswerRecord
    status: ReviewStatus
    owner: str | None  # who asked the question
    version: AnswerVersion
    authors: frozenset[str] = field(default_factory=frozenset)  # of every version so far
