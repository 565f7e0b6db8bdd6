"""Stored answers for the review suites: a record shaped as the pipeline makes it, stores on
each backend, raw tampering, and the version a reviewer must name."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from assistant.models import AnswerRecord, Citation
from assistant.review.store import AnswerStore, ReviewPolicy, new_id
from tests.support.pg_server import fresh_database

ANSWER_TEXT = (
    "Low-dose naltrexone is given at 1 to 5 mg daily [1]. "
    "A 50 mg dose gives full opioid blockade for up to 24 hours [2]."
)


def make_record(conversation_id: str, text: str = ANSWER_TEXT) -> AnswerRecord:
    """An answer record shaped as the pipeline makes it, citing two retrieved passages."""
    return AnswerRecord(
        id=new_id(),
        conversation_id=conversation_id,
        question="At what dose does naltrexone block opioids fully?",
        standalone_question="At what dose does naltrexone change from partial to full blockade?",
        answer=text,
        citations=[
            Citation(
                n=1,
                source_id="toljan-vrooman-2018-ldn-review",
                chunk_id="c1",
                title="LDN review",
                citation="Toljan K, Vrooman B. LDN review. 2018.",
                passage="Low-dose naltrexone is defined as a daily dose of 1 to 5 mg.",
            ),
            Citation(
                n=2,
                source_id="fda-label-naltrexone",
                chunk_id="c2",
                title="REVIA label",
                citation="FDA. REVIA prescribing information.",
                url="https://example.org/revia",
                passage="A 50 mg dose blocks the effects of 25 mg IV heroin for up to 24 hours.",
            ),
        ],
        disclaimer="For healthcare professionals; not a substitute for clinical judgement.",
        generator="extractive",
        corpus_version="test-corpus",
    )


def save_answer(store: AnswerStore, owner: str | None = "dr.asker") -> AnswerRecord:
    conversation = store.create_conversation(owner=owner)
    record = make_record(conversation.id)
    store.save_answer(record)
    return record


def open_backend(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, **policy: bool
) -> AnswerStore:
    """A fresh store on ``kind`` ("sqlite" file in tmp_path, or a new PostgreSQL database)."""
    key_file = tmp_path / "audit.key"
    if kind == "sqlite":
        return AnswerStore(
            tmp_path / "data" / "followup.db", key_file=key_file, policy=ReviewPolicy(**policy)
        )
    url = fresh_database(request.getfixturevalue("pg_url"), f"t_{uuid.uuid4().hex[:12]}")
    return AnswerStore(url=url, key_file=key_file, policy=ReviewPolicy(**policy))


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def tamper(store: AnswerStore, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Change the database as someone with raw access would: append-only triggers off first."""
    with store.db.write() as tx:
        if store.db.dialect == "sqlite":
            tx.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
            tx.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            tx.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        for sql, params in statements:
            tx.execute(sql, params)


def seen(store: AnswerStore, answer_id: str) -> dict[str, object]:
    """The current version as a reviewer reads it: what approve, reject and edit must name."""
    latest = store.versions(answer_id)[-1]
    return {"version": latest.version, "sha256": latest.sha256}
