"""The catalog (indexed documents and their chunks) in PostgreSQL tables.

Retrieval looks up every candidate chunk and its document (a hundred lookups per question),
and ingest compares every document with what is indexed, so both read the catalog from
memory: a reader holds a snapshot of the serving generation (assistant.index.postgres_serving,
reloaded when another ingest has committed), and an ingest holds a copy of the generation it
started from, which it edits and writes through. Writes are buffered and sent a batch at a time
(one upsert, one delete and one COPY per batch); a document put again unchanged is not sent.
Documents keep their first ingest position (``seq``) when they are replaced, as the embedded
catalog keeps a replaced key's place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from assistant.index.base import WriteHook
from assistant.index.catalog import StoredCatalog
from assistant.index.postgres_conn import PgConnection
from assistant.models import Chunk, Document, Reference, sha256_text

if TYPE_CHECKING:
    from assistant.index.postgres_serving import PgServing

BATCH_DOCUMENTS = 1000
_CHUNK_COLUMNS = ("id", "doc_id", "ordinal", "title", "heading", "text", "reference_ids")


def document_json(doc: Document) -> str:
    """A document as the JSON the catalog stores."""
    return json.dumps(asdict(doc), ensure_ascii=False, default=str)


def document_from(raw: dict[str, Any]) -> Document:
    """A document from the catalog's JSON."""
    raw = dict(raw)
    raw["references"] = tuple(Reference(**r) for r in raw.get("references", ()))
    return Document(**raw)


def corpus_version_of(content_hashes: list[str]) -> str:
    """The catalog's corpus version: a hash of every indexed chunk (as the embedded one)."""
    return sha256_text(*sorted(content_hashes))[:16]


def _chunk_row(c: Chunk) -> tuple[Any, ...]:
    """A chunk as a row of ``index_chunks`` (columns as in :data:`_CHUNK_COLUMNS`, then hash)."""
    return (
        c.id,
        c.doc_id,
        c.ordinal,
        c.title,
        c.heading,
        c.text,
        list(c.reference_ids),
        c.content_hash,
    )


def load_catalog(conn: PgConnection) -> StoredCatalog:
    """Every document and chunk, in ingest order, read from ``conn``'s current snapshot."""
    catalog = StoredCatalog()
    docs = conn.rows("SELECT document, doc_hash FROM index_documents ORDER BY seq")
    rows = conn.rows(
        f"SELECT {', '.join(_CHUNK_COLUMNS)} FROM index_chunks ORDER BY doc_id, ordinal"
    )
    by_doc: dict[str, list[Chunk]] = {}
    for cid, doc_id, ordinal, title, heading, text, refs in rows:
        by_doc.setdefault(doc_id, []).append(
            Chunk(cid, doc_id, ordinal, title, heading, text, tuple(refs))
        )
    for raw, doc_hash in docs:
        doc = document_from(raw)
        catalog.put(doc, doc_hash, by_doc.get(doc.id, []))
    return catalog


class _Delegating:
    """The read API of the seam's ``Catalog``, answered from a :class:`StoredCatalog`."""

    def _view(self) -> StoredCatalog:
        raise NotImplementedError

    def document(self, doc_id: str) -> Document | None:
        return self._view().document(doc_id)

    def documents(self) -> list[Document]:
        return self._view().documents()

    def article(self, doc_id: str) -> Document | None:
        return self._view().article(doc_id)

    def articles(self) -> list[Document]:
        return self._view().articles()

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self._view().chunk(chunk_id)

    def chunks(self) -> list[Chunk]:
        return self._view().chunks()

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return self._view().doc_chunks(doc_id)

    def doc_hash(self, doc_id: str) -> str | None:
        return self._view().doc_hash(doc_id)

    def snapshot(self) -> StoredCatalog:
        """The generation as loaded now; a reload replaces it, never changes it."""
        return self._view()


class PgCatalog(_Delegating):
    """A reader's catalog: the serving generation held by a :class:`PgServing`."""

    def __init__(self, serving: PgServing) -> None:
        self._serving = serving

    @property
    def corpus_version(self) -> str:
        return self._serving.current().corpus_version

    def invalidate(self) -> None:
        """Check for a new generation on the next read (this process just committed one)."""
        self._serving.invalidate()

    def _view(self) -> StoredCatalog:
        return self._serving.current().catalog


class PgCatalogWriter(_Delegating):
    """An ingest's catalog: the generation it started from, edited here and written through."""

    def __init__(self, conn: PgConnection, hook: WriteHook) -> None:
        self._conn = conn
        self._hook = hook
        self._mirror = load_catalog(conn)
        # Buffered puts by document id: a document put twice is sent once, as last put.
        self._pending: dict[str, tuple[Document, str, Sequence[Chunk]]] = {}

    def _view(self) -> StoredCatalog:
        return self._mirror

    @property
    def corpus_version(self) -> str:
        return corpus_version_of([c.content_hash for c in self._mirror.chunks()])

    def put(self, doc: Document, doc_hash: str, chunks: Sequence[Chunk]) -> None:
        """Add or replace a document with its chunks (sent with the next batch)."""
        if self._unchanged(doc, doc_hash, chunks):
            return
        self._mirror.put(doc, doc_hash, chunks)
        self._pending[doc.id] = (doc, doc_hash, list(chunks))
        if len(self._pending) >= BATCH_DOCUMENTS:
            self.flush()

    def _unchanged(self, doc: Document, doc_hash: str, chunks: Sequence[Chunk]) -> bool:
        before = self._mirror.document(doc.id)
        return (
            before == doc
            and self._mirror.doc_hash(doc.id) == doc_hash
            and self._mirror.doc_chunks(doc.id) == list(chunks)
        )

    def remove(self, doc_id: str) -> None:
        """Drop a document and its chunks (no-op when unknown)."""
        self._hook("catalog.remove")
        self._pending.pop(doc_id, None)
        self._mirror.remove(doc_id)
        self._conn.execute("DELETE FROM index_documents WHERE id = %s", (doc_id,))

    def flush(self) -> None:
        """Send buffered documents and chunks to the transaction."""
        if not self._pending:
            return
        pending, self._pending = list(self._pending.values()), {}
        self._hook("catalog.put")
        self._conn.executemany(
            "INSERT INTO index_documents (id, kind, doc_hash, document) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, doc_hash = EXCLUDED.doc_hash, "
            "document = EXCLUDED.document",
            [(d.id, d.kind, h, document_json(d)) for d, h, _ in pending],
        )
        ids = [d.id for d, _, _ in pending]
        self._conn.execute("DELETE FROM index_chunks WHERE doc_id = ANY(%s)", (ids,))
        rows = [_chunk_row(c) for _, _, chunks in pending for c in chunks]
        self._conn.copy_rows("index_chunks", (*_CHUNK_COLUMNS, "content_hash"), rows)
