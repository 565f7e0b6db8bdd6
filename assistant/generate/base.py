"""The generator interface: numbered passages in, a draft citing them by number out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.models import RetrievedChunk


@dataclass(frozen=True)
class AskedConcept:
    """Something the question turns on, as a sentence may name it: its terminology ids (the
    concept and its classes) and its names (normal form), for what no id names."""

    ids: frozenset[str] = frozenset()
    forms: tuple[str, ...] = ()
    drug: bool = False  # a treatment: a sentence about another drug does not answer
    leaned: bool = False  # what an earlier turn named: it rules out other drugs, adds no bonus
    kind_class: bool = False  # a drug class ("steroids"): any member may answer
    condition: bool = False  # a condition the question is about ("rosacea"), not a drug


@dataclass(frozen=True)
class AskedPart:
    """One part of the message ("does it need repeating?"), and whether the passages cover
    what it names (assistant/coverage.py judged it as a question of its own)."""

    text: str
    covered: bool = True
    concepts: tuple[AskedConcept, ...] = ()  # the subjects its own words name ("tramadol")


@dataclass(frozen=True)
class GenerationRequest:
    """What a generator may use: the question and the passages retrieved for it.

    Passages are numbered from 1 in list order; a draft cites them as ``[n]``.
    """

    question: str
    standalone_question: str
    passages: list[RetrievedChunk]
    audience: str = "clinician"
    history: tuple[tuple[str, str], ...] = ()  # (question, answer) pairs, oldest first
    # The standalone question with typos fixed and synonyms added (what was searched), and
    # the forms of each concept the question turns on: a sentence naming them answers it.
    search_question: str = ""
    concepts: tuple[AskedConcept, ...] = ()
    # The parts of a message that asks several things (assistant/question_parts.py); empty
    # or one part: the message asks one thing.
    parts: tuple[AskedPart, ...] = ()
    # What retrieval already computed, handed on so the answer embeds nothing again: the
    # searched question's vector and the passages' sentence vectors stored at ingest (group
    # key -> matrix, see assistant.index.sentences).
    query_vector: np.ndarray | None = field(default=None, compare=False)
    sentence_vectors: dict[str, np.ndarray] = field(default_factory=dict, compare=False)


@dataclass
class Draft:
    """A generator's answer before verification, citations and disclaimer are added in code."""

    text: str
    generator: str
    prompt_version: str | None = None
    refused: bool = False
    mode: str | None = None  # select | write | extractive: how the text was composed
    findings: list[str] = field(default_factory=list)
    # Set when the generator produced nothing usable (endpoint failed, timed out, leaked its
    # instructions): the pipeline then answers with the extractive generator instead.
    fallback_reason: str | None = None
    # Parts of the question the passages cover in name but no quoted sentence answers: the
    # answer names them as not covered (coverage partial).
    unanswered: tuple[str, ...] = ()


class Generator(Protocol):
    """Writes a draft answer citing only the request's passages, or refuses."""

    name: str

    def generate(self, request: GenerationRequest) -> Draft: ...


@runtime_checkable
class StreamingGenerator(Generator, Protocol):
    """A generator that can also stream: text deltas (``str``) as they are written, then
    exactly one :class:`Draft` as the last item. Deltas are provisional, unverified text."""

    def stream(self, request: GenerationRequest) -> Iterator[str | Draft]: ...


def final_draft(items: Iterable[str | Draft]) -> Draft:
    """The Draft a generator's stream ends with (a non-streaming ``generate``)."""
    for item in items:
        if isinstance(item, Draft):
            return item
    raise AssertionError("stream ended without a draft")


# A model that says its passages do not answer is not final: it is asked only after the
# coverage check in code found them to cover the question, and small models decline answerable
# questions (Qwen 1.5B, write mode: 8 of 29 answerable conversation turns). Its draft is
# discarded like an unusable one, and the extractive answer, verbatim quotes that decline
# themselves when nothing is relevant enough, answers instead.
MODEL_DECLINED = "the model said the sources do not answer the question"


def discarded(generator: str, version: str | None, mode: str, reason: str) -> Draft:
    """The draft of a model answer thrown away (the extractive fallback answers instead)."""
    return Draft(
        text="",
        generator=generator,
        prompt_version=version,
        mode=mode,
        findings=[f"model answer discarded: {reason}"],
        fallback_reason=reason,
    )
