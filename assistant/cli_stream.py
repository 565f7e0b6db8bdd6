"""Streaming an answer to the terminal for `followup ask` and `followup chat`.

Deltas are printed as they arrive; they are provisional. When verification revised the text,
the authoritative answer is printed again under a note saying what changed. References, the
disclaimer and the review status always follow, from the persisted record.
"""

from __future__ import annotations

import typer

from assistant.models import AnswerRecord
from assistant.pipeline import DeltaEvent, FinalEvent, stream_answer
from assistant.render import references, status_line
from assistant.services import Services


def _tail(record: AnswerRecord) -> str:
    parts = []
    if record.citations:
        parts.append("References\n" + references(record))
    if record.related_questions:
        parts.append("Related questions\n" + "\n".join(f"- {q}" for q in record.related_questions))
    parts.append(record.disclaimer)
    parts.append(status_line(record))
    return "\n\n".join(parts)


def stream_to_terminal(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    audience: str = "clinician",
) -> AnswerRecord:
    """Answer ``question``, echoing text as it is generated; returns the persisted record."""
    events = stream_answer(
        services,
        question,
        conversation_id=conversation_id,
        article_id=article_id,
        audience=audience,
    )
    for event in events:
        if isinstance(event, DeltaEvent):
            typer.echo(event.text, nl=False)
        elif isinstance(event, FinalEvent):
            record = event.record
            if event.revised:
                notes = "\n".join(f"  - {change}" for change in event.changes)
                typer.echo(
                    f"\n\n[Revised after verification]\n{notes}\n\n{record.answer}", nl=False
                )
            typer.echo("\n\n" + _tail(record))
            return record
    raise AssertionError("stream_answer ended without a final event")
