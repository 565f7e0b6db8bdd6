"""Reviewers' decisions as eval cases (``followup review export-cases``).

An approved answer is a verified example: it becomes a regression case (its question and the
questions before it in its conversation, the sources it cites as ``relevant``, and the numbers
and key phrases of the approved text as ``expect_any``; an approved refusal becomes a
``must_refuse`` case). A rejected answer is a known failure: it becomes a must-not case whose
``must_not`` sentences must not come back in an answer to the same question. Which sentences:
those the rejection's reason quotes, else those the rejected version added to the one before
it (a reviewer's edit), else every sentence of the rejected text.

The file holds questions and answers, so it is written only when an operator runs the export,
and with mode 0600.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from assistant.errors import InvalidRequestError
from assistant.language import markers, quantities
from assistant.language.sentences import split_sentences
from assistant.models import AnswerRecord, ReviewStatus
from assistant.review.store import AnswerStore

_QUOTED = re.compile(r"[\"“'‘]([^\"”'’]{8,})[\"”'’]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "may",
        "of",
        "on",
        "or",
        "than",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "within",
        "without",
        "not",
        "no",
        "should",
        "be",
        "been",
        "up",
        "after",
        "before",
        "over",
        "under",
        "per",
        "each",
        "more",
        "less",
        "most",
        "least",
    ]
)
PHRASES = 3


def plain(text: str) -> str:
    """Answer text without citation markers, whitespace normalised."""
    unmarked = markers.strip(text)  # "days [1]." -> "days."
    return re.sub(r"\s+", " ", unmarked).strip()


def sentences(text: str) -> list[str]:
    """Sentences of an answer (markers removed) that say something (three words or more)."""
    found = [s.strip() for s in split_sentences(plain(text))]
    return [s for s in found if len(_WORD.findall(s)) >= 3]


def _flexible(fragment: str) -> str:
    """A case-insensitive regex for ``fragment`` that lets spacing and dashes vary."""
    parts = [re.escape(p) for p in re.split(r"\s+", fragment.strip())]
    return r"\s*".join(parts).replace("\\-", "[-–]").replace("–", "[-–]")


def key_phrases(text: str, n: int = PHRASES) -> list[str]:
    """The longest runs of two or more content words (no stopword inside)."""
    runs: list[list[str]] = [[]]
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|\S", plain(text)):
        if _WORD.fullmatch(word) and word.lower() not in STOPWORDS:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    phrases = {" ".join(r) for r in runs if len(r) >= 2}
    return sorted(phrases, key=lambda p: (-len(p), p))[:n]


def expect_any(text: str) -> list[str]:
    """Alternative key facts of an approved text: its numbers (with units), then key phrases."""
    numbers = [q.text.strip() for q in quantities.quantities(plain(text))]
    facts = list(dict.fromkeys(numbers + key_phrases(text)))
    return [_flexible(f) for f in facts if f]


def must_not(rejected: str, earlier: str | None, reason: str) -> list[str]:
    """The sentences of a rejected text that must not come back (see the module docstring)."""
    said = sentences(rejected)
    quoted = [q.strip() for q in _QUOTED.findall(reason)]
    named = [s for s in said if any(q.lower() in s.lower() for q in quoted)]
    if named:
        return named
    if earlier is not None:
        before = set(sentences(earlier))
        added = [s for s in said if s not in before]
        if added:
            return added
    return said


def _history(store: AnswerStore, record: AnswerRecord) -> list[str]:
    earlier = store.conversation_answers(record.conversation_id)
    return [a.question for a in earlier if a.created_at < record.created_at and a.id != record.id]


def approved_case(store: AnswerStore, record: AnswerRecord) -> dict[str, Any]:
    text = store.versions(record.id)[-1].text
    case: dict[str, Any] = {
        "id": f"approved-{record.id[:12]}",
        "question": record.question,
        "history": _history(store, record),
        "kind": "reviewed-approved",
        "answer_id": record.id,
    }
    if record.refused:
        return {**case, "must_refuse": True}
    cited = {c.source_id: 1 for c in record.citations}
    return {
        **case,
        "relevant": cited,
        "expect_any": expect_any(text),
        "reference_answer": plain(text),
    }


def rejected_case(store: AnswerStore, record: AnswerRecord) -> dict[str, Any] | None:
    rejection = store.decisions(record.id, action="reject")[-1]
    texts = {v.version: v.text for v in store.versions(record.id)}
    rejected = texts[rejection.version]
    sentences_out = must_not(rejected, texts.get(rejection.version - 1), rejection.comment or "")
    if not sentences_out:
        return None
    return {
        "id": f"rejected-{record.id[:12]}",
        "question": record.question,
        "history": _history(store, record),
        "kind": "reviewed-rejected",
        "must_not": sentences_out,
        "reason": rejection.comment,
        "answer_id": record.id,
    }


def _all(store: AnswerStore, status: ReviewStatus, limit: int) -> list[AnswerRecord]:
    found: list[AnswerRecord] = []
    while len(found) < limit:
        page = store.review_queue(status.value, min(500, limit - len(found)), len(found))
        found.extend(page)
        if not page:
            break
    return found


def export(store: AnswerStore, out: Path, *, limit: int = 10_000) -> dict[str, int]:
    """Write the cases to ``out`` (0600, replaced whole); returns how many of each kind."""
    approved = [approved_case(store, r) for r in _all(store, ReviewStatus.APPROVED, limit)]
    rejected = [
        c for r in _all(store, ReviewStatus.REJECTED, limit) if (c := rejected_case(store, r))
    ]
    if not approved and not rejected:
        raise InvalidRequestError("No approved or rejected answers to export yet.")
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in approved + rejected)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(lines)
    os.chmod(tmp, 0o600)
    tmp.replace(out)
    return {"approved": len(approved), "rejected": len(rejected)}
