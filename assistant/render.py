"""Plain-text rendering of an answer record, shared by the CLI and text-only channels.

Everything that comes from the corpus (titles, citations, passages) or a model is untrusted:
it is rendered free of markup (no HTML, no Markdown links or images, no non-http(s) URLs)
and free of terminal control sequences, so a poisoned source cannot run script in a
Markdown/HTML chat front end or rewrite a terminal. Quoted passages are marked as quoted
source text: data to read, not instructions to follow.
"""

from __future__ import annotations

import re
import textwrap

from assistant.language.sentences import stream_pieces
from assistant.models import AnswerRecord, Citation, ReviewStatus, SourceReference
from assistant.safe_text import terminal_safe
from assistant.verify import sanitize

_STATUS_LINE = {
    ReviewStatus.PENDING: "Pending human review",
    ReviewStatus.APPROVED: "Approved by a reviewer",
    ReviewStatus.REJECTED: "Rejected by a reviewer",
}
_WEB_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)
QUOTE_LABEL = "Quoted source text:"


def plain(text: str) -> str:
    """Untrusted text as inert plain text: markup removed, control characters made visible."""
    return terminal_safe(sanitize(text).text)


sentence_pieces = stream_pieces


def web_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) address, else None (javascript:, data:, ...)."""
    if url and _WEB_URL.match(url.strip()):
        return url.strip()
    return None


def status_line(record: AnswerRecord) -> str:
    return f"{_STATUS_LINE[record.review_status]} — answer {record.id}"


def _reference(c: Citation, passages: bool) -> list[str]:
    head = f"[{c.n}] {plain(c.citation or c.title)}"
    url = web_url(c.url)
    if url:
        head += f" {url}"
    if not passages:
        return [head]
    return [head, _quote(c)]


def _quote(c: Citation) -> str:
    quoted = textwrap.shorten(plain(c.passage), width=300, placeholder=" …")
    body = textwrap.fill(f'{QUOTE_LABEL} "{quoted}"', width=96)
    return textwrap.indent(body, "    ")


def _source(ref: SourceReference) -> list[str]:
    numbers = ", ".join(map(str, ref.numbers))
    head = f"[{numbers}] {plain(ref.citation)}"
    url = web_url(ref.url)
    if url:
        head += f" {url}"
    lines = [head]
    if ref.via:
        titles = "; ".join(plain(v.title) for v in ref.via)
        lines.append(f"    Through the approved article: {titles}")
    return lines


def references(record: AnswerRecord, *, passages: bool = True) -> str:
    """The reference list: each source once by its real citation, with the answer's numbers
    that lead to it, its link and the article it came through; then, unless ``passages`` is
    off, each numbered passage quoted. Records without grouped references list citations."""
    if not record.references:
        return "\n".join(line for c in record.citations for line in _reference(c, passages))
    lines = [line for ref in record.references for line in _source(ref)]
    if passages:
        lines.append("Quoted passages")
        for c in record.citations:
            lines += [f"[{c.n}] {plain(c.title)}", _quote(c)]
    return "\n".join(lines)


def after_answer(record: AnswerRecord, *, passages: bool = True, related: bool = False) -> str:
    """What follows the answer text: references, related questions (when ``related``), the
    disclaimer and the review status, starting with the blank line that separates them."""
    parts = [coverage_line(record)]
    if record.citations:
        parts.append("References\n" + references(record, passages=passages))
    if related and record.related_questions:
        questions = "\n".join(f"- {plain(q)}" for q in record.related_questions)
        parts.append("Related questions\n" + questions)
    parts.extend(evidence_notes(record))
    parts.append(record.disclaimer)
    parts.append(status_line(record))
    return "".join(f"\n\n{part}" for part in parts)


def evidence_notes(record: AnswerRecord) -> list[str]:
    """The notice that the evidence of this answer (or of an earlier one in its conversation)
    changed since it was reviewed, with what changed in each passage."""
    from assistant.review.fingerprints import diff_summary

    notes = []
    notice = record.evidence
    if notice is not None:
        lines = [f"Evidence changed: {notice.message}"]
        for c in notice.changes:
            what = (
                "withdrawn from the approved corpus" if c.passage is None else diff_summary(c.diff)
            )
            lines.append(f"  [{c.n}] {plain(c.title)}: {plain(what)}")
        notes.append("\n".join(lines))
    notes.extend(
        f"Earlier in this conversation: {plain(e.message)}" for e in record.earlier_evidence
    )
    return notes


def coverage_line(record: AnswerRecord) -> str:
    """How the question was read and how much of it the sources cover, in one line."""
    parts = [f"Coverage: {record.coverage}"]
    if record.uncovered:
        parts.append(f"not addressed by the approved sources: {'; '.join(record.uncovered)}")
    if record.corrections:
        parts.append(f"read as: {', '.join(record.corrections)}")
    return plain(" — ".join(parts))


def answer_text(record: AnswerRecord, *, passages: bool = True) -> str:
    """Answer, references, disclaimer and review status, as a clinician reads them."""
    return plain(record.answer) + after_answer(record, passages=passages)
