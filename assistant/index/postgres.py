"""The index in PostgreSQL (``FOLLOWUP_INDEX__URL=postgresql://...``): one database for N servers.

Catalog, vectors (pgvector, HNSW over cosine distance) and BM25 postings live in ``index_*``
tables beside the answer store's. Each app server holds the serving generation's catalog and
BM25 in memory (assistant.index.postgres_serving) and asks PostgreSQL per query only for the
nearest vectors and the hits' stored vectors. An ingest is one SQL transaction on its own
connection, serialised across every process by an advisory lock: readers keep seeing the
previous generation until COMMIT, and a crash or abort at any point leaves it untouched.
Unchanged chunks keep their rows (vectors are tagged with content hashes), so re-ingest embeds
only new text.

Needs the pgvector extension in the database (``CREATE EXTENSION vector``; every managed
PostgreSQL offers it). Tests use the PyPI wheel ``pgserver`` (PostgreSQL 16, pgvector 0.6).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.errors import ConfigError, FollowupError, IndexNotReadyError
from assistant.index.base import WriteHook, no_hook
from assistant.index.postgres_catalog import PgCatalog, PgCatalogWriter
from assistant.index.postgres_conn import PgConnection, redact
from assistant.index.postgres_lexical import PgLexical
from assistant.index.postgres_schema import (
    INDEX_WRITER_LOCK,
    MIGRATIONS,
    applied,
    ensure_vector_index,
    migrate,
)
from assistant.index.postgres_sentences import PgSentences
from assistant.index.postgres_serving import PgServedLexical, PgServing
from assistant.index.postgres_vectors import PgVectors
from assistant.index.sentences import generation_keys
from assistant.models import APPROVED, utc_now

SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str | None) -> bool:
    """Whether ``url`` names a PostgreSQL index."""
    return bool(url) and str(url).startswith(SCHEMES)


class PgIndexNotReadyError(IndexNotReadyError):
    """Nothing was ingested into this PostgreSQL database yet."""

    def __init__(self, where: str) -> None:
        FollowupError.__init__(
            self,
            f"No search index in the PostgreSQL database at {where}. Run `followup ingest` "
            "(with the same FOLLOWUP_INDEX__URL) first to index the corpus.",
        )


class PgTransaction:
    """One ingest into PostgreSQL: everything written is one SQL transaction."""

    def __init__(
        self, url: str, hook: WriteHook, opened: int, on_commit: Callable[[int], None]
    ) -> None:
        self._hook = hook
        self._on_commit = on_commit
        self._conn = PgConnection(url, autocommit=False)
        self._open = True
        try:
            self._lock(opened)
            self.catalog = PgCatalogWriter(self._conn, hook)
        except BaseException:
            self.abort()
            raise
        self.vectors = PgVectors(self._conn, hook)
        self.lexical = PgLexical(self._conn, hook)
        self.sentences = PgSentences(self._conn, hook)

    def commit(self) -> None:
        """Finish the generation (HNSW graph, corpus version) and COMMIT it."""
        self.catalog.flush()
        problems = consistency_problems(self._conn)
        if problems:
            raise FollowupError("Refusing to commit an inconsistent index: " + "; ".join(problems))
        self.sentences.keep_only(generation_keys(self.catalog.chunks(), self.catalog.articles()))
        self._hook("switch")
        dimension = self.vectors.dimension or self._stored_dimension()
        if dimension:
            ensure_vector_index(self._conn.raw, dimension)
        version = self.catalog.corpus_version
        generation = self._conn.value(
            "UPDATE index_state SET generation = generation + 1, corpus_version = %s, "
            "built_at = %s RETURNING generation",
            (version, utc_now()),
        )
        self._conn.commit()
        self._close()
        self._on_commit(int(generation))

    def _lock(self, opened: int) -> None:
        """Take the one writer's lock (or refuse), on the generation the caller opened."""
        where = self._conn.where
        if not self._conn.value("SELECT pg_try_advisory_xact_lock(%s)", (INDEX_WRITER_LOCK,)):
            raise FollowupError(
                f"Another ingest is writing the index at {where}; try again when it ends"
            )
        now = int(self._conn.value("SELECT generation FROM index_state"))
        if now != opened:
            raise FollowupError(
                f"The index at {where} changed since it was opened (another ingest); "
                "open it again and retry"
            )

    def _stored_dimension(self) -> int | None:
        found = self._conn.value("SELECT vector_dims(embedding) FROM index_vectors LIMIT 1")
        return None if found is None else int(found)

    def abort(self) -> None:
        """Roll everything back; the serving generation is untouched."""
        if self._open:
            self._conn.rollback()
            self._close()

    def _close(self) -> None:
        self._open = False
        self._conn.close()

    def __enter__(self) -> PgTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abort()


