"""What a message is understood as: its kind, its questions, and the concepts each turns on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from assistant.language.terminology import Concept as Term


class MessageKind(StrEnum):
    QUESTION = "question"
    TERM_ONLY = "term_only"  # a bare abbreviation or term: ask what the question is
    CONTEXT_ONLY = "context_only"  # clinical context but nothing asked
    FOREIGN = "foreign"  # not English: the approved sources and checks are English
    INJECTION_ONLY = "injection_only"  # nothing left once the instruction to ignore rules goes


class ConceptKind(StrEnum):
    TERM = "term"  # a drug, condition, drug class or clinical term the terminology names
    RARE = "rare"  # a specific corpus word or an aspect: orders passages, never declines
    QUALIFIER = "qualifier"  # a population (pregnancy, children, renal impairment)
    ROUTE = "route"  # how a drug is given (IV, oral): a dose for one is none for another
    NUMBER = "number"


@dataclass(frozen=True)
class Concept:
    """Something a question turns on: a terminology concept, a population, a dose or a
    specific corpus word, with the names a passage may give it (normal form)."""

    label: str  # how it is named to the user ("low-dose naltrexone", "pregnancy")
    kind: ConceptKind
    forms: tuple[str, ...]
    essential: bool = True  # an uncovered essential concept means the question is not answered
    term: Term | None = None  # the terminology concept (ids, class, broader conditions)
    span: tuple[int, int] = (-1, -1)  # where its question names it
    ages: tuple[float, float] | None = None  # an age or age group asked about, in years

    @property
    def is_subject(self) -> bool:
        """A drug, condition or clinical term (not a population, a dose or a passing word)."""
        return self.kind is ConceptKind.TERM

    @property
    def is_drug(self) -> bool:
        """A drug or a drug class."""
        return self.term is not None and self.term.kind in ("drug", "class")

    @property
    def broader(self) -> tuple[str, ...]:
        """Ids of the classes or broader conditions of its terminology concept."""
        return self.term.broader if self.term else ()


@dataclass(frozen=True)
class Question:
    """One question of a message, with the concepts it turns on."""

    text: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class Understanding:
    """A message as understood: corrected, expanded, split, classified."""

    message: str
    corrected: str  # typos fixed
    search_text: str  # corrected, injections removed, synonyms appended: what is searched
    kind: MessageKind
    clinical: str = ""  # corrected, without any instruction to ignore the rules
    corrections: tuple[tuple[str, str], ...] = ()
    expansions: tuple[tuple[str, str], ...] = ()
    questions: tuple[Question, ...] = ()
    context: tuple[Concept, ...] = ()  # populations stated outside the questions
    injection: bool = False
    findings: tuple[str, ...] = field(default=())

    def following(self, earlier: Iterable[Concept]) -> Understanding:
        """This follow-up with what it leans on: the drugs and conditions of the question it
        follows when it (or one of its parts) names none itself (any one of them may be what
        it is about, so they are not essential one by one), and its population when it names
        none."""
        asked = [c for q in self.questions for c in q.concepts]
        inherit = []
        # A part of several that names nothing ("what bloods and how often? can he take
        # trimethoprim with it?") is about the earlier turn's drug, as a lone question is.
        bare = [
            q for q in self.questions if not any(c.kind is ConceptKind.TERM for c in q.concepts)
        ]
        if bare or not self.questions:
            terms = [c for c in earlier if c.kind is ConceptKind.TERM]
            inherit += [replace(c, essential=False) for c in terms]
        if not any(c.kind is ConceptKind.QUALIFIER for c in (*asked, *self.context)):
            inherit += [c for c in earlier if c.kind is ConceptKind.QUALIFIER]
        context = tuple(dict.fromkeys((*self.context, *inherit)))
        return replace(self, context=context)

    @property
    def names_subject(self) -> bool:
        """Whether a question of the message names a drug, condition or clinical term."""
        return any(c.is_subject for q in self.questions for c in q.concepts)

    @property
    def correction_notes(self) -> list[str]:
        """Corrections as shown to the user: "naltrexon → naltrexone"."""
        return [f"{a} → {b}" for a, b in self.corrections]

    def map(self, text: str) -> str:
        """``text`` (e.g. the condensed question) with this message's corrections and the
        corpus's names for its concepts."""
        for wrong, right in self.corrections:
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
        extra = [b for _, b in self.expansions if b.lower() not in text.lower()]
        return f"{text} ({'; '.join(dict.fromkeys(extra))})" if extra else text
