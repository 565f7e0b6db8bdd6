"""Asking the pipeline through a scripted model, and what every answer must hold whatever
the model wrote: the helpers of the model-backed generator suites."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.citations import verify
from assistant.compose import Composed
from assistant.models import AnswerRecord, ReviewStatus
from assistant.pipeline import Ask, DeltaEvent, FinalEvent, stream_answer
from tests.support.adversary import sources

QUESTION = "At what dose does naltrexone change from partial to full opioid blockade?"


def ask(services: Composed, question: str = QUESTION, **kw: Any) -> tuple[str, FinalEvent]:
    """Run the streaming pipeline; return the concatenated deltas and the final event."""
    deltas, final = [], None
    for event in stream_answer(services.pipeline, Ask(question, **kw)):
        if isinstance(event, DeltaEvent):
            deltas.append(event.text)
        elif isinstance(event, FinalEvent):
            final = event
    assert final is not None
    return "".join(deltas), final


def assert_invariants(record: AnswerRecord, services: Composed) -> None:
    # The disclaimer of the audience asked for (a patient's answer carries the patient one).
    assert record.disclaimer == services.pipeline.decide.wordings.of(record.audience).disclaimer
    assert record.review_status is ReviewStatus.PENDING
    retrieved = {hit.chunk_id for hit in record.retrieval}
    assert all(c.chunk_id in retrieved for c in record.citations)
    groups = re.findall(r"\[(\d+(?:,\s*\d+)*)\]", record.answer)
    cited = {int(n) for group in groups for n in group.split(",")}
    assert cited == {c.n for c in record.citations}
    assert verify(record.answer, record.citations) == []
    assert services.store.get_answer(record.id) == record


def best_sentence(body: dict[str, Any]) -> tuple[int, str]:
    """A sentence the product gave the model, quoted faithfully: what an honest model writes."""
    for n, text in sorted(sources(body).items()):
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if re.search(r"\bnaltrexone\b", sentence, re.I) and len(sentence.split()) > 6:
                return n, sentence.rstrip(".")
    n, text = next(iter(sorted(sources(body).items())))
    return n, text.split(".")[0]


MakeServices = Callable[..., Composed]
