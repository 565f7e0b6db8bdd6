"""What a re-check decides about one answer, worked out before anything is written.

For each passage the current version cites: unchanged (the same text is still served, in the
same or another chunk of its document), changed (its successor: the chunk of the same id, else
the chunk of its document closest in words) or withdrawn (its document is no longer in the
approved corpus). The text is then verified, with the checks a model's answer goes through,
against the passages as they read now and as they read when it was fingerprinted; a sentence
kept by the old and removed by the new is no longer supported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.language.sentences import answer_sentences
from assistant.models import (
    Chunk,
    Citation,
    EvidenceChange,
    EvidenceNotice,
    EvidenceState,
    ReviewStatus,
)
from assistant.review import fingerprints as fp
from assistant.review.evidence_sql import Snapshot
from assistant.review.records import Fingerprint
from assistant.verify import check_sentences, passage_context, passage_texts

if TYPE_CHECKING:
    from assistant.review.recheck import Served

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Plan:
    """The marking of one answer, valid while it is at ``version`` with ``status`` and the
    live evidence ``basis``."""

    answer_id: str
    version: int
    status: ReviewStatus
    basis: tuple[Fingerprint, ...]
    state: EvidenceState
    fingerprints: list[Fingerprint]
    citations: list[Citation]
    notice: EvidenceNotice
    summary: str


@dataclass(frozen=True)
class _Passage:
    """One cited passage after the ingest: its chunk now (None when withdrawn)."""

    n: int
    chunk: Chunk | None
    changed: bool


def successor(f: Fingerprint, c: Citation | None, served: Served) -> _Passage:
    """Where the passage ``f`` fingerprints is in the served generation: the same text (in any
    chunk of its document), else the chunk of the same id, else (re-chunked) the chunk of its
    document closest in words; no chunk when the document left the approved corpus."""
    catalog = served.catalog
    same = served.by_hash.get(f.passage_sha256)
    if same is not None:  # the hash covers the document id: same document, same text
        return _Passage(f.n, same, changed=f.state == fp.WITHDRAWN)
    chunks = catalog.doc_chunks(f.source_id)
    if catalog.document(f.source_id) is None or not chunks:
        return _Passage(f.n, None, changed=f.state != fp.WITHDRAWN)
    by_id = catalog.chunk(f.chunk_id)
    if by_id is not None and by_id.doc_id == f.source_id:
        return _Passage(f.n, by_id, changed=True)
    return _Passage(f.n, _closest(c.passage if c else "", chunks), changed=True)


def _closest(passage: str, chunks: Sequence[Chunk]) -> Chunk:
    words = set(_WORD.findall(passage.lower()))
    return max(chunks, key=lambda c: len(words & set(_WORD.findall(c.text.lower()))))


def _citation(c: Citation, p: _Passage, served: Served) -> Citation:
    if p.chunk is None or not p.changed:
        return c
    return c.model_copy(
        update={
            "chunk_id": p.chunk.id,
            "title": p.chunk.title,
            "passage": passage_texts([p.chunk.text])[0],
            "passage_sha256": p.chunk.content_hash,
            "document_version": served.catalog.doc_hash(p.chunk.doc_id),
        }
    )


def _fingerprint(f: Fingerprint, p: _Passage, served: Served) -> Fingerprint:
    if p.chunk is None:
        return f.model_copy(update={"state": fp.WITHDRAWN})
    if not p.changed:
        return f
    return Fingerprint(
        n=f.n,
        chunk_id=p.chunk.id,
        source_id=p.chunk.doc_id,
        passage_sha256=p.chunk.content_hash,
        document_version=served.catalog.doc_hash(p.chunk.doc_id),
    )


def _texts(
    citations: Sequence[Citation], now: dict[int, _Passage]
) -> tuple[list[str], list[str], list[str]]:
    """Passages by citation number (old, new) and their contexts, as ``check_sentences`` reads
    them (``[n]`` is position n)."""
    size = max((c.n for c in citations), default=0)
    old, new, contexts = [""] * size, [""] * size, [""] * size
    for c in citations:
        old[c.n - 1] = new[c.n - 1] = c.passage
        contexts[c.n - 1] = passage_context(c.title)
        p = now.get(c.n)
        if p is None:
            continue
        if p.chunk is None:
            new[c.n - 1] = ""
        else:
            new[c.n - 1] = passage_texts([p.chunk.text])[0]
            contexts[c.n - 1] = passage_context(p.chunk.title, p.chunk.heading)
    return old, new, contexts


def _citing(text: str, n: int) -> list[str]:
    return [s for s in answer_sentences(text) if n in fp.cited(s)]


def _names(c: Citation | None, p: _Passage, f: Fingerprint) -> str:
    where = p.chunk.id if p.chunk is not None else f.chunk_id
    title = c.title if c is not None else f.source_id
    return f"[{f.n}] {title} ({f.source_id}, passage {where})"


def findings(
    snap: Snapshot, now: dict[int, _Passage], min_support: float
) -> tuple[list[str], bool]:
    """What the re-check found, each naming its sentence and passage; and whether a sentence
    that verified against the old passages no longer does."""
    record, text = snap.record, snap.version.text
    by_n = {c.n: c for c in record.citations}
    basis = {f.n: f for f in snap.evidence}
    found: list[str] = []
    for n, p in sorted(now.items()):
        if p.chunk is None:
            quoted = "; ".join(repr(s) for s in _citing(text, n)) or "the answer"
            name = _names(by_n.get(n), p, basis[n])
            found.append(f"{name} was withdrawn from the approved corpus; cited by {quoted}")
    changed = {n for n, p in now.items() if p.changed and p.chunk is not None}
    if not changed:
        return found, False
    old, new, contexts = _texts(record.citations, now)
    question = record.standalone_question
    # Only the sentences citing a changed passage can change verdict: the verifier checks each
    # sentence on its own, so the rest need not be checked again (most of the re-check's time).
    text = " ".join(s for s in answer_sentences(text) if fp.cited(s) & changed)
    after = check_sentences(text, new, question, min_support, contexts)
    if not after.removed:
        return found, False
    before = set(check_sentences(text, old, question, min_support, contexts).removed)
    unsupported = False
    for sentence, problem in zip(after.removed, after.problems, strict=True):
        ns = fp.cited(sentence) & changed
        if sentence in before or not ns:
            continue
        names = ", ".join(_names(by_n.get(n), now[n], basis[n]) for n in sorted(ns))
        why = problem.tagged()
        found.append(f"no longer supported: {sentence!r} — {names} as it reads now: {why}")
        unsupported = True
    return found, unsupported


def plan(snap: Snapshot, served: Served, min_support: float) -> Plan | None:
    """How to mark ``snap``'s answer, or None when none of its cited passages changed."""
    record = snap.record
    by_n = {c.n: c for c in record.citations}
    now = {f.n: successor(f, by_n.get(f.n), served) for f in snap.evidence}
    if not any(p.changed for p in now.values()):
        return None
    found, unsupported = findings(snap, now, min_support)
    withdrawn = any(p.chunk is None for p in now.values())
    state: EvidenceState = (
        "evidence_withdrawn"
        if withdrawn
        else "no_longer_supported"
        if unsupported
        else "evidence_changed"
    )
    basis = {f.n: f for f in snap.evidence}
    citations = [_citation(c, now[c.n], served) if c.n in now else c for c in record.citations]
    changes = _changes(record.evidence, by_n, now, citations)
    reviewed = _reviewed_on(snap)
    notice = EvidenceNotice(
        state=state,
        message=fp.message(state, reviewed, record.created_at[:10], pending=False),
        reviewed_on=reviewed,
        corpus_version=served.catalog.corpus_version,
        changes=changes,
        findings=found,
    )
    return Plan(
        answer_id=record.id,
        version=snap.version.version,
        status=snap.status,
        basis=snap.evidence,
        state=state,
        fingerprints=[_fingerprint(basis[n], p, served) for n, p in sorted(now.items())],
        citations=citations,
        notice=notice,
        summary=_summary(state, changes),
    )