class PostgresIndex:
    """The serving generation of a PostgreSQL index (readers autocommit: newest commit wins)."""

    def __init__(self, url: str, *, create: bool = False) -> None:
        self._url = url
        self._conn = PgConnection(url, autocommit=True)
        self.where = self._conn.where
        self._prepare(create)
        self._opened = self.generation  # a writer must start from this generation
        serving = PgServing(self._conn)
        self.catalog = PgCatalog(serving)
        self.vectors = PgVectors(self._conn)
        self.lexical = PgServedLexical(serving)
        self.sentences = PgSentences(self._conn)

    def _prepare(self, create: bool) -> None:
        if create or applied(self._conn.raw):
            # An existing schema is brought up to date too: new code, old database.
            migrate(self._conn.raw, self.where)
        if not create and self.generation == 0:
            self._conn.close()
            raise PgIndexNotReadyError(self.where)

    @property
    def generation(self) -> int:
        """How many ingests have committed (0: never built)."""
        if not applied(self._conn.raw):
            return 0
        return int(self._conn.value("SELECT generation FROM index_state") or 0)

    def begin(self, hook: WriteHook = no_hook) -> PgTransaction:
        return PgTransaction(self._url, hook, self._opened, self._committed)

    def _committed(self, generation: int) -> None:
        """This process committed ``generation``: it may write the next one, readers reload."""
        self._opened = generation
        self.catalog.invalidate()

    def problems(self) -> list[str]:
        """Ways catalog, vectors and lexical disagree in the serving generation."""
        return consistency_problems(self._conn)

    def size_bytes(self) -> int:
        """Disk used by the index's tables and their indexes (for benchmarks)."""
        tables = ["index_documents", "index_chunks", "index_vectors", "index_lexical"]
        tables += ["index_postings", "index_sentences"]
        return int(
            self._conn.value(
                "SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) AS t",
                (tables,),
            )
        )

    def close(self) -> None:
        self._conn.close()


_CHECKS: list[tuple[str, str]] = [
    (
        "chunks without a vector of their current text",
        "SELECT count(*) FROM index_chunks c LEFT JOIN index_vectors v ON v.chunk_id = c.id "
        "WHERE v.chunk_id IS NULL OR v.content_hash <> c.content_hash",
    ),
    (
        "vectors of chunks not in the catalog",
        "SELECT count(*) FROM index_vectors v LEFT JOIN index_chunks c ON c.id = v.chunk_id "
        "WHERE c.id IS NULL",
    ),
    (
        "catalog chunks missing from the lexical index",
        "SELECT count(*) FROM index_chunks c LEFT JOIN index_lexical l ON l.chunk_id = c.id "
        "WHERE l.chunk_id IS NULL",
    ),
    (
        "lexical entries of chunks not in the catalog",
        "SELECT count(*) FROM index_lexical l LEFT JOIN index_chunks c ON c.id = l.chunk_id "
        "WHERE c.id IS NULL",
    ),
    (
        "indexed documents that are not approved",
        "SELECT count(*) FROM index_documents WHERE document->>'status' <> %s",
    ),
]


def consistency_problems(conn: PgConnection) -> list[str]:
    """What disagrees between catalog, vectors and lexical, as seen on ``conn`` ([] = none)."""
    found = []
    for what, sql in _CHECKS:
        count = int(conn.value(sql, (APPROVED,) if "%s" in sql else ()))
        if count:
            found.append(f"{count} {what}")
    return found


def open_postgres_index(url: str, *, create: bool = False) -> PostgresIndex:
    """The PostgreSQL index at ``url``; ``create`` makes (or upgrades) its tables."""
    if not is_postgres_url(url):
        raise ConfigError(f"FOLLOWUP_INDEX__URL must start with postgresql:// (got {redact(url)})")
    return PostgresIndex(url, create=create)


def schema_version() -> int:
    """The newest migration this code knows."""
    return max(v for v, _, _ in MIGRATIONS)
