"""The answer store: conversations, answers, their versions, review decisions and audit.

SQLite by default (WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE`` per write), PostgreSQL when
``store.url`` says so. An answer is written, with its first version and its audit entry, and
committed before any channel shows it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import AuthenticationError, InvalidRequestError, NotFoundError, StoreError
from assistant.models import AnswerRecord, ReviewStatus, sha256_text, utc_now
from assistant.review import audit
from assistant.review.db import Database, StoreOptions, Tx, open_database
from assistant.review.migrations import migrate
from assistant.review.records import AnswerVersion, Decision
from assistant.review.review_tx import ReviewTx, decision_from_row, version_from_row
from assistant.review.state import SharedState
from assistant.review.tables import UserTable, enabled_in

if TYPE_CHECKING:
    from assistant.config import Settings


StoredTable = Literal["decisions", "answer_versions", "answers"]


@dataclass(frozen=True)
class Conversation:
    id: str
    created_at: str
    owner: str | None
    anchor_article_id: str | None
    audience: str


@dataclass(frozen=True)
class ReviewPolicy:
    """Review rules that deployments may change (from ``Settings.review``)."""

    allow_self_approval: bool = False


def store_options(settings: Settings) -> StoreOptions:
    """The store's time limits and pool size from ``settings.store``."""
    s = settings.store
    return StoreOptions(
        lock_timeout_s=s.lock_timeout_s,
        statement_timeout_s=s.statement_timeout_s,
        idle_in_transaction_s=s.idle_in_transaction_s,
        connect_timeout_s=s.connect_timeout_s,
        pool_timeout_s=s.pool_timeout_s,
        pool_size=s.pool_size,
    )


def new_id() -> str:
    return uuid.uuid4().hex


