"""The catalog (indexed documents and their chunks) in PostgreSQL tables.

Documents keep their first ingest position (``seq``) when they are replaced, as the embedded
catalog keeps a replaced key's place. Writes are buffered and sent a batch at a time (one
upsert, one delete and one COPY per batch): a per-document round trip would make the first
ingest of 16k MedQuAD documents wait on the network 50k times.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from assistant.index.base import WriteHook
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.models import Chunk, Document, Reference, sha256_text

BATCH_DOCUMENTS = 1000
_CHUNK_COLUMNS = "id, doc_id, ordinal, title, heading, text, reference_ids"


def document_json(doc: Document) -> str:
    """A document as the JSON the catalog stores."""
    return json.dumps(asdict(doc), ensure_ascii=False, default=str)


def document_from(raw: dict[str, Any]) -> Document:
    """A document from the catalog's JSON."""
    raw = dict(raw)
    raw["references"] = tuple(Reference(**r) for r in raw.get("references", ()))
    return Document(**raw)


def _chunk(row: Sequence[Any]) -> Chunk:
    cid, doc_id, ordinal, title, heading, text, refs = row
    return Chunk(cid, doc_id, ordinal, title, heading, text, tuple(refs))


def corpus_version_of(content_hashes: list[str]) -> str:
    """The catalog's corpus version: a hash of every indexed chunk (as the embedded one)."""
    return sha256_text(*sorted(content_hashes))[:16]


class PgCatalog:
    """Read API of the catalog; with a hook, also the writer of an ingest transaction."""

    def __init__(self, conn: PgConnection, hook: WriteHook | None = None) -> None:
        self._conn = conn
        self._hook = hook
        # Buffered puts by document id: a document put twice is sent once, as last put.
        self._pending: dict[str, tuple[Document, str, Sequence[Chunk]]] = {}
        self._doc_hashes: dict[str, str] | None = None  # writer: every hash, read once

    # -- reads -------------------------------------------------------------------------
    @property
    def corpus_version(self) -> str:
        if self._hook is None:
            return str(self._conn.value("SELECT corpus_version FROM index_state") or "")
        return corpus_version_of(self.content_hashes())

    def content_hashes(self) -> list[str]:
        self.flush()
        return [row[0] for row in self._conn.rows("SELECT content_hash FROM index_chunks")]

    def document(self, doc_id: str) -> Document | None:
        self.flush()
        raw = self._conn.value("SELECT document FROM index_documents WHERE id = %s", (doc_id,))
        return None if raw is None else document_from(raw)

    def documents(self) -> list[Document]:
        self.flush()
        rows = self._conn.rows("SELECT document FROM index_documents ORDER BY seq")
        return [document_from(row[0]) for row in rows]

    def article(self, doc_id: str) -> Document | None:
        doc = self.document(doc_id)
        return doc if doc is not None and doc.is_article else None

    def articles(self) -> list[Document]:
        self.flush()
        rows = self._conn.rows(
            "SELECT document FROM index_documents WHERE kind = 'article' ORDER BY seq"
        )
        return [document_from(row[0]) for row in rows]

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.flush()
        rows = self._conn.rows(
            f"SELECT {_CHUNK_COLUMNS} FROM index_chunks WHERE id = %s", (chunk_id,)
        )
        return _chunk(rows[0]) if rows else None

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """Several chunks in one query (unknown ids are left out)."""
        self.flush()
        rows = self._conn.rows(
            f"SELECT {_CHUNK_COLUMNS} FROM index_chunks WHERE id = ANY(%s)", (list(chunk_ids),)
        )
        return {row[0]: _chunk(row) for row in rows}

    def chunks(self) -> list[Chunk]:
        self.flush()
        rows = self._conn.rows(
            f"SELECT c.{_CHUNK_COLUMNS.replace(', ', ', c.')} FROM index_chunks c "
            "JOIN index_documents d ON d.id = c.doc_id ORDER BY d.seq, c.ordinal"
        )
        return [_chunk(row) for row in rows]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        self.flush()
        rows = self._conn.rows(
            f"SELECT {_CHUNK_COLUMNS} FROM index_chunks WHERE doc_id = %s ORDER BY ordinal",
            (doc_id,),
        )
        return [_chunk(row) for row in rows]

    def doc_hash(self, doc_id: str) -> str | None:
        if self._hook is None:
            found = self._conn.value(
                "SELECT doc_hash FROM index_documents WHERE id = %s", (doc_id,)
            )
            return None if found is None else str(found)
        return self._writer_hashes().get(doc_id)

    def _writer_hashes(self) -> dict[str, str]:
        # Ingest asks for every document's hash: one query, then kept up to date here.
        if self._doc_hashes is None:
            self.flush()
            self._doc_hashes = dict(self._conn.rows("SELECT id, doc_hash FROM index_documents"))
        return self._doc_hashes

    # -- writes (inside an ingest transaction) -------------------------------------------
    def _writing(self) -> Callable[[str], None]:
        return self._hook or read_only

    def put(self, doc: Document, doc_hash: str, chunks: Sequence[Chunk]) -> None:
        """Add or replace a document with its chunks (sent with the next batch)."""
        self._writing()
        self._writer_hashes()[doc.id] = doc_hash
        self._pending[doc.id] = (doc, doc_hash, list(chunks))
        if len(self._pending) >= BATCH_DOCUMENTS:
            self.flush()

    def remove(self, doc_id: str) -> None:
        """Drop a document and its chunks (no-op when unknown)."""
        self._writing()("catalog.remove")
        self.flush()
        self._writer_hashes().pop(doc_id, None)
        self._conn.execute("DELETE FROM index_documents WHERE id = %s", (doc_id,))

    def flush(self) -> None:
        """Send buffered documents and chunks to the transaction."""
        if not self._pending:
            return
        pending, self._pending = list(self._pending.values()), {}
        self._writing()("catalog.put")
        self._conn.executemany(
            "INSERT INTO index_documents (id, kind, doc_hash, document) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, doc_hash = EXCLUDED.doc_hash, "
            "document = EXCLUDED.document",
            [(d.id, d.kind, h, document_json(d)) for d, h, _ in pending],
        )
        ids = [d.id for d, _, _ in pending]
        self._conn.execute("DELETE FROM index_chunks WHERE doc_id = ANY(%s)", (ids,))
        rows = [
            (
                c.id,
                c.doc_id,
                c.ordinal,
                c.title,
                c.heading,
                c.text,
                list(c.reference_ids),
                c.content_hash,
            )
            for _, _, chunks in pending
            for c in chunks
        ]
        columns = (*_CHUNK_COLUMNS.split(", "), "content_hash")
        self._conn.copy_rows("index_chunks", columns, rows)
