"""Evidence fingerprints: which exact passages an answer's text rests on, and whether they still
read that way in the generation being served.

Pure functions over plain data (no SQL, no I/O). An answer's citations carry the content hash
of each cited passage and its document's version (``fingerprint``, called when an answer is
made); the store keeps them per version (``Fingerprint`` rows). ``shown`` is what every channel
applies before showing a stored answer: an answer whose cited passage is gone or different in
the serving generation, and which the re-check has not reached yet, is never shown as approved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from assistant.errors import InvalidTransitionError
from assistant.index.base import Catalog
from assistant.language import markers
from assistant.models import (
    AnswerRecord,
    Citation,
    DiffPart,
    EarlierEvidence,
    EvidenceChange,
    EvidenceNotice,
    EvidenceState,
    ReviewStatus,
)
from assistant.review.records import CurrentVersion, Fingerprint

WITHDRAWN = "withdrawn"
_WORDS = re.compile(r"\S+\s*")


def cited(text: str) -> set[int]:
    """The citation numbers ``[n]`` a text uses."""
    return set(markers.cited_indices(text))


def fingerprint(citations: Sequence[Citation], catalog: Catalog) -> list[Citation]:
    """``citations`` with the content hash of each passage and its document's version, read
    from ``catalog`` (the generation the passages were retrieved from)."""
    stamped = []
    for c in citations:
        chunk = catalog.chunk(c.chunk_id)
        if chunk is None:
            stamped.append(c)
            continue
        version = catalog.doc_hash(chunk.doc_id)
        stamped.append(
            c.model_copy(update={"passage_sha256": chunk.content_hash, "document_version": version})
        )
    return stamped


def version_fingerprints(citations: Iterable[Citation], text: str) -> list[Fingerprint] | None:
    """Fingerprints of the citations ``text`` uses; None when one of them has none (an answer
    stored without, which the re-check fingerprints later from the passage text)."""
    used = cited(text)
    found = []
    for c in citations:
        if c.n not in used:
            continue
        if c.passage_sha256 is None:
            return None
        found.append(
            Fingerprint(
                n=c.n,
                chunk_id=c.chunk_id,
                source_id=c.source_id,
                passage_sha256=c.passage_sha256,
                document_version=c.document_version,
            )
        )
    return found


def check_not_withdrawn(current: CurrentVersion) -> None:
    """An approval never signs a text that cites a passage gone from the approved corpus."""
    gone = {f.n: f for f in current.withdrawn() if f.n in cited(current.version.text)}
    if gone:
        n, f = next(iter(sorted(gone.items())))
        raise InvalidTransitionError(
            f"Version {current.version.version} of answer {current.record.id} cites [{n}] "
            f"({f.source_id}), whose passage was withdrawn from the approved corpus; nothing "
            "was approved. Edit the text to drop that citation, or reject the answer."
        )


def withdrawn_findings(current: CurrentVersion, text: str) -> list[str]:
    used = cited(text)
    return [
        f"cites [{f.n}] ({f.source_id}), whose passage was withdrawn from the approved corpus"
        for f in current.withdrawn()
        if f.n in used
    ]


def carried(current: CurrentVersion, text: str) -> list[Fingerprint]:
    """The evidence an edited text cites: each number's fingerprint as the answer holds it."""
    held = {f.n: f for f in current.evidence}
    used = cited(text)
    found = [held[n] for n in sorted(used) if n in held]
    for c in current.record.citations:
        if c.n in used and c.n not in held and c.passage_sha256 is not None:
            fp = version_fingerprints([c], f"[{c.n}]")
            found.extend(fp or [])
    return sorted(found, key=lambda f: f.n)


def still_served(citation: Citation, catalog: Catalog) -> bool:
    """Whether the cited passage reads the same in ``catalog`` (same chunk, or moved within its
    document with the same text)."""
    chunk = catalog.chunk(citation.chunk_id)
    if chunk is not None and chunk.content_hash == citation.passage_sha256:
        return True
    return any(
        c.content_hash == citation.passage_sha256 for c in catalog.doc_chunks(citation.source_id)
    )