def _reviewed_on(snap: Snapshot) -> str | None:
    """The date of the approval this re-check calls into question (kept across re-checks)."""
    if snap.status is ReviewStatus.APPROVED and snap.record.reviewed_at:
        return snap.record.reviewed_at[:10]
    previous = snap.record.evidence
    return previous.reviewed_on if previous is not None else None


def _changes(
    previous: EvidenceNotice | None,
    by_n: dict[int, Citation],
    now: dict[int, _Passage],
    citations: Sequence[Citation],
) -> list[EvidenceChange]:
    """Each changed passage against the text it had when the answer was last reviewed."""
    before = {x.n: x.reviewed_passage for x in previous.changes} if previous else {}
    current = {c.n: c for c in citations}
    changes = []
    for n, p in sorted(now.items()):
        c = by_n.get(n)
        if c is None or (not p.changed and n not in before):
            continue
        reviewed = before.get(n, c.passage)
        passage = None if p.chunk is None else current[n].passage
        changes.append(
            EvidenceChange(
                n=n,
                source_id=c.source_id,
                title=c.title,
                change=fp.WITHDRAWN if p.chunk is None else "changed",
                reviewed_passage=reviewed,
                passage=passage,
                diff=fp.word_diff(reviewed, passage) if passage is not None else [],
            )
        )
    return changes


def _summary(state: str, changes: Sequence[EvidenceChange]) -> str:
    parts = [f"[{c.n}] {c.source_id} {c.change}" for c in changes]
    return f"{state}: " + ("; ".join(parts) or "evidence changed")