def text_sha256(text: str) -> str:
    """SHA-256 of a version's exact answer text (UTF-8), as recorded on every decision."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_key_file(path: Path) -> Path:
    """``<data dir>.audit-key`` beside the data directory holding ``path``."""
    data_dir = path.resolve().parent
    return data_dir.parent / f"{data_dir.name}.audit-key"


@dataclass
class _KeyRing:
    path: Path
    key: bytes | None = field(default=None, repr=False)

    def get(self, chain_started: Callable[[], bool]) -> bytes:
        if self.key is None:
            # A missing key is created only for an empty trail: never silently re-keyed.
            may_create = self.path.exists() or not chain_started()
            self.key = audit.load_or_create_key(self.path, may_create=may_create)
        return self.key


class AnswerStore:
    """Conversations and answer records, with versions, decisions and the audit chain."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        url: str | None = None,
        key_file: Path | None = None,
        policy: ReviewPolicy | None = None,
        options: StoreOptions | None = None,
    ) -> None:
        if key_file is None:
            if path is None:
                raise StoreError("A store opened by URL needs the audit key file (audit.key_file).")
            key_file = default_key_file(path)
        self.db: Database = open_database(path=path, url=url, options=options)
        migrate(self.db)
        self.state = SharedState(self.db)
        self.users = UserTable(self.db)
        self._keys = _KeyRing(key_file)
        self.policy = policy or ReviewPolicy()

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerStore:
        """The store the settings name: ``store.url`` if set, else the data directory's file."""
        return cls(
            settings.store_path,
            url=settings.store.url,
            key_file=settings.audit_key_file,
            policy=ReviewPolicy(allow_self_approval=settings.review.allow_self_approval),
            options=store_options(settings),
        )

    @property
    def key_file(self) -> Path:
        return self._keys.path

    def audit_key(self) -> bytes:
        """The HMAC key of the audit chain (read from, or created in, the key file)."""
        return self._keys.get(self._chain_started)

    def _chain_started(self) -> bool:
        return bool(self.db.read("SELECT seq FROM audit_head WHERE id = 1 AND seq > 0"))

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raise StoreError unless the database answers."""
        self.db.read("SELECT 1")

    @contextmanager
    def review(self) -> Iterator[ReviewTx]:
        """One serialised write transaction for a review decision, committed on exit."""
        key = self.audit_key()
        with self.db.write() as tx:
            yield ReviewTx(tx, key)

    def create_conversation(
        self,
        *,
        owner: str | None = None,
        anchor_article_id: str | None = None,
        audience: str = "clinician",
    ) -> Conversation:
        conversation = Conversation(new_id(), utc_now(), owner, anchor_article_id, audience)
        with self.db.write(lock=None) as conn:
            conn.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                (conversation.id, conversation.created_at, owner, anchor_article_id, audience),
            )
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation:
        rows = self.db.read("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise NotFoundError(f"No conversation {conversation_id!r}.")
        return Conversation(**dict(rows[0]))

    def save_answer(self, record: AnswerRecord) -> None:
        """Persist a new answer as version 1 with its audit entry; returns once committed.

        AuthenticationError, and nothing stored, when the person who asked was disabled while
        it was being answered (checked in the same transaction as the insert).
        """
        if record.review_status is not ReviewStatus.PENDING:
            raise InvalidRequestError("A new answer is always stored pending review.")
        key = self.audit_key()
        digest = text_sha256(record.answer)
        with self.db.write() as tx:
            self._require_enabled_owner(tx, record.conversation_id)
            (turn,) = tx.execute(
                "SELECT COUNT(*) FROM answers WHERE conversation_id = ?", (record.conversation_id,)
            ).fetchone()
            tx.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.conversation_id,
                    turn + 1,
                    record.created_at,
                    record.question,
                    record.standalone_question,
                    record.answer,
                    record.review_status.value,
                    record.generator,
                    record.corpus_version,
                    record.model_dump_json(),
                ),
            )
            author = f"generator:{record.generator}"
            tx.execute(
                "INSERT INTO answer_versions (answer_id, version, text, sha256, created_at, author)"
                " VALUES (?, 1, ?, ?, ?, ?)",
                (record.id, record.answer, digest, record.created_at, author),
            )
            audit.append(
                tx,
                key,
                at=utc_now(),
                actor=author,
                action="create",
                answer_id=record.id,
                payload=_create_payload(record, digest),
            )

    def _require_enabled_owner(self, tx: Tx, conversation_id: str) -> None:
        row = tx.execute(
            "SELECT owner FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        owner = row[0] if row is not None else None
        if owner is not None and not enabled_in(tx, self.db.dialect, owner):
            raise AuthenticationError(
                f"{owner} was disabled while the question was being answered; "
                "the answer was not stored."
            )

    def get_answer(self, answer_id: str) -> AnswerRecord:
        rows = self.db.read("SELECT record_json FROM answers WHERE id = ?", (answer_id,))
        if not rows:
            raise NotFoundError(f"No answer {answer_id!r}.")
        return AnswerRecord.model_validate_json(rows[0]["record_json"])

    def conversation_answers(self, conversation_id: str) -> list[AnswerRecord]:
        rows = self.db.read(
            "SELECT record_json FROM answers WHERE conversation_id = ? ORDER BY turn",
            (conversation_id,),
        )
        return [AnswerRecord.model_validate_json(r["record_json"]) for r in rows]

    def list_answers(self, status: str | None = None, limit: int = 100) -> list[AnswerRecord]:
        sql = "SELECT record_json FROM answers"
        params: tuple[object, ...] = ()
        if status:
            sql += " WHERE review_status = ?"
            params = (status,)
        rows = self.db.read(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [AnswerRecord.model_validate_json(r["record_json"]) for r in rows]

    def review_queue(self, status: str | None, limit: int, offset: int) -> list[AnswerRecord]:
        """Answers in ``status`` (all when None), oldest first, ``limit`` from ``offset``."""
        sql, params = "SELECT record_json FROM answers", tuple[object, ...]()
        if status is not None:
            sql, params = sql + " WHERE review_status = ?", (status,)
        sql += " ORDER BY created_at, id LIMIT ? OFFSET ?"
        rows = self.db.read(sql, (*params, limit, offset))
        return [AnswerRecord.model_validate_json(r["record_json"]) for r in rows]

    def versions(self, answer_id: str) -> list[AnswerVersion]:
        """Every version of an answer, oldest first."""
        rows = self.db.read(
            "SELECT answer_id, version, text, sha256, created_at, author, comment, findings"
            " FROM answer_versions WHERE answer_id = ? ORDER BY version",
            (answer_id,),
        )
        return [version_from_row(r) for r in rows]

    def decisions(self, answer_id: str | None = None, action: str | None = None) -> list[Decision]:
        """Decisions in audit order, on one answer and of one action when given."""
        where, params = [], []
        for column, value in (("answer_id", answer_id), ("action", action)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM decisions" + (" WHERE " + " AND ".join(where) if where else "")
        return [decision_from_row(r) for r in self.db.read(sql + " ORDER BY audit_seq", params)]

    def conversation_owner(self, conversation_id: str) -> str | None:
        return self.get_conversation(conversation_id).owner

    def audit_entries(self, answer_id: str | None = None) -> list[audit.AuditEntry]:
        return audit.entries(self.db, answer_id)

    def verify_chain(self) -> audit.AuditReport:
        """Walk the audit chain under this store's key."""
        return audit.verify_chain(self.db, self.audit_key())

    def stored_rows(self, table: StoredTable) -> list[dict[str, Any]]:
        """Rows of a working table exactly as stored, for checks against the audit trail."""
        order = {"decisions": "audit_seq", "answer_versions": "answer_id, version", "answers": "id"}
        return [dict(r) for r in self.db.read(f"SELECT * FROM {table} ORDER BY {order[table]}")]


def _create_payload(record: AnswerRecord, version_sha256: str) -> dict[str, Any]:
    """What the audit binds at birth: the exact text, its citations and how it was made."""
    return {
        "conversation_id": record.conversation_id,
        "question_sha256": sha256_text(record.question),
        "version": 1,
        "version_sha256": version_sha256,
        "review_status": record.review_status.value,
        "generator": record.generator,
        "prompt_version": record.prompt_version,
        "corpus_version": record.corpus_version,
        "citations": [
            {"n": c.n, "source_id": c.source_id, "chunk_id": c.chunk_id} for c in record.citations
        ],
    }
