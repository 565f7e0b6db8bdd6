"""The re-check after an ingest: answers whose cited evidence changed go back to review.

After ``followup ingest`` commits a new generation (and after every ingest, so an interrupted
re-check resumes), the answers to re-check are found through the passage index, never by
reading every answer: the passage hashes live answers cite, minus those the new generation
holds, give the answers citing a passage that changed, moved out or lost its approved status.
Each is verified against the passages as they read now with the checks a model's answer goes
through (``assistant.verify.check_sentences``) and marked:

- ``evidence_changed``: every sentence still verifies; a reviewer must confirm it;
- ``no_longer_supported``: a sentence that verified against the old passages does not now (the
  finding names the sentence and the passage);
- ``evidence_withdrawn``: a cited passage is gone from the approved corpus.

Marking an answer is one decision (``recheck``, by ``system:recheck``) written like a reviewer's:
a new version with the same text, its findings and fingerprints, the answer back to
``pending_review`` (an approval stays in its history), the record's notice and citations, and
an audit entry, all in one transaction. A crash therefore leaves each answer re-checked or not
yet, never half-marked; the work is planned outside the transaction and applied only if the
answer is still as planned. One re-check runs at a time per store (a renewed lease); a second
waits for it, then does what is left.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from assistant.errors import BusyError, StoreError
from assistant.index.base import Catalog
from assistant.models import Chunk, Citation, ReviewStatus, sha256_text, utc_now
from assistant.review import fingerprints as fp
from assistant.review.evidence_check import Plan, plan
from assistant.review.records import AnswerVersion, Decision, Fingerprint
from assistant.review.review_tx import ReviewTx
from assistant.review.store import AnswerStore, new_id
from assistant.review.workflow import MEANINGS, TRANSITIONS, record_decision
from assistant.verify import passage_texts

SYSTEM = "system:recheck"
LEASE = "recheck"
BATCH = 50
MAX_PASSES = 3
# Called with a step name: "leased" once the lease is held, "write <id>" before each answer is
# written, "batch" after each batch commits, "done" before the lease is let go. Tests stop the
# process there (crash injection) or time the lease.
Hook = Callable[[str], None]


def _no_hook(step: str) -> None:
    """The default hook: does nothing."""


@dataclass
class RecheckReport:
    """What one re-check did."""

    corpus_version: str = ""
    checked: int = 0  # answers re-checked and marked
    states: dict[str, int] = field(default_factory=dict)  # evidence state -> answers
    requeued: int = 0  # approved answers put back in the review queue
    fingerprinted: int = 0  # answers stored before fingerprints existed, fingerprinted now
    published: list[str] = field(default_factory=list)  # articles published from them
    skipped: int = 0  # changed by a reviewer while planned: left for the next pass
    seconds: float = 0.0


class Served:
    """The generation being served, indexed by passage hash."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_hash: dict[str, Chunk] = {c.content_hash: c for c in catalog.chunks()}

    def has(self, passage_sha256: str) -> bool:
        return passage_sha256 in self.by_hash


def owner_name() -> str:
    """Who holds the lease: host and process, for the message another re-check shows."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead(holder: str) -> bool:
    """Whether ``holder`` is a process of this host that no longer runs (killed mid re-check):
    its lease is taken over at once instead of when it runs out."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextmanager
def _leased(
    store: AnswerStore, owner: str, lease_s: float, wait_s: float
) -> Iterator[Callable[[], None]]:
    """Hold the store's re-check lease (waiting up to ``wait_s`` for another holder); yields
    the function that renews it."""
    deadline = time.monotonic() + wait_s
    dead = None
    while (
        holder := store.evidence.take_lease(LEASE, owner, time.time(), lease_s, dead=dead)
    ) is not None:
        if _dead(holder):
            dead = holder
            continue
        if time.monotonic() >= deadline:
            raise BusyError(
                f"Another re-check is running ({holder}) and did not finish within {wait_s:g} s; "
                "run `followup review recheck` once it has ended."
            )
        time.sleep(0.2)

    def renew() -> None:
        if store.evidence.take_lease(LEASE, owner, time.time(), lease_s) is not None:
            raise StoreError("The re-check lease was taken over by another process; stopping.")

    try:
        yield renew
    finally:
        store.evidence.drop_lease(LEASE, owner)


def targets(store: AnswerStore, served: Served) -> list[str]:
    """Answers citing a passage the served generation no longer holds as fingerprinted, or a
    withdrawn passage whose document is back."""
    stale = [h for h in store.evidence.cited_hashes() if not served.has(h)]
    found = set(store.evidence.citing(stale))
    catalog = served.catalog
    found.update(a for a, source in store.evidence.withdrawn() if catalog.doc_chunks(source))
    return sorted(found)


