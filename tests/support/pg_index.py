"""A throw-away PostgreSQL 16 server with pgvector, from the PyPI wheel ``pgserver``.

Debian's PostgreSQL here has no pgvector, so the index backend's tests use the wheel
(installed by ``scripts/test-deps/pgserver.sh``). The server listens on a Unix socket inside
a temporary directory only; as root, pgserver runs it as the system user ``pgserver``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

from assistant.index.base import Index


def pgserver_missing() -> str | None:
    """Why the server cannot be started here, or None when it can."""
    try:
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": harmless here
            warnings.simplefilter("ignore")
            import pgserver  # noqa: F401
    except ImportError:
        return (
            "pgserver (PostgreSQL 16 + pgvector) is not installed: "
            "run scripts/test-deps/pgserver.sh"
        )
    return None


@contextmanager
def pgvector_server() -> Iterator[str]:
    """Start a server with the ``vector`` extension created; yield its URL; stop and remove it."""
    root = Path(tempfile.mkdtemp(prefix="followup-pgv-"))
    with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": harmless here
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(root / "data", cleanup_mode="stop")
    try:
        # A throw-away server needs no durability: fsync off spares the shared disk.
        server.psql(
            "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
            " ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
            " CREATE EXTENSION IF NOT EXISTS vector;"
        )
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def fresh_schema(url: str, prefix: str = "t") -> str:
    """A new, empty schema on the server at ``url``; the URL whose connections work inside it.

    ``public`` stays on the search path after the new schema: the ``vector`` type lives there.
    """
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    options = quote(f"-csearch_path={name},public")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


def require_pgserver() -> None:
    """Skip the calling test when pgserver is absent; under CI, fail instead."""
    reason = pgserver_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def copy_index(source: Index, url: str) -> None:
    """Write ``source``'s serving generation into the PostgreSQL index at ``url`` (no embedding).

    Suites that already built an embedded index of the sample corpus reuse its vectors.
    """
    from assistant.index.postgres import open_postgres_index

    target = open_postgres_index(url, create=True)
    chunks = source.catalog.chunks()
    stored = source.vectors.vectors([c.id for c in chunks])
    with target.begin() as tx:
        for doc in source.catalog.documents():
            tx.catalog.put(
                doc, source.catalog.doc_hash(doc.id) or "", source.catalog.doc_chunks(doc.id)
            )
        tx.vectors.upsert(chunks, np.stack([stored[c.id] for c in chunks]))
        tx.lexical.replace((c.id, c.embedding_text) for c in chunks)
        tx.commit()
    target.close()


# -- pytest fixtures: import them into a test module or conftest to use them ----------------
@pytest.fixture(scope="session")
def pgvector_url() -> Iterator[str]:
    """One throw-away PostgreSQL + pgvector server for the whole session."""
    require_pgserver()
    with pgvector_server() as url:
        yield url


@pytest.fixture
def pg_index_url(pgvector_url: str) -> str:
    """A URL whose connections see a fresh, empty schema (one per test)."""
    return fresh_schema(pgvector_url)


if __name__ == "__main__":
    with pgvector_server() as url:
        print(fresh_schema(url))
