"""Plain-text rendering of an answer record, shared by the CLI and text-only channels."""

from __future__ import annotations

import textwrap

from assistant.models import AnswerRecord, ReviewStatus

_STATUS_LINE = {
    ReviewStatus.PENDING: "Pending human review",
    ReviewStatus.APPROVED: "Approved by a reviewer",
    ReviewStatus.REJECTED: "Rejected by a reviewer",
}


def status_line(record: AnswerRecord) -> str:
    return f"{_STATUS_LINE[record.review_status]} — answer {record.id}"


def references(record: AnswerRecord, *, passages: bool = True) -> str:
    lines = []
    for c in record.citations:
        head = f"[{c.n}] {c.citation or c.title}"
        if c.url:
            head += f" {c.url}"
        lines.append(head)
        if passages:
            quoted = textwrap.shorten(c.passage, width=300, placeholder=" …")
            lines.append(textwrap.indent(textwrap.fill(f'"{quoted}"', width=96), "    "))
    return "\n".join(lines)


def coverage_line(record: AnswerRecord) -> str:
    """How the question was read and how much of it the sources cover, in one line."""
    parts = [f"Coverage: {record.coverage}"]
    if record.uncovered:
        parts.append(f"not addressed by the approved sources: {'; '.join(record.uncovered)}")
    if record.corrections:
        parts.append(f"read as: {', '.join(record.corrections)}")
    return " — ".join(parts)


def answer_text(record: AnswerRecord, *, passages: bool = True) -> str:
    """Answer, coverage, references, disclaimer and review status, as a clinician reads them."""
    parts = [record.answer, coverage_line(record)]
    if record.citations:
        parts.append("References\n" + references(record, passages=passages))
    parts.append(record.disclaimer)
    parts.append(status_line(record))
    return "\n\n".join(parts)
