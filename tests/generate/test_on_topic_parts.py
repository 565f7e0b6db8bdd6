"""A part of a message about a condition is answered from passages on that condition (or on a
drug the message names), never from a passage on another condition that shares its words."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from assistant.config import AnswerSettings
from assistant.generate.base import AskedConcept, GenerationRequest
from assistant.generate.extractive import ExtractiveGenerator
from assistant.generate.ranking import Candidate
from assistant.language.terminology import default_terminology

ROSACEA = AskedConcept(frozenset({"condition:rosacea"}), ("rosacea",), condition=True)
ANTIBIOTICS = AskedConcept(
    frozenset({"drug:anti-bacterial agents"}), ("antibiotic",), drug=True, kind_class=True
)
CEFUROXIME = AskedConcept(frozenset({"drug:cefuroxime"}), ("cefuroxime",), drug=True)
PASSAGES = (
    "Rosacea. Oral doxycycline 40 mg modified-release is added for moderate to severe rosacea.",
    "Clostridioides difficile. Oral fidaxomicin is the second-line antibiotic.",
    "Renal impairment. The dose of cefuroxime is given every 24 hours when CrCl is below 30.",
)


def _candidate(passage: int) -> Candidate:
    return Candidate(PASSAGES[passage - 1], passage, 0.5, 0.5, frozenset(), np.zeros(3))


def _request(*concepts: AskedConcept) -> GenerationRequest:
    hits: Any = [SimpleNamespace(chunk=SimpleNamespace(embedding_text=p)) for p in PASSAGES]
    return GenerationRequest("q", "q", hits, concepts=concepts)


def _kept(*concepts: AskedConcept) -> list[int]:
    generator = ExtractiveGenerator(Any, AnswerSettings(), default_terminology())  # type: ignore[arg-type]
    pool = [_candidate(i) for i in (1, 2, 3)]
    return [c.passage for c in generator._on_topic(_request(*concepts), pool)]


def test_a_part_on_a_condition_is_answered_from_its_passages_only() -> None:
    # "rosacea ... >> what oral antibiotic can I add?": not the C. difficile passage.
    assert _kept(ROSACEA, ANTIBIOTICS) == [1]


def test_a_drug_the_message_names_keeps_its_own_passages() -> None:
    # "cefuroxime for sinusitis, and in renal impairment?": the renal passage names the drug.
    sinusitis = AskedConcept(frozenset({"condition:sinusitis"}), ("sinusitis",), condition=True)
    assert _kept(sinusitis, CEFUROXIME) == [3]


def test_a_message_naming_no_condition_keeps_every_passage() -> None:
    assert _kept(CEFUROXIME) == [1, 2, 3]
