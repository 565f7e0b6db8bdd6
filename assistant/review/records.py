"""What the review tables hold, as typed records: versions of an answer and decisions on them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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


class Fingerprint(BaseModel):
    """The evidence one version of an answer cites through ``[n]``, as it read when that
    version was written, re-checked or fingerprinted: the passage's content hash and its
    document's version. ``state`` is ``withdrawn`` once the passage left the approved corpus."""

    n: int
    chunk_id: str
    source_id: str
    passage_sha256: str
    document_version: str | None = None
    state: str = "ok"  # ok | withdrawn


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
    # The evidence the decision binds: an approval, the evidence approved; an edit or a
    # re-check, the evidence of the version it created.
    evidence: list[Fingerprint] = Field(default_factory=list)
    # A re-check: evidence_changed | evidence_withdrawn | no_longer_supported.
    evidence_state: str | None = None


@dataclass(frozen=True)
class CurrentVersion:
    """An answer as a decision sees it, read inside the decision's write transaction."""

    record: AnswerRecord
    status: ReviewStatus
    owner: str | None  # who asked the question
    version: AnswerVersion
    authors: frozenset[str] = field(default_factory=frozenset)  # of every version so far
    evidence: tuple[Fingerprint, ...] = ()  # what the current version cites, fingerprinted

    def withdrawn(self) -> list[Fingerprint]:
        """Cited passages of the current version that left the approved corpus."""
        return [f for f in self.evidence if f.state == "withdrawn"]


def version_from_row(row: Mapping[str, Any]) -> AnswerVersion:
    """A version as stored (findings kept as JSON text)."""
    data = dict(row)
    data["findings"] = json.loads(data.get("findings") or "[]")
    return AnswerVersion(**data)
