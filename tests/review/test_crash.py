"""Kill the writer with SIGKILL at random moments, restart it, and lose nothing acknowledged.

A decision is acknowledged when the writer has printed its id, which it does only after the
decision's transaction committed. Bounded: at most ITERATIONS kills or BUDGET_S seconds.
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.review import workflow
from assistant.review.store import AnswerStore
from tests.support.records import save_answer

REPO = Path(__file__).resolve().parents[2]
ITERATIONS, BUDGET_S = 40, 60.0


def run_until_killed(cmd: list[str], rng: random.Random) -> tuple[list[str], bool]:
    """Start the writer, SIGKILL it at a random moment; return acked ids and if it was writing."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    fd, buffer = proc.stdout.fileno(), b""
    # A selector, not select.select: after a long suite this process may hold descriptors
    # numbered above FD_SETSIZE (1024), which select() cannot watch.
    watch = selectors.DefaultSelector()
    watch.register(fd, selectors.EVENT_READ)
    # Half the kills land anywhere (start-up and store opening included), half mid-writing.
    wait_first = rng.random() < 0.5
    kill_at = time.monotonic() + rng.uniform(0.05, 1.5)
    while time.monotonic() < kill_at or (wait_first and b"\n" not in buffer):
        if watch.select(0.01):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buffer += chunk
        if wait_first and b"\n" in buffer:
            wait_first, kill_at = False, time.monotonic() + rng.uniform(0.0, 0.3)
    watch.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    buffer += proc.stdout.read()  # lines written before the kill are acknowledged too
    proc.stdout.close()
    lines = buffer.split(b"\n")[:-1]  # the last piece is incomplete (or empty)
    return [line.split()[1].decode() for line in lines], bool(lines)


@pytest.mark.slow
def test_sigkill_loop_loses_no_acknowledged_decision(tmp_path: Path) -> None:
    db, key = tmp_path / "data" / "followup.db", tmp_path / "audit.key"
    store = AnswerStore(db, key_file=key)
    shared = [save_answer(store).id for _ in range(3)]
    store.close()
    cmd = [sys.executable, "-m", "tests.review.writer", str(db), str(key), "rita", "-1", *shared]
    rng, acked, iterations, mid_write = random.Random(20261125), set(), 0, 0
    deadline = time.monotonic() + BUDGET_S
    while iterations < ITERATIONS and time.monotonic() < deadline:
        ids, writing = run_until_killed(cmd, rng)
        acked.update(ids)
        iterations, mid_write = iterations + 1, mid_write + writing
    store = AnswerStore(db, key_file=key)
    stored = {d.id for d in workflow.decisions(store)}
    missing = acked - stored
    assert not missing, f"{len(missing)} acknowledged decisions lost"
    assert len(stored - acked) <= iterations  # at most one committed-but-unacked per kill
    report = workflow.verify_audit(store, store.audit_key())
    assert report.ok, report
    assert [tuple(r) for r in store.db.read("PRAGMA integrity_check")] == [("ok",)]
    assert iterations >= 10 and mid_write >= 5
    print(
        f"\nkill loop: {iterations} SIGKILLs ({mid_write} while writing), {len(acked)} "
        f"acknowledged decisions, {len(stored)} stored, chain of {report.entries} entries verified"
    )
