"""The catalog: what was indexed (documents and chunks), persisted beside the indexes.

Retrieval reads chunk texts and document details from here, so a query never touches the
corpus files; ingest reads it to skip re-chunking unchanged documents.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.models import Chunk, Document, Reference, sha256_text, utc_now

CATALOG_FILE = "catalog.json"
SCHEMA = 1


@dataclass
class Catalog:
    """Indexed documents and their chunks, plus the corpus version they amount to."""

    documents: dict[str, Document] = field(default_factory=dict)
    doc_hashes: dict[str, str] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    chunks_by_doc: dict[str, list[str]] = field(default_factory=dict)
    built_at: str = ""

    @property
    def corpus_version(self) -> str:
        """Hash of every indexed chunk: two indexes answer alike iff their versions match."""
        return sha256_text(*sorted(c.content_hash for c in self.chunks.values()))[:16]

    def add(self, doc: Document, doc_hash: str, chunks: list[Chunk]) -> None:
        self.documents[doc.id] = doc
        self.doc_hashes[doc.id] = doc_hash
        self.chunks_by_doc[doc.id] = [c.id for c in chunks]
        for chunk in chunks:
            self.chunks[chunk.id] = chunk

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return [self.chunks[cid] for cid in self.chunks_by_doc.get(doc_id, [])]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {
            "schema": SCHEMA,
            "built_at": utc_now(),
            "corpus_version": self.corpus_version,
            "documents": [
                {
                    **asdict(doc),
                    "hash": self.doc_hashes[doc.id],
                    "chunks": self.chunks_by_doc[doc.id],
                }
                for doc in self.documents.values()
            ],
            "chunks": [asdict(c) for c in self.chunks.values()],
        }
        tmp = folder / (CATALOG_FILE + ".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / CATALOG_FILE)  # atomic: a crash never leaves half a catalog

    @classmethod
    def load(cls, folder: Path) -> Catalog | None:
        path = folder / CATALOG_FILE
        if not path.exists():
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
        catalog = cls(built_at=payload.get("built_at", ""))
        for raw in payload["documents"]:
            doc_hash, chunk_ids = raw.pop("hash"), raw.pop("chunks")
            raw["references"] = tuple(Reference(**r) for r in raw["references"])
            doc = Document(**raw)
            catalog.documents[doc.id] = doc
            catalog.doc_hashes[doc.id] = doc_hash
            catalog.chunks_by_doc[doc.id] = chunk_ids
        for raw in payload["chunks"]:
            raw["reference_ids"] = tuple(raw["reference_ids"])
            chunk = Chunk(**raw)
            catalog.chunks[chunk.id] = chunk
        return catalog
