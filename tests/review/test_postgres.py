"""PostgreSQL chosen by URL, and concurrent writer processes against a real server.

The contract suites (test_workflow, test_audit) already run on PostgreSQL too; this adds what
is specific to choosing it by setting and to its cross-process write serialisation.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.review import workflow
from assistant.review.store import AnswerStore
from tests.support.pg_server import fresh_database
from tests.support.records import save_answer

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]


def test_store_url_setting_selects_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database(pg_url, f"s_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("FOLLOWUP_STORE__URL", url)
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FOLLOWUP_AUDIT__KEY_FILE", str(tmp_path / "pg.key"))
    store = AnswerStore.from_settings(Settings())
    assert store.db.dialect == "postgresql"
    record = save_answer(store)
    assert not (tmp_path / "data" / "followup.db").exists()  # nothing went to SQLite
    assert (tmp_path / "pg.key").exists()
    reopened = AnswerStore.from_settings(Settings())
    assert reopened.get_answer(record.id).review_status.value == "pending_review"
    assert workflow.verify_audit(reopened, reopened.audit_key()).ok


def test_password_is_not_in_messages() -> None:
    from assistant.errors import StoreError

    with pytest.raises(StoreError) as caught:
        AnswerStore(url="postgresql://u:s3cret@127.0.0.1:1/x", key_file=Path("/nonexistent"))
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.slow
def test_concurrent_writer_processes_keep_one_contiguous_chain(pg_url: str, tmp_path: Path) -> None:
    url = fresh_database(pg_url, f"c_{uuid.uuid4().hex[:12]}")
    key = tmp_path / "audit.key"
    store = AnswerStore(url=url, key_file=key)
    shared = [save_answer(store).id for _ in range(3)]
    own = [save_answer(store).id for _ in range(4)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.review.writer",
                url,
                str(key),
                f"rev{i}",
                "100",
                own[i],
                *shared,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    latencies = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert len(out.splitlines()) == 100
        latencies += sorted(float(line.split()[2]) for line in out.splitlines())
    latencies.sort()
    print(
        f"\nPostgreSQL 4 writers x 100: decision latency p50 {latencies[len(latencies) // 2]:.1f}"
        f" ms, p99 {latencies[int(len(latencies) * 0.99)]:.1f} ms"
    )
    assert len(workflow.decisions(store)) == 400
    report = workflow.verify_audit(store, store.audit_key())
    assert report.ok and report.entries == 7 + 400, report
