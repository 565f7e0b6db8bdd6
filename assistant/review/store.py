"""SQLite answer store: durable (WAL, synchronous=FULL), one writer transaction at a time.

An answer is written and committed before any channel shows it.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import NotFoundError, StoreError
from assistant.models import AnswerRecord, utc_now
from assistant.review.migrations import migrate


@dataclass(frozen=True)
class Conversation:
    id: str
    created_at: str
    owner: str | None
    anchor_article_id: str | None
    audience: str


def new_id() -> str:
    return uuid.uuid4().hex


class AnswerStore:
    """Conversations and answer records in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=30000")
            migrate(self._conn)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the answer store at {path}: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE), committed before the block's caller goes on."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise  # a constraint the caller knows how to explain
            except sqlite3.Error as exc:
                raise StoreError(f"The answer store could not save: {exc}") from exc

    def read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Rows of one read-only query."""
        with self._lock:
            cursor = self._conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def create_conversation(
        self,
        *,
        owner: str | None = None,
        anchor_article_id: str | None = None,
        audience: str = "clinician",
    ) -> Conversation:
        conversation = Conversation(new_id(), utc_now(), owner, anchor_article_id, audience)
        with self.write() as conn:
            conn.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                (conversation.id, conversation.created_at, owner, anchor_article_id, audience),
            )
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation:
        rows = self.read("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise NotFoundError(f"No conversation {conversation_id!r}.")
        return Conversation(**dict(rows[0]))

    def save_answer(self, record: AnswerRecord) -> None:
        """Persist a new answer record; returns only once it is committed."""
        with self.write() as conn:
            (turn,) = conn.execute(
                "SELECT COUNT(*) FROM answers WHERE conversation_id = ?", (record.conversation_id,)
            ).fetchone()
            conn.execute(
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

    def get_answer(self, answer_id: str) -> AnswerRecord:
        rows = self.read("SELECT record_json FROM answers WHERE id = ?", (answer_id,))
        if not rows:
            raise NotFoundError(f"No answer {answer_id!r}.")
        return AnswerRecord.model_validate_json(rows[0]["record_json"])

    def conversation_answers(self, conversation_id: str) -> list[AnswerRecord]:
        rows = self.read(
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
        rows = self.read(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [AnswerRecord.model_validate_json(r["record_json"]) for r in rows]
