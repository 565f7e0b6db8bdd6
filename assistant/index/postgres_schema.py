"""The PostgreSQL index's schema: numbered, append-only migrations. Never edit a shipped one.

Tables are prefixed ``index_`` so the index can share a database (and schema) with the
answer store. The vector column gets its dimension, and its HNSW index, from the first
vectors written (:func:`ensure_vector_index`): the schema does not know the embedding model.
"""

from __future__ import annotations

from typing import Any

from assistant.errors import ConfigError
from assistant.models import utc_now

# An arbitrary constant naming "the followup index's writer lock" among advisory locks; the
# answer store uses another one, so an ingest never blocks a review decision.
INDEX_WRITER_LOCK = 0x0F011_1DE
VECTOR_INDEX = "index_vectors_hnsw"
# HNSW build parameters; Chroma's defaults (M=16, ef_construction=100), so both backends
# search graphs of the same quality.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
BUILD_MEMORY = "512MB"

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "catalog, vectors, BM25 postings and index state",
        """
        CREATE TABLE index_documents (
            seq BIGSERIAL NOT NULL,
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            doc_hash TEXT NOT NULL,
            document JSON NOT NULL
        );
        CREATE INDEX index_documents_order ON index_documents (seq);
        CREATE TABLE index_chunks (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES index_documents (id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            title TEXT NOT NULL,
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            reference_ids TEXT[] NOT NULL,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX index_chunks_by_doc ON index_chunks (doc_id, ordinal);
        CREATE TABLE index_vectors (
            chunk_id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            embedding vector NOT NULL
        );
        CREATE INDEX index_vectors_by_hash ON index_vectors (content_hash);
        CREATE TABLE index_lexical (
            key SERIAL PRIMARY KEY,
            chunk_id TEXT NOT NULL UNIQUE,
            text_hash TEXT NOT NULL,
            length INTEGER NOT NULL
        );
        CREATE TABLE index_postings (
            term TEXT NOT NULL,
            key INTEGER NOT NULL REFERENCES index_lexical (key) ON DELETE CASCADE,
            tf INTEGER NOT NULL,
            length INTEGER NOT NULL,
            PRIMARY KEY (term, key)
        );
        CREATE INDEX index_postings_by_key ON index_postings (key);
        CREATE TABLE index_state (
            singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
            generation BIGINT NOT NULL,
            corpus_version TEXT NOT NULL,
            dimension INTEGER,
            lexical_docs INTEGER NOT NULL,
            lexical_length BIGINT NOT NULL,
            built_at TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        "sentence-vector groups embedded at ingest",
        """
        CREATE TABLE index_sentences (
            key TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            vectors BYTEA NOT NULL
        );
        """,
    ),
]


def _has_vector_extension(conn: Any) -> bool:
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
    return row is not None


def _create_vector_extension(conn: Any, where: str) -> None:
    import psycopg

    if _has_vector_extension(conn):
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise ConfigError(
            f"The PostgreSQL index at {where} needs the pgvector extension, which this user "
            f"cannot create ({exc.diag.message_primary or exc}). Install pgvector on the server "
            "and run `CREATE EXTENSION vector;` in this database as its owner, then retry."
        ) from exc


def applied(conn: Any) -> set[int]:
    """Versions of the migrations already applied ({} when the index was never created)."""
    # In the schema this connection creates tables in: another index's table further along the
    # search path (say public's, beside a staging schema) is not this index's.
    exists = conn.execute(
        "SELECT to_regclass(format('%I.index_migrations', current_schema())) IS NOT NULL"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM index_migrations").fetchall()}


def migrate(conn: Any, where: str) -> None:
    """Bring the schema up to date; safe when several app servers start at once."""
    _create_vector_extension(conn, where)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_WRITER_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS index_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = applied(conn)
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            conn.execute(sql)
            conn.execute(
                "INSERT INTO index_migrations VALUES (%s, %s, %s)", (version, name, utc_now())
            )
        conn.execute(
            "INSERT INTO index_state VALUES (TRUE, 0, '', NULL, 0, 0, %s) "
            "ON CONFLICT (singleton) DO NOTHING",
            (utc_now(),),
        )


def ensure_vector_index(conn: Any, dimension: int) -> None:
    """Fix the vector column's dimension and build its HNSW (cosine) index, once.

    Called at commit, after the first ingest has loaded its rows: building the graph over
    loaded rows is much faster than growing it row by row. A later ingest with vectors of
    another dimension (a different embedding model) is refused with what to do.
    """
    stored = conn.execute("SELECT dimension FROM index_state").fetchone()[0]
    if stored is not None and stored != dimension:
        raise ConfigError(
            f"The PostgreSQL index holds {stored}-dimensional vectors but the embedder makes "
            f"{dimension}-dimensional ones. Index into an empty database (or schema) instead."
        )
    if stored is None:
        conn.execute(f"ALTER TABLE index_vectors ALTER COLUMN embedding TYPE vector({dimension})")
        conn.execute("UPDATE index_state SET dimension = %s", (dimension,))
    if not _has_vector_index(conn):
        # The graph of 50k 384-d vectors outgrows the default 64 MB, and a build that spills
        # is several times slower; LOCAL: for this transaction only.
        conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        conn.execute(
            f"CREATE INDEX {VECTOR_INDEX} ON index_vectors USING hnsw "
            f"(embedding vector_cosine_ops) WITH (m = {HNSW_M}, "
            f"ef_construction = {HNSW_EF_CONSTRUCTION})"
        )


def _has_vector_index(conn: Any) -> bool:
    """Whether this index's own vectors table has its HNSW graph (an index of that name on
    another schema's table, found first by name, does not count)."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'index_vectors'::regclass AND c.relname = %s)",
        (VECTOR_INDEX,),
    ).fetchone()
    return bool(row[0])
