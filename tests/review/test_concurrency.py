"""Many writer processes, one SQLite file: every decision lands, the chain stays contiguous.

Also measures decision write latency (p50/p99), printed with ``pytest -s``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.review import workflow
from assistant.review.store import AnswerStore
from tests.support.records import save_answer

# Eight writer processes and their lock timeouts: run with nothing else on the machine.
pytestmark = pytest.mark.alone

REPO = Path(__file__).resolve().parents[2]
WRITERS, PER_WRITER = 8, 200


def spawn(
    db: Path, key: Path, name: str, n: int, own: str, shared: list[str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.review.writer",
            str(db),
            str(key),
            name,
            str(n),
            own,
            *shared,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@pytest.mark.slow
def test_eight_writers_200_decisions_each(tmp_path: Path) -> None:
    db, key = tmp_path / "data" / "followup.db", tmp_path / "audit.key"
    store = AnswerStore(db, key_file=key)
    shared = [save_answer(store).id for _ in range(4)]
    own = [save_answer(store).id for _ in range(WRITERS)]
    procs = [spawn(db, key, f"rev{i}", PER_WRITER, own[i], shared) for i in range(WRITERS)]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err
    acks = [line.split() for out, _ in outputs for line in out.splitlines()]
    assert len(acks) == WRITERS * PER_WRITER
    decisions = workflow.decisions(store)
    assert len(decisions) == WRITERS * PER_WRITER == 1600
    assert {d.id for d in decisions} == {a[1] for a in acks}
    report = workflow.verify_audit(store, store.audit_key())
    assert report.ok, report
    assert report.entries == len(shared) + len(own) + 1600  # creations + decisions, no gaps
    seqs = [r["seq"] for r in store.db.read("SELECT seq FROM audit_log ORDER BY seq")]
    assert seqs == list(range(1, report.entries + 1))
    assert {r.review_status.value for r in workflow.queue(store, status=None) if r.id in own} == {
        "approved"
    }
    latencies = [float(a[2]) for a in acks]
    print(
        f"\n{WRITERS} writers x {PER_WRITER}: decision latency p50 "
        f"{percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
        f"mean {statistics.fmean(latencies):.1f} ms"
    )


def test_single_writer_latency(tmp_path: Path) -> None:
    """One writer, no contention: the cost of one durable decision (fsync'd commit)."""
    db, key = tmp_path / "data" / "followup.db", tmp_path / "audit.key"
    store = AnswerStore(db, key_file=key)
    shared = [save_answer(store).id for _ in range(2)]
    proc = spawn(db, key, "solo", 200, save_answer(store).id, shared)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    latencies = [float(line.split()[2]) for line in out.splitlines()]
    assert len(latencies) == len(workflow.decisions(store)) == 200
    assert workflow.verify_audit(store, store.audit_key()).ok
    print(
        f"\n1 writer x 200: decision latency p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms"
    )
