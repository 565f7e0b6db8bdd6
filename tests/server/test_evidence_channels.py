"""A corrected source flags the approved answer built on it on every channel of the real server
(chat history, JSON API, stream ``final`` event, OpenAI-compatible content, reviewer routes), and
a second reviewer's approval of the re-checked version clears it; SQLite and PostgreSQL stores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest

from assistant.compose import compose
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.index.indexer import ingest
from assistant.pipeline import Ask, answer
from assistant.review import workflow
from assistant.review.store import AnswerStore
from assistant.review.users import Role, User, add_user
from tests.support.data import CORPUS
from tests.support.live_server import ROLES, LiveServer, start_server
from tests.support.pg_server import (
    fresh_database,
    pg_url,  # noqa: F401  (the PostgreSQL server fixture)
)
from tests.support.sse import sse_events

REPO = Path(__file__).resolve().parents[2]
QUESTION = "How often is deworming recommended where prevalence is 50%?"
SOURCE = "who-sth-preventive-chemotherapy-2017"
REVIEWED = "The evidence for this answer has changed since it was reviewed on "


@dataclass
class Flagged:
    server: LiveServer
    store: AnswerStore
    answer_id: str
    conversation_id: str
    first_reply: str  # the answer as the clinician's OpenAI client last received it


def _correct_the_source(corpus: Path) -> None:
    path = corpus / "sources" / "ascariasis.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for item in lines:
        if item["id"] == SOURCE:
            item["text"] = item["text"].replace("aged 12-23 months", "aged 12-59 months")
    path.write_text("".join(json.dumps(item) + "\n" for item in lines))


def _withdraw_the_source(corpus: Path) -> None:
    path = corpus / "sources" / "ascariasis.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for item in lines:
        if item["id"] == SOURCE:
            item["status"] = "under_review"
    path.write_text("".join(json.dumps(item) + "\n" for item in lines))


@contextmanager
def deployed(
    root: Path,
    sample_index: Path,
    embedder: MiniLMEmbedder,
    env: dict[str, str],
    change: Callable[[Path], None],
    *,
    recheck: bool = True,
) -> Iterator[Flagged]:
    """An answer alice asked and rita approved; then its cited source changed and was
    re-ingested (the real ``followup ingest``, or with ``recheck`` off an ingest that stopped
    before its re-check), and the server started on the new index."""
    data_dir, corpus, key_file = root / "data", root / "corpus", root / "audit.key"
    shutil.copytree(sample_index / "index", data_dir / "index")
    shutil.copytree(CORPUS, corpus)
    env = {"FOLLOWUP_AUDIT__KEY_FILE": str(key_file), **env}
    settings = Settings(
        data_dir=data_dir,
        corpus_paths=[corpus],
        audit={"key_file": key_file},  # type: ignore[arg-type]
        store={"url": env.get("FOLLOWUP_STORE__URL")},  # type: ignore[arg-type]
    )
    services = compose(settings, embedder=embedder, environ={})
    keys = {name: add_user(services.store, name, role)[1] for name, role in ROLES.items()}
    record = answer(services.pipeline, Ask(QUESTION, owner="alice"))
    assert SOURCE in {c.source_id for c in record.citations}
    latest = services.store.versions(record.id)[-1]
    rita = User("rita", Role.REVIEWER)
    workflow.approve(services.store, record.id, rita, version=1, sha256=latest.sha256)
    first_reply = f"{record.answer}\n\nApproved by a reviewer — answer {record.id}"
    services.close()

    change(corpus)
    if recheck:
        ingested = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "ingest", str(corpus)],
            cwd=REPO,
            env={**os.environ, "FOLLOWUP_DATA_DIR": str(data_dir), **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert ingested.returncode == 0, ingested.stderr
        assert "re-checked 1 answers" in ingested.stdout, ingested.stdout
    else:  # the generation is switched, and the process dies before its re-check
        ingest([corpus], settings.index_dir, embedder, settings.index, prune=True)
    server = start_server(data_dir, keys, extra_env=env, rate_per_minute="1000")
    store = AnswerStore.from_settings(settings)
    try:
        yield Flagged(server, store, record.id, record.conversation_id, first_reply)
    finally:
        store.close()
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def flagged(
    request: pytest.FixtureRequest, tmp_path: Path, sample_index: Path, embedder: MiniLMEmbedder
) -> Iterator[Flagged]:
    env = {}
    if request.param == "postgres":
        url = fresh_database(request.getfixturevalue("pg_url"), f"t_{uuid.uuid4().hex[:12]}")
        env["FOLLOWUP_STORE__URL"] = url
    with deployed(tmp_path, sample_index, embedder, env, _correct_the_source) as found:
        yield found


def _notice_of(record: dict[str, Any]) -> dict[str, Any]:
    notice = record["evidence"]
    assert notice is not None and notice["state"] == "no_longer_supported"
    assert notice["message"].startswith(REVIEWED)
    return notice  # type: ignore[no-any-return]


def test_a_corrected_source_flags_the_answer_on_every_channel_until_re_approved(
    flagged: Flagged,
) -> None:
    server, answer_id, cid = flagged.server, flagged.answer_id, flagged.conversation_id
    with server.client("alice") as alice:  # the chat history (JSON API)
        (shown,) = alice.get(f"/api/conversations/{cid}").json()["answers"]
    assert shown["id"] == answer_id and shown["review_status"] == "pending_review"
    _notice_of(shown)

    with server.client("rita") as rita:  # the reviewer's routes: the queue filter and the diff
        changed = rita.get("/api/review/queue", params={"changed": "true"}).json()
        assert [r["id"] for r in changed] == [answer_id]
        detail = rita.get(f"/api/review/answers/{answer_id}").json()
    (change,) = [c for c in _notice_of(detail["record"])["changes"] if c["source_id"] == SOURCE]
    edits = [(p["op"], p["text"].strip()) for p in change["diff"] if p["op"] != "same"]
    assert edits == [("removed", "12-23"), ("added", "12-59")]
    assert [d["action"] for d in detail["decisions"]] == ["approve", "recheck"]

    with server.client("alice") as alice:  # the stream's final event, on a follow-up
        response = alice.post(
            f"/api/conversations/{cid}/stream", json={"question": "And how often at 20%?"}
        )
    final = dict(sse_events(response))["final"]["record"]
    (earlier,) = final["earlier_evidence"]
    assert earlier["answer_id"] == answer_id and earlier["state"] == "no_longer_supported"
    assert (
        "The evidence for an earlier answer in this conversation has changed"
        in (earlier["message"])
    )

    client = openai.OpenAI(base_url=server.url + "/v1", api_key=server.keys["alice"])
    completion = client.chat.completions.create(  # an OpenAI client resending its history
        model="followup",
        messages=[
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": flagged.first_reply},
            {"role": "user", "content": "Which children are included?"},
        ],
    )
    content = completion.choices[0].message.content or ""
    assert "Earlier in this conversation: The evidence for an earlier answer" in content
    assert f"(answer {answer_id})" in content
    extension = completion.model_extra["followup"]  # type: ignore[index]
    assert extension["conversation_id"] == cid
    assert [e["answer_id"] for e in extension["earlier_evidence"]] == [answer_id]

    with server.client("adam") as adam:  # a second reviewer approves the re-checked version
        version = detail["versions"][-1]
        stale = adam.post(
            f"/api/review/answers/{answer_id}/approve",
            json={"version": 1, "sha256": version["sha256"], "justification": "checked"},
        )
        assert stale.status_code == 409 and "now at version 2" in stale.text
        approved = adam.post(
            f"/api/review/answers/{answer_id}/approve",
            json={
                "version": version["version"],
                "sha256": version["sha256"],
                "justification": "The age range in the source was corrected; checked.",
            },
        )
        assert approved.status_code == 200, approved.text
    with server.client("alice") as alice:
        answers = alice.get(f"/api/conversations/{cid}").json()["answers"]
    cleared = next(a for a in answers if a["id"] == answer_id)
    assert cleared["review_status"] == "approved" and cleared["evidence"] is None
    assert workflow.verify_audit(flagged.store, flagged.store.audit_key()).ok


def test_before_its_recheck_an_answer_citing_a_withdrawn_passage_is_not_shown_approved(
    tmp_path: Path, sample_index: Path, embedder: MiniLMEmbedder
) -> None:
    """The ingest switched generations and died before the re-check: every channel already
    shows the answer as pending, with a notice saying it is being re-checked."""
    with deployed(
        tmp_path, sample_index, embedder, {}, _withdraw_the_source, recheck=False
    ) as flagged:
        server, answer_id, cid = flagged.server, flagged.answer_id, flagged.conversation_id
        assert flagged.store.get_answer(answer_id).review_status.value == "approved"  # stored
        with server.client("alice") as alice:
            (shown,) = alice.get(f"/api/conversations/{cid}").json()["answers"]
        with server.client("rita") as rita:
            detail = rita.get(f"/api/review/answers/{answer_id}").json()["record"]
            rows = rita.get("/api/review/triage", params={"status": "all"}).json()
        (row,) = [r for r in rows if r["id"] == answer_id]
        assert row["review_status"] == "pending_review"  # the triage table agrees
        for record in (shown, detail):
            assert record["review_status"] == "pending_review"
            notice = record["evidence"]
            assert notice["pending"] and notice["state"] == "evidence_withdrawn"
            assert "being re-checked and is not approved meanwhile" in notice["message"]
