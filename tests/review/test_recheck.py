"""The re-check after an ingest, on SQLite and PostgreSQL: answers whose cited evidence changed
go back to review with a notice, through the passage index, atomically per answer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.errors import InvalidTransitionError
from assistant.models import ReviewStatus
from assistant.review import workflow
from assistant.review.fingerprints import shown
from assistant.review.publish import publish
from assistant.review.recheck import recheck
from assistant.review.store import AnswerStore
from assistant.review.users import User
from tests.support.evidence import (
    LABEL_CHANGED_ELSEWHERE,
    LABEL_CHANGED_NUMBER,
    SOURCES,
    approved_answer,
    catalog_of,
    citing_answer,
)
from tests.support.records import make_record, seen, tamper

G1 = catalog_of(SOURCES)
NUMBER_CHANGED = catalog_of({**SOURCES, "naltrexone-label": LABEL_CHANGED_NUMBER})
ELSEWHERE_CHANGED = catalog_of({**SOURCES, "naltrexone-label": LABEL_CHANGED_ELSEWHERE})
WITHDRAWN = catalog_of(SOURCES, withdrawn=("naltrexone-label",))
MIN_SUPPORT = 0.6


def verified(store: AnswerStore) -> None:
    report = workflow.verify_audit(store, store.audit_key())
    assert report.ok, report


def test_a_changed_number_puts_the_approved_answer_back_in_review_until_a_second_approval(
    store: AnswerStore, people: dict[str, User]
) -> None:
    record = approved_answer(store, G1, people["rita"])
    assert record.review_status is ReviewStatus.APPROVED and record.reviewed_at
    assert recheck(store, G1, min_support=MIN_SUPPORT).checked == 0  # nothing changed yet

    report = recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT)
    assert (report.checked, report.requeued) == (1, 1)
    assert report.states == {"no_longer_supported": 1}
    shown_now = store.get_answer(record.id)
    assert shown_now.review_status is ReviewStatus.PENDING
    notice = shown_now.evidence
    assert notice is not None and notice.state == "no_longer_supported"
    reviewed_on = record.reviewed_at[:10]
    assert notice.message.startswith(
        f"The evidence for this answer has changed since it was reviewed on {reviewed_on}"
    )
    (change,) = notice.changes
    assert (change.n, change.source_id, change.change) == (2, "naltrexone-label", "changed")
    assert [(p.op, p.text.strip()) for p in change.diff if p.op != "same"] == [
        ("removed", "24"),
        ("added", "36"),
    ]
    (finding,) = notice.findings  # names the sentence and the passage
    assert "up to 24 hours [2]" in finding and "naltrexone-label" in finding
    assert "36 hours" in shown_now.citations[1].passage  # the passage as it reads now
    # Back in the queue, found by the "changed evidence" filter; the approval kept in history.
    queued = workflow.queue(store, status="pending_review", changed=True)
    assert [r.id for r in queued] == [record.id]
    assert [d.action for d in store.decisions(record.id)] == ["approve", "recheck"]
    versions = store.versions(record.id)
    assert [(v.version, v.author) for v in versions] == [
        (1, "generator:extractive"),
        (2, "system:recheck"),
    ]
    assert versions[1].text == versions[0].text and versions[1].findings == [finding]
    verified(store)

    with pytest.raises(InvalidTransitionError, match="now at version 2"):  # the old version
        workflow.approve(store, record.id, people["rob"], version=1, sha256=versions[0].sha256)
    decision = workflow.approve(
        store, record.id, people["rob"], **seen(store, record.id), justification="36 h checked"
    )
    assert decision.version == 2 and {f.n for f in decision.evidence} == {1, 2}
    cleared = store.get_answer(record.id)
    assert cleared.review_status is ReviewStatus.APPROVED and cleared.evidence is None
    assert workflow.queue(store, status=None, changed=True) == []
    assert shown(cleared, NUMBER_CHANGED) == cleared  # approved against what is served
    assert recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT).checked == 0
    verified(store)


def test_a_change_the_answer_does_not_rest_on_is_evidence_changed_for_a_reviewer_to_confirm(
    store: AnswerStore, people: dict[str, User]
) -> None:
    record = approved_answer(store, G1, people["rita"])
    report = recheck(store, ELSEWHERE_CHANGED, min_support=MIN_SUPPORT)
    assert report.states == {"evidence_changed": 1}
    notice = store.get_answer(record.id).evidence
    assert notice is not None and notice.findings == []
    assert "still matches the changed passages; a reviewer must confirm it" in notice.message
    assert store.get_answer(record.id).review_status is ReviewStatus.PENDING
    # No findings: confirming needs no justification.
    workflow.approve(store, record.id, people["rob"], **seen(store, record.id))
    assert store.get_answer(record.id).review_status is ReviewStatus.APPROVED
    verified(store)


def test_a_withdrawn_source_is_evidence_withdrawn_and_never_approved_while_cited(
    store: AnswerStore, people: dict[str, User]
) -> None:
    record = approved_answer(store, G1, people["rita"])
    provisional = shown(store.get_answer(record.id), WITHDRAWN)  # before the re-check runs
    assert provisional.review_status is ReviewStatus.PENDING
    assert provisional.evidence is not None and provisional.evidence.pending
    assert provisional.evidence.state == "evidence_withdrawn"

    report = recheck(store, WITHDRAWN, min_support=MIN_SUPPORT)
    assert report.states == {"evidence_withdrawn": 1}
    marked = store.get_answer(record.id)
    assert marked.review_status is ReviewStatus.PENDING
    notice = marked.evidence
    assert notice is not None and notice.state == "evidence_withdrawn"
    assert notice.changes[0].change == "withdrawn" and notice.changes[0].passage is None
    assert any("naltrexone-label" in f and "24 hours [2]" in f for f in notice.findings)
    with pytest.raises(InvalidTransitionError, match="withdrawn from the approved corpus"):
        workflow.approve(
            store, record.id, people["rob"], **seen(store, record.id), justification="x"
        )
    text = "Low-dose naltrexone is defined as a daily dose of 1 to 5 mg [1]."
    workflow.edit(store, record.id, people["rita"], **seen(store, record.id), text=text)
    workflow.approve(store, record.id, people["rob"], **seen(store, record.id))
    approved = store.get_answer(record.id)
    assert approved.review_status is ReviewStatus.APPROVED and approved.evidence is None
    assert shown(approved, WITHDRAWN).review_status is ReviewStatus.APPROVED
    verified(store)


def test_only_answers_citing_a_changed_passage_are_rechecked(
    store: AnswerStore, people: dict[str, User]
) -> None:
    affected = [approved_answer(store, G1, people["rita"]).id for _ in range(3)]
    ldn_only = "Low-dose naltrexone is defined as a daily dose of 1 to 5 mg [1]."
    others = [
        citing_answer(store, G1, text=ldn_only, sources=("ldn-review",)).id for _ in range(12)
    ]
    rejected = citing_answer(store, G1)
    workflow.reject(store, rejected.id, people["rob"], **seen(store, rejected.id), reason="no")
    report = recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT)
    assert report.checked == 3 and report.requeued == 3
    assert {r.id for r in workflow.queue(store, status=None, changed=True)} == set(affected)
    assert all(len(store.versions(a)) == 1 for a in [*others, rejected.id])
    assert store.get_answer(rejected.id).review_status is ReviewStatus.REJECTED
    verified(store)


def test_the_passage_index_answers_without_reading_every_answer(store: AnswerStore) -> None:
    """The answers citing changed passages come from the index on passage hashes."""
    citing_answer(store, G1)
    query = (
        "SELECT DISTINCT answer_id FROM answer_evidence"
        " WHERE live = 1 AND state = 'ok' AND passage_sha256 IN (?, ?)"
    )
    with store.db.write() as tx:
        if store.db.dialect == "sqlite":
            plan = tx.execute("EXPLAIN QUERY PLAN " + query, ("a", "b")).fetchall()
            details = " ".join(str(r[3]) for r in plan)
        else:  # a few rows: a sequential scan would be cheaper, so rule it out to see the index
            tx.execute("SET LOCAL enable_seqscan = off")
            details = " ".join(r[0] for r in tx.execute("EXPLAIN " + query, ("a", "b")).fetchall())
    assert "answer_evidence_by_passage" in details, details


def test_a_crash_mid_recheck_leaves_each_answer_marked_or_not_and_a_rerun_resumes(
    store: AnswerStore, people: dict[str, User]
) -> None:
    ids = [approved_answer(store, G1, people["rita"]).id for _ in range(5)]
    writes: list[str] = []

    def crash(step: str) -> None:
        if step.startswith("write"):
            writes.append(step)
            if len(writes) == 4:  # inside the second batch's transaction
                raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT, batch=2, hook=crash)
    states = {}
    for answer_id in ids:
        record, versions = store.get_answer(answer_id), store.versions(answer_id)
        marked = record.evidence is not None
        assert marked == (len(versions) == 2) == (record.review_status is ReviewStatus.PENDING)
        assert marked == ([d.action for d in store.decisions(answer_id)][-1] == "recheck")
        states[answer_id] = marked
    assert sum(states.values()) == 2  # the first batch committed, the second rolled back
    verified(store)
    report = recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT)  # the next ingest
    assert report.checked == 3
    assert all(store.get_answer(a).evidence is not None for a in ids)
    assert all(len(store.versions(a)) == 2 for a in ids)
    verified(store)


def test_two_rechecks_never_run_at_once(
    store: AnswerStore, people: dict[str, User], request: pytest.FixtureRequest
) -> None:
    ids = [approved_answer(store, G1, people["rita"]).id for _ in range(4)]
    if store.db.dialect == "postgresql":  # a second process on the same database
        other = AnswerStore(url=store.db.where, key_file=store.key_file)
    else:
        other = AnswerStore(Path(store.db.where), key_file=store.key_file)
    request.addfinalizer(other.close)
    spans: dict[str, list[float]] = {"a": [], "b": []}

    def timed(name: str) -> object:
        def hook(step: str) -> None:
            if step in ("leased", "done"):
                spans[name].append(time.monotonic())
            if step.startswith("write"):
                time.sleep(0.15)

        return hook

    runs = [
        threading.Thread(
            target=recheck,
            args=(handle, NUMBER_CHANGED),
            kwargs={"min_support": MIN_SUPPORT, "batch": 1, "hook": timed(name), "owner": name},
        )
        for name, handle in (("a", store), ("b", other))
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(60)
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a1 <= b0 or b1 <= a0, spans  # one held the lease while the other waited
    for answer_id in ids:  # each re-checked exactly once between them
        assert [d.action for d in store.decisions(answer_id)].count("recheck") == 1
    verified(store)


def test_answers_stored_before_fingerprints_are_fingerprinted_then_rechecked(
    store: AnswerStore, people: dict[str, User]
) -> None:
    conversation = store.create_conversation(owner="cleo")
    legacy = make_record(conversation.id)  # citations without fingerprints, chunk ids c1, c2
    store.save_answer(legacy)
    assert store.evidence.not_fingerprinted(10) == [legacy.id]
    report = recheck(store, G1, min_support=MIN_SUPPORT)
    assert report.fingerprinted == 1 and store.evidence.not_fingerprinted(10) == []
    # Its quoted passages are not what G1 serves under those chunk ids: re-checked as changed.
    assert report.checked == 1
    assert store.get_answer(legacy.id).evidence is not None
    assert "fingerprint" in [e.action for e in store.audit_entries(legacy.id)]
    verified(store)


def test_a_published_article_built_from_the_answer_is_flagged(
    store: AnswerStore, people: dict[str, User], tmp_path: Path
) -> None:
    record = approved_answer(store, G1, people["rita"])
    publish(store, record.id, people["rob"], tmp_path / "corpus")
    report = recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT)
    notice = store.get_answer(record.id).evidence
    assert notice is not None and notice.published_article == f"answer-{record.id[:12]}"
    assert report.published == [notice.published_article]
    verified(store)


def test_verify_catches_evidence_rows_changed_behind_the_audit(
    store: AnswerStore, people: dict[str, User]
) -> None:
    record = approved_answer(store, G1, people["rita"])
    tamper(store, ("UPDATE answer_evidence SET live = 0 WHERE answer_id = ?", (record.id,)))
    report = workflow.verify_audit(store, store.audit_key())
    assert not report.ok and "passage index" in (report.problem or "")
    tamper(
        store,
        (
            "UPDATE answer_evidence SET live = 1, passage_sha256 = 'x' WHERE answer_id = ?",
            (record.id,),
        ),
    )
    report = workflow.verify_audit(store, store.audit_key())
    assert not report.ok and "fingerprints" in (report.problem or "")


def test_sigkill_at_any_answer_of_a_recheck_loses_nothing_and_half_marks_nothing(
    store: AnswerStore, people: dict[str, User], tmp_path: Path
) -> None:
    """The re-check process is killed (SIGKILL) inside a batch's transaction; each answer is
    then either fully marked or untouched, and a rerun finishes at once (the dead process's
    lease is taken over, not waited out)."""
    import random
    import subprocess
    import sys

    from tests.support.evidence import write_corpus

    corpus = tmp_path / "changed.json"
    write_corpus(corpus, {**SOURCES, "naltrexone-label": LABEL_CHANGED_NUMBER})
    where = store.db.where
    for kill_at in random.Random(21).sample(range(1, 7), 3):
        ids = [approved_answer(store, G1, people["rita"]).id for _ in range(6)]
        child = subprocess.run(
            [sys.executable, "-m", "tests.review.recheck_child", where, str(store.key_file),
             str(corpus), str(kill_at)],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        assert child.returncode == -9, child.stderr
        marked = [store.get_answer(a).evidence is not None for a in ids]
        for answer_id, done in zip(ids, marked, strict=True):
            assert (len(store.versions(answer_id)) == 2) == done
            assert (store.get_answer(answer_id).review_status is ReviewStatus.PENDING) == done
        assert sum(marked) == 3 * ((kill_at - 1) // 3)  # whole batches, none half-written
        verified(store)
        recheck(store, NUMBER_CHANGED, min_support=MIN_SUPPORT)
        assert all(store.get_answer(a).evidence is not None for a in ids)
        verified(store)