def recheck(
    store: AnswerStore,
    catalog: Catalog,
    *,
    min_support: float,
    batch: int = BATCH,
    lease_s: float = 60.0,
    wait_s: float = 600.0,
    hook: Hook = _no_hook,
    owner: str | None = None,
) -> RecheckReport:
    """Re-check every answer whose cited evidence differs from ``catalog`` (the generation
    being served); see the module docstring. Resumable: run it again after a crash."""
    started = time.perf_counter()
    report = RecheckReport(corpus_version=catalog.corpus_version)
    with _leased(store, owner or owner_name(), lease_s, wait_s) as renew:
        hook("leased")
        served = Served(catalog)
        report.fingerprinted = backfill(store, served, batch, renew)
        for _ in range(MAX_PASSES):
            todo = targets(store, served)
            before = report.checked
            for start in range(0, len(todo), batch):
                renew()  # before and after each batch: planning is most of the time
                snaps = store.evidence.snapshots(todo[start : start + batch])
                plans = [p for s in snaps if (p := plan(s, served, min_support)) is not None]
                renew()
                _apply(store, plans, report, hook)
                hook("batch")
            if report.checked == before:
                break
        hook("done")
    report.seconds = time.perf_counter() - started
    return report


def _apply(store: AnswerStore, plans: Sequence[Plan], report: RecheckReport, hook: Hook) -> None:
    """Write the plans whose answer is still as planned, in one transaction."""
    if not plans:
        return
    with store.review() as review:
        for p in plans:
            hook(f"write {p.answer_id}")
            if _mark(review, p, report):
                report.checked += 1
                report.states[p.state] = report.states.get(p.state, 0) + 1
            else:
                report.skipped += 1


def _mark(review: ReviewTx, p: Plan, report: RecheckReport) -> bool:
    current = review.current(p.answer_id)
    same = (
        current.version.version == p.version
        and current.status is p.status
        and tuple(current.evidence) == p.basis
    )
    target = TRANSITIONS.get((current.status, "recheck"))
    if not same or target is None:
        return False
    at = utc_now()
    article = review.publication(p.answer_id)
    notice = p.notice.model_copy(update={"checked_at": at, "published_article": article})
    version = AnswerVersion(
        answer_id=p.answer_id,
        version=p.version + 1,
        text=current.version.text,
        sha256=current.version.sha256,
        created_at=at,
        author=SYSTEM,
        comment=p.summary,
        findings=p.notice.findings,
    )
    review.add_version(version)
    review.set_evidence(p.answer_id, version.version, p.fingerprints)
    decision = Decision(
        id=new_id(),
        answer_id=p.answer_id,
        action="recheck",
        user=SYSTEM,
        role="system",
        at=at,
        meaning=MEANINGS["recheck"],
        comment=p.summary,
        version=current.version.version,
        version_sha256=current.version.sha256,
        from_status=current.status,
        to_status=target,
        result_version=version.version,
        result_sha256=version.sha256,
        audit_seq=0,
        findings=p.notice.findings,
        evidence=p.fingerprints,
        evidence_state=p.state,
    )
    record_decision(review, decision, version.text, evidence=notice, citations=p.citations)
    if current.status is ReviewStatus.APPROVED:
        report.requeued += 1
    if article:
        report.published.append(article)
    return True


# Answers stored before fingerprints existed ----------------------------------------------------


def legacy_fingerprints(
    citations: Sequence[Citation], text: str, catalog: Catalog
) -> list[Citation]:
    """Fingerprints for citations stored without: the served passage's when its text is the
    quoted one, else a hash no generation holds, so the re-check compares the quoted text with
    the passage as it reads now."""
    used = fp.cited(text)
    stamped = []
    for c in citations:
        chunk = catalog.chunk(c.chunk_id)
        same = chunk is not None and passage_texts([chunk.text])[0] == c.passage
        if c.n not in used or c.passage_sha256 is not None:
            stamped.append(c)
        elif same and chunk is not None:
            version = catalog.doc_hash(chunk.doc_id)
            update = {"passage_sha256": chunk.content_hash, "document_version": version}
            stamped.append(c.model_copy(update=update))
        else:
            stamped.append(
                c.model_copy(update={"passage_sha256": "quoted:" + sha256_text(c.passage)})
            )
    return stamped


def backfill(store: AnswerStore, served: Served, batch: int, renew: Callable[[], None]) -> int:
    """Fingerprint the answers stored before fingerprints existed; returns how many."""
    done = 0
    while ids := store.evidence.not_fingerprinted(batch):
        with store.review() as review:
            for answer_id in ids:
                _fingerprint_one(review, answer_id, served.catalog)
        done += len(ids)
        renew()
    return done


def _fingerprint_one(review: ReviewTx, answer_id: str, catalog: Catalog) -> None:
    current = review.current(answer_id)
    text = current.version.text
    citations = legacy_fingerprints(current.record.citations, text, catalog)
    found = fp.version_fingerprints(citations, text) or []
    if found:
        review.set_evidence(answer_id, current.version.version, found)
        if current.status is ReviewStatus.REJECTED:
            review.retire_evidence(answer_id)
        review.audit(
            at=utc_now(),
            actor=SYSTEM,
            action="fingerprint",
            answer_id=answer_id,
            payload={
                "version": current.version.version,
                "evidence": [f.model_dump(mode="json") for f in found],
            },
        )
        review.show(answer_id, status=current.status, text=text, citations=citations)
    review.fingerprinted(answer_id)


__all__ = ["Fingerprint", "RecheckReport", "recheck", "targets"]
