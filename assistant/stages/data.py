"""The plain typed data the stages pass along: the request, the turn, the assessment, the
verified citations and the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant.coverage import Coverage
from assistant.generate.base import AskedPart
from assistant.models import AnswerRecord, Citation
from assistant.review.store import Conversation
from assistant.understand import MessageKind, Understanding


@dataclass(frozen=True)
class Ask:
    """One question as a channel received it: the one request object of the blocking and
    the streaming entry points."""

    question: str
    conversation_id: str | None = None  # continue this conversation
    article_id: str | None = None  # start a conversation anchored on this approved article
    owner: str | None = None  # the user asking; a conversation of another user is not found
    audience: str = "clinician"  # who the answer is worded for (clinician | patient)


@dataclass
class Turn:
    """One question in its conversation, ready for retrieval."""

    question: str
    standalone_question: str
    conversation: Conversation
    history: list[AnswerRecord]
    favour: frozenset[str]
    understanding: Understanding
    search_question: str  # the standalone question, typos fixed and synonyms added
    timings_ms: dict[str, float] = field(default_factory=dict)
    audience: str = "clinician"  # who this answer is worded for (clinician | patient)


@dataclass(frozen=True)
class Assessment:
    """What the retrieved passages cover (assessed once, by the assess stage), with the parts
    of a message that asks several things and how the message reads."""

    coverage: Coverage
    message: MessageKind
    meaning: str | None = None  # of a term asked on its own ("LDN?")
    parts: tuple[AskedPart, ...] = ()


@dataclass(frozen=True)
class Cited:
    """A draft's text with its markers renumbered, its citations checked, and what the cited
    passages cover (None when nothing is cited or the draft refused)."""

    text: str
    citations: list[Citation]
    findings: list[str]
    coverage: Coverage | None = None


class Outcome(StrEnum):
    ANSWER = "answer"
    ANSWER_IN_PART = "answer_in_part"
    DECLINE = "decline"


@dataclass(frozen=True)
class Decision:
    """Answer, answer in part or decline, why, and what is said."""

    outcome: Outcome
    reason: str
    text: str
    citations: list[Citation]
    coverage: Coverage
    closest: list[str] = field(default_factory=list)  # offered when declining

    @property
    def refused(self) -> bool:
        return self.outcome is Outcome.DECLINE