def word_diff(before: str, after: str) -> list[DiffPart]:
    """A word diff: runs of words kept, removed and added, in order."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    parts: list[DiffPart] = []

    def add(op: str, words: Sequence[str]) -> None:
        if not words:
            return
        text = "".join(words)
        if parts and parts[-1].op == op:
            parts[-1] = DiffPart(op=parts[-1].op, text=parts[-1].text + text)
        else:
            parts.append(DiffPart(op=op, text=text))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", old[a1:a2])
        else:
            add("removed", old[a1:a2])
            add("added", new[b1:b2])
    return parts


def diff_summary(parts: Sequence[DiffPart], context: int = 4) -> str:
    """The changed words of a diff with a few words around them, for text channels."""
    pieces = []
    for i, part in enumerate(parts):
        if part.op == "same":
            continue
        before = parts[i - 1].text.split()[-context:] if i and parts[i - 1].op == "same" else []
        mark = "-" if part.op == "removed" else "+"
        pieces.append(f"{' '.join(before)} {mark}[{part.text.strip()}]".strip())
    return "; ".join(pieces)


def message(state: EvidenceState, reviewed_on: str | None, written_on: str, pending: bool) -> str:
    """The sentence every channel shows: what changed since when, and what happens now."""
    since = f"reviewed on {reviewed_on}" if reviewed_on else f"written on {written_on}"
    head = f"The evidence for this answer has changed since it was {since}"
    if pending:
        return f"{head}; it is being re-checked and is not approved meanwhile."
    if state == "evidence_withdrawn":
        return (
            f"{head}: a cited source was withdrawn from the approved corpus. It is back in review."
        )
    if state == "no_longer_supported":
        return f"{head}: a sentence no longer matches its cited passage. It is back in review."
    return f"{head}. The answer still matches the changed passages; a reviewer must confirm it."


def _day(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp else None


def provisional(record: AnswerRecord, catalog: Catalog) -> EvidenceNotice | None:
    """A notice for a record whose cited passages the serving generation no longer holds as
    fingerprinted, and which no re-check has marked yet; None when they all still read so."""
    used = cited(record.answer)
    stale = [
        c
        for c in record.citations
        if c.n in used and c.passage_sha256 is not None and not still_served(c, catalog)
    ]
    if not stale:
        return None
    changes = []
    for c in stale:
        chunk = catalog.chunk(c.chunk_id)
        gone = catalog.document(c.source_id) is None
        now = None if gone or chunk is None else chunk.text
        changes.append(
            EvidenceChange(
                n=c.n,
                source_id=c.source_id,
                title=c.title,
                change=WITHDRAWN if gone else "changed",
                reviewed_passage=c.passage,
                passage=now,
                diff=word_diff(c.passage, now) if now is not None else [],
            )
        )
    state: EvidenceState = (
        "evidence_withdrawn" if any(x.change == WITHDRAWN for x in changes) else "evidence_changed"
    )
    reviewed = _day(record.reviewed_at) if record.review_status is ReviewStatus.APPROVED else None
    return EvidenceNotice(
        state=state,
        message=message(state, reviewed, _day(record.created_at) or "", pending=True),
        reviewed_on=reviewed,
        corpus_version=catalog.corpus_version,
        changes=changes,
        pending=True,
    )


def shown(record: AnswerRecord, catalog: Catalog | None) -> AnswerRecord:
    """The record as a channel may show it against the serving ``catalog``: with a pending
    notice, and never ``approved``, when a cited passage changed and no re-check marked it
    yet. Rejected answers are shown as they are."""
    if catalog is None or record.evidence is not None:
        return record
    if record.review_status is ReviewStatus.REJECTED:
        return record
    notice = provisional(record, catalog)
    if notice is None:
        return record
    return record.model_copy(update={"evidence": notice, "review_status": ReviewStatus.PENDING})


def earlier(records: Sequence[AnswerRecord], catalog: Catalog | None) -> list[EarlierEvidence]:
    """Notices of the ``records`` (earlier answers of a conversation) whose evidence changed."""
    found = []
    for record in records:
        notice = shown(record, catalog).evidence
        if notice is None or record.review_status is ReviewStatus.REJECTED:
            continue
        text = notice.message.replace("this answer", "an earlier answer in this conversation", 1)
        found.append(
            EarlierEvidence(
                answer_id=record.id,
                question=record.question,
                state=notice.state,
                message=f"{text} (answer {record.id})",
            )
        )
    return found


def with_earlier(
    record: AnswerRecord, history: Sequence[AnswerRecord], catalog: Catalog | None
) -> AnswerRecord:
    """``record`` as shown, carrying the notices of the earlier answers in ``history``."""
    before = [a for a in history if a.id != record.id and a.created_at <= record.created_at]
    update = shown(record, catalog)
    notes = earlier(before, catalog)
    return update.model_copy(update={"earlier_evidence": notes}) if notes else update
