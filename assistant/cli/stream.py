"""Streaming an answer to the terminal for `followup ask` and `followup chat`.

Deltas are printed as they arrive; they are provisional. When verification revised the text,
the authoritative answer is printed again under a note saying what changed. References, the
disclaimer and the review status always follow, from the persisted record.
"""

from __future__ import annotations

import typer

from assistant.models import AnswerRecord
from assistant.pipeline import Ask, DeltaEvent, FinalEvent, Pipeline, stream_answer
from assistant.render import after_answer, plain
from assistant.safe_text import terminal_safe


def stream_to_terminal(pipeline: Pipeline, ask: Ask) -> AnswerRecord:
    """Answer ``ask``, echoing text as it is generated; returns the persisted record."""
    for event in stream_answer(pipeline, ask):
        if isinstance(event, DeltaEvent):
            typer.echo(terminal_safe(event.text), nl=False)
        elif isinstance(event, FinalEvent):
            record = event.record
            if event.revised:
                notes = "\n".join(f"  - {terminal_safe(change)}" for change in event.changes)
                typer.echo(
                    f"\n\n[Revised after verification]\n{notes}\n\n{plain(record.answer)}",
                    nl=False,
                )
            typer.echo(after_answer(record, related=True))
            return record
    raise AssertionError("stream_answer ended without a final event")
