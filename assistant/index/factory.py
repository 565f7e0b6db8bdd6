"""The one way to open an index: the backend is chosen from the settings."""

from __future__ import annotations

from pathlib import Path

from assistant.config import IndexSettings
from assistant.index.base import Index


def open_index(settings: IndexSettings, index_dir: Path, *, create: bool = False) -> Index:
    """Open the serving generation of the index described by ``settings``.

    ``settings.url`` (``postgresql://...``) opens the PostgreSQL backend; otherwise the embedded
    one (Chroma + bm25s in ``index_dir``, i.e. ``Settings.index_dir``).
    ``create=True`` is for writers (ingest): a missing index opens empty and a damaged serving
    generation opens with its readable parts, its damage reported by ``problems()``. Readers get
    IndexNotReadyError when nothing was ingested yet.
    """
    if settings.url:
        # One PostgreSQL (pgvector + BM25 postings) shared by N app servers.
        from assistant.index.postgres import open_postgres_index

        return open_postgres_index(settings.url, create=create)
    from assistant.index.embedded import EmbeddedIndex

    return EmbeddedIndex.open(index_dir, settings.collection, create=create)
