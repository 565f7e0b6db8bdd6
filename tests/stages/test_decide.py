"""The one decision (assistant/stages/decide.py): answer, answer in part or decline, with the
reason on the stored record, on the real sample index."""

from __future__ import annotations

from assistant.compose import Composed
from assistant.pipeline import Ask, answer


def stored(services: Composed, question: str) -> tuple[str | None, str]:
    record = answer(services.pipeline, Ask(question))
    kept = services.store.get_answer(record.id)
    assert (kept.decision, kept.decision_reason) == (record.decision, record.decision_reason)
    assert kept.refused == (kept.decision == "decline")
    return kept.decision, kept.decision_reason or ""


def test_a_covered_question_is_answered_and_says_why(services: Composed) -> None:
    question = "What dose of mebendazole for a 14 kg child with roundworm?"
    decision, reason = stored(services, question)
    assert decision == "answer" and "cover" in reason


def test_a_partly_covered_question_is_answered_in_part_naming_the_gap(services: Composed) -> None:
    question = "What is the usual LDN dose for fibromyalgia? Is it safe while breastfeeding?"
    decision, reason = stored(services, question)
    assert decision == "answer_in_part" and "breastfeeding" in reason


def test_an_uncovered_question_is_declined_naming_what_is_missing(services: Composed) -> None:
    question = "is naltrexone effective for treatment-resistant depression?"
    decision, reason = stored(services, question)
    assert decision == "decline" and "depression" in reason


def test_a_message_that_asks_nothing_is_declined_as_no_question(services: Composed) -> None:
    decision, reason = stored(services, "58F with fibromyalgia, on amitriptyline and duloxetine.")
    assert decision == "decline" and "not a usable question" in reason
