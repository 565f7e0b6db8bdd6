"""End to end with the real index and pipeline: an approved answer, a corrected source, a
re-ingest (the real ``followup ingest``), and the answer back in review; on SQLite and
PostgreSQL stores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.cli.review_evidence import after_ingest
from assistant.compose import Composed, compose
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.models import AnswerRecord, ReviewStatus
from assistant.pipeline import Ask, answer
from assistant.review import workflow
from assistant.review.users import User, add_user
from tests.support.data import CORPUS
from tests.support.pg_server import fresh_database
from tests.support.records import BACKENDS, seen

REPO = Path(__file__).resolve().parents[2]
SOURCE_FILE = "ascariasis.jsonl"
SOURCE = "who-sth-preventive-chemotherapy-2017"
QUESTION = "How often is deworming recommended where prevalence is 50%?"


@dataclass
class Deployment:
    settings: Settings
    services: Composed
    corpus: Path
    env: dict[str, str]
    keys: dict[str, str]
    people: dict[str, User]

    def cli(self, *args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **({"FOLLOWUP_API_KEY": self.keys[user]} if user else {})}
        return subprocess.run(
            [sys.executable, "-m", "assistant.cli", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def edit_source(self, **changes: str) -> None:
        """Rewrite the source's JSONL line in the deployment's corpus copy."""
        path = self.corpus / "sources" / SOURCE_FILE
        lines = []
        for line in path.read_text().splitlines():
            item = json.loads(line)
            if item["id"] == SOURCE:
                for key, value in changes.items():
                    item[key] = item[key].replace(*value.split("|")) if "|" in value else value
            lines.append(json.dumps(item))
        path.write_text("\n".join(lines) + "\n")


@pytest.fixture(params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest, tmp_path: Path, sample_index: Path, embedder: MiniLMEmbedder
) -> Iterator[Deployment]:
    data_dir, corpus = tmp_path / "data", tmp_path / "corpus"
    shutil.copytree(sample_index / "index", data_dir / "index")
    shutil.copytree(CORPUS, corpus)
    env = {
        **os.environ,
        "FOLLOWUP_DATA_DIR": str(data_dir),
        "FOLLOWUP_AUDIT__KEY_FILE": str(tmp_path / "audit.key"),
        "HF_HUB_OFFLINE": "1",
    }
    if request.param == "postgres":
        pg = request.getfixturevalue("pg_url")
        env["FOLLOWUP_STORE__URL"] = fresh_database(pg, f"t_{uuid.uuid4().hex[:12]}")
    store = {"url": env.get("FOLLOWUP_STORE__URL")}
    settings = Settings(
        data_dir=data_dir,
        corpus_paths=[corpus],
        audit={"key_file": tmp_path / "audit.key"},  # type: ignore[arg-type]
        store=store,  # type: ignore[arg-type]
    )
    services = compose(settings, embedder=embedder, environ={})
    people, keys = {}, {}
    for name in ("rita", "rob"):
        people[name], keys[name] = add_user(services.store, name, "reviewer")
    yield Deployment(settings, services, corpus, env, keys, people)
    services.close()


def approved(d: Deployment) -> AnswerRecord:
    record = answer(d.services.pipeline, Ask(QUESTION))
    assert SOURCE in {c.source_id for c in record.citations}, record.citations
    assert all(c.passage_sha256 for c in record.citations)  # fingerprinted at birth
    store = d.services.store
    workflow.approve(store, record.id, d.people["rita"], **seen(store, record.id))
    return store.get_answer(record.id)


def test_a_corrected_number_in_a_cited_source_sends_the_approved_answer_back_to_review(
    deployment: Deployment,
) -> None:
    d, store = deployment, deployment.services.store
    record = approved(d)
    d.edit_source(text="aged 12-23 months|aged 12-59 months")
    ingested = d.cli("ingest", str(d.corpus))
    assert ingested.returncode == 0, ingested.stderr
    assert "re-checked 1 answers whose evidence changed (1 no_longer_supported)" in ingested.stdout
    assert "1 approved answers back in the review queue" in ingested.stdout

    marked = store.get_answer(record.id)
    assert marked.review_status is ReviewStatus.PENDING
    notice = marked.evidence
    assert notice is not None and notice.state == "no_longer_supported"
    (change,) = [c for c in notice.changes if c.source_id == SOURCE]
    assert [(p.op, p.text.strip()) for p in change.diff if p.op != "same"] == [
        ("removed", "12-23"),
        ("added", "12-59"),
    ]
    assert any("12-23 months" in f and SOURCE in f for f in notice.findings)

    listed = d.cli("review", "list", "--changed", user="rob")
    assert listed.returncode == 0 and record.id in listed.stdout
    assert "no_longer_supported" in listed.stdout
    shown = d.cli("review", "show", record.id, user="rob")
    assert "EVIDENCE CHANGED (no_longer_supported)" in shown.stdout, shown.stdout
    assert "-[12-23" in shown.stdout and "+[12-59" in shown.stdout
    assert d.cli("review", "verify", user="rob").returncode == 0

    again = d.cli("ingest", str(d.corpus))  # nothing changed: nothing re-checked twice
    assert "re-checked 0 answers" in again.stdout and len(store.versions(record.id)) == 2

    workflow.approve(
        store,
        record.id,
        d.people["rob"],
        **seen(store, record.id),
        justification="The age range was corrected; the answer is edited separately.",
    )
    assert store.get_answer(record.id).review_status is ReviewStatus.APPROVED
    assert workflow.verify_audit(store, store.audit_key()).ok


def test_a_source_withdrawn_to_under_review_marks_the_answer_evidence_withdrawn(
    deployment: Deployment, embedder: MiniLMEmbedder
) -> None:
    d, store = deployment, deployment.services.store
    record = approved(d)
    d.edit_source(status="under_review")
    failed: list[str] = []
    report = ingest(
        [d.corpus],
        d.settings.index_dir,
        embedder,
        d.settings.index,
        prune=True,
        after=after_ingest(d.settings, failed),
    )
    assert report.committed and failed == []
    marked = store.get_answer(record.id)
    assert marked.review_status is ReviewStatus.PENDING
    assert marked.evidence is not None and marked.evidence.state == "evidence_withdrawn"
    withdrawn = [c for c in marked.evidence.changes if c.change == "withdrawn"]
    assert [c.source_id for c in withdrawn] == [SOURCE]
    assert workflow.verify_audit(store, store.audit_key()).ok


def test_an_ingest_that_died_before_its_recheck_is_resumed_and_shown_meanwhile_as_pending(
    deployment: Deployment, embedder: MiniLMEmbedder
) -> None:
    d, store = deployment, deployment.services.store
    record = approved(d)
    d.edit_source(status="under_review")
    ingest([d.corpus], d.settings.index_dir, embedder, d.settings.index, prune=True)  # no hook
    assert store.get_answer(record.id).review_status is ReviewStatus.APPROVED  # as stored
    listed = d.cli("review", "list", "--status", "approved", user="rob")
    assert f"{record.id}\tpending_review" in listed.stdout  # never shown as approved
    shown = d.cli("review", "show", record.id, user="rob")
    assert "being re-checked and is not approved meanwhile" in shown.stdout

    resumed = d.cli("ingest", str(d.corpus))  # nothing left to index: it resumes the re-check
    assert resumed.returncode == 0, resumed.stderr
    assert "re-checked 1 answers whose evidence changed (1 evidence_withdrawn)" in resumed.stdout
    assert "re-checked 0 answers" in d.cli("review", "recheck").stdout  # nothing left
    marked = store.get_answer(record.id)
    assert marked.evidence is not None and marked.evidence.state == "evidence_withdrawn"
    assert workflow.verify_audit(store, store.audit_key()).ok
