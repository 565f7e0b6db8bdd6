"""The embedded backend's catalog: indexed documents and chunks, one JSON file per generation.

Retrieval reads chunk texts and document details from here, so a query never touches the
corpus files; ingest reads it to skip re-chunking unchanged documents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import UnavailableError
from assistant.models import Chunk, Document, Reference, sha256_text, utc_now

CATALOG_FILE = "catalog.json"
SCHEMA = 2


@dataclass
class StoredCatalog:
    """Indexed documents and their chunks (implements ``CatalogWriter`` of the index seam)."""

    _documents: dict[str, Document] = field(default_factory=dict)
    _doc_hashes: dict[str, str] = field(default_factory=dict)
    _chunks: dict[str, Chunk] = field(default_factory=dict)
    _chunks_by_doc: dict[str, list[str]] = field(default_factory=dict)
    built_at: str = ""
    _version: str | None = field(default=None, repr=False, compare=False)

    @property
    def corpus_version(self) -> str:
        """Hash of every indexed chunk: two indexes answer alike iff their versions match.
        Every answer records it: computed once per change, not per answer (50k hashes)."""
        if self._version is None:
            self._version = sha256_text(*sorted(c.content_hash for c in self._chunks.values()))
        return self._version[:16]

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def article(self, doc_id: str) -> Document | None:
        doc = self._documents.get(doc_id)
        return doc if doc is not None and doc.is_article else None

    def articles(self) -> list[Document]:
        return [d for d in self._documents.values() if d.is_article]

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self._chunks.get(chunk_id)

    def chunks(self) -> list[Chunk]:
        return list(self._chunks.values())

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return [self._chunks[cid] for cid in self._chunks_by_doc.get(doc_id, [])]

    def doc_hash(self, doc_id: str) -> str | None:
        return self._doc_hashes.get(doc_id)

    def snapshot(self) -> StoredCatalog:
        """This catalog: a serving generation's catalog never changes in place."""
        return self

    def put(self, doc: Document, doc_hash: str, chunks: Sequence[Chunk]) -> None:
        """Add or replace ``doc`` and its chunks."""
        self.remove(doc.id)
        self._version = None
        self._documents[doc.id] = doc
        self._doc_hashes[doc.id] = doc_hash
        self._chunks_by_doc[doc.id] = [c.id for c in chunks]
        for chunk in chunks:
            self._chunks[chunk.id] = chunk

    def remove(self, doc_id: str) -> None:
        self._version = None
        for cid in self._chunks_by_doc.pop(doc_id, []):
            self._chunks.pop(cid, None)
        self._documents.pop(doc_id, None)
        self._doc_hashes.pop(doc_id, None)

    def copy(self) -> StoredCatalog:
        """A shallow copy that can be edited without touching this one."""
        return StoredCatalog(
            dict(self._documents),
            dict(self._doc_hashes),
            dict(self._chunks),
            {k: list(v) for k, v in self._chunks_by_doc.items()},
            self.built_at,
        )

    def to_json(self) -> str:
        payload: dict[str, Any] = {
            "schema": SCHEMA,
            "built_at": utc_now(),
            "corpus_version": self.corpus_version,
            "documents": [
                {**asdict(d), "hash": self._doc_hashes[d.id], "chunks": self._chunks_by_doc[d.id]}
                for d in self._documents.values()
            ],
            "chunks": [asdict(c) for c in self._chunks.values()],
        }
        return json.dumps(payload, ensure_ascii=False)

    @classmethod
    def load(cls, folder: Path) -> StoredCatalog:
        """Read ``folder/catalog.json``; raises FollowupError when it is missing or unreadable."""
        path = folder / CATALOG_FILE
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return cls._from_payload(payload)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnavailableError(f"The index catalog {path} is unreadable: {exc}") from exc

    @classmethod
    def _from_payload(cls, payload: dict[str, Any]) -> StoredCatalog:
        catalog = cls(built_at=payload.get("built_at", ""))
        for raw in payload["documents"]:
            doc_hash, chunk_ids = raw.pop("hash"), raw.pop("chunks")
            raw["references"] = tuple(Reference(**r) for r in raw["references"])
            doc = Document(**raw)
            catalog._documents[doc.id] = doc
            catalog._doc_hashes[doc.id] = doc_hash
            catalog._chunks_by_doc[doc.id] = chunk_ids
        for raw in payload["chunks"]:
            raw["reference_ids"] = tuple(raw["reference_ids"])
            chunk = Chunk(**raw)
            catalog._chunks[chunk.id] = chunk
        return catalog
