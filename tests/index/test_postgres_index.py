"""The PostgreSQL index backend against a real PostgreSQL 16 + pgvector server (pgserver wheel).

What only this backend has to prove: BM25 over the postings stored in PostgreSQL ranks and
scores exactly as bm25s does, and a search reads no postings from the database (each reader
holds the serving generation's in memory, reloaded when another ingest commits); an ingest is
one transaction (invisible until COMMIT, gone after an abort, a failure or a killed process);
one writer at a time; the HNSW graph is built and used, in every schema of one database; a
database without pgvector is refused with what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import psycopg
import pytest

from assistant.errors import ConfigError, FollowupError, IndexNotReadyError
from assistant.index.lexical import Bm25Index
from assistant.index.postgres import PostgresIndex, open_postgres_index
from assistant.models import Chunk, Document
from tests.support.indexes import sample, unit_vectors
from tests.support.pg_index import require_pgserver

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
QUERIES = [
    "naltrexone 4.5 mg fibromyalgia",
    "At what dose does naltrexone block opioids fully? 50 mg",
    "dose dose dose of LDN",  # a repeated term counts as often as bm25s counts it
    "cefuroxime penicillin allergy renal impairment",
    "CPAP versus high-flow nasal oxygen",
    "zzzzqx",  # nothing matches
]


def ingest(index: PostgresIndex, docs: list[Document], chunks: dict[str, list[Chunk]]) -> None:
    """Write ``docs`` as one generation (vectors are random: mechanics, not relevance)."""
    every = [c for d in docs for c in chunks[d.id]]
    with index.begin() as tx:
        for doc in docs:
            tx.catalog.put(doc, doc.content_hash, chunks[doc.id])
        tx.vectors.upsert(every, unit_vectors(len(every)))
        tx.lexical.replace((c.id, c.embedding_text) for c in every)
        tx.commit()


@pytest.fixture
def index(pg_index_url: str) -> PostgresIndex:
    opened = open_postgres_index(pg_index_url, create=True)
    yield opened
    opened.close()


def test_bm25_ranks_and_scores_as_bm25s(index: PostgresIndex) -> None:
    docs, chunks = sample()
    ingest(index, docs, chunks)
    every = [c for d in docs for c in chunks[d.id]]
    reference = Bm25Index.build([c.id for c in every], [c.embedding_text for c in every])
    for query in QUERIES:
        expected, got = reference.search(query, 20), index.lexical.search(query, 20)
        assert [cid for cid, _ in got] == [cid for cid, _ in expected], query
        assert np.allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5), query
    assert index.lexical.knows("naltrexone") and index.lexical.knows("Naltrexone's")
    assert not index.lexical.knows("zzzzqx")


def test_a_search_reads_no_postings_from_postgresql(
    index: PostgresIndex, pg_index_url: str
) -> None:
    docs, chunks = sample()
    ingest(index, docs, chunks)
    expected = {q: index.lexical.search(q, 20) for q in QUERIES}  # loads the generation
    answered: dict[str, list[tuple[str, float]]] = {}

    def search_all() -> None:
        answered.update({q: index.lexical.search(q, 20) for q in QUERIES})

    with psycopg.connect(pg_index_url) as other:
        # Until this transaction ends nobody can read the lexical tables.
        other.execute("LOCK TABLE index_postings, index_lexical IN ACCESS EXCLUSIVE MODE")
        searches = threading.Thread(target=search_all, daemon=True)
        searches.start()
        searches.join(timeout=10)
        finished = not searches.is_alive()
        other.rollback()  # frees a search that did wait for the tables, so the test ends
    searches.join(timeout=30)
    assert finished, "a lexical search waited for the postings table"
    assert answered == expected


def test_numbers_survive_tokenisation(index: PostgresIndex) -> None:
    docs, chunks = sample()
    ingest(index, docs, chunks)
    hits = index.lexical.search("4.5", 5)
    assert hits, "a dose like 4.5 must be searchable as one token"
    for cid, _ in hits:
        chunk = index.catalog.chunk(cid)
        assert chunk is not None and "4.5" in chunk.embedding_text


def test_ingest_is_invisible_until_commit_and_gone_after_abort(index: PostgresIndex) -> None:
    docs, chunks = sample()
    ingest(index, docs[:3], chunks)
    before = (index.catalog.corpus_version, index.vectors.count(), index.lexical.count())
    tx = index.begin()
    tx.catalog.put(docs[5], docs[5].content_hash, chunks[docs[5].id])
    tx.vectors.upsert(chunks[docs[5].id], unit_vectors(len(chunks[docs[5].id]), seed=1))
    tx.lexical.replace((c.id, c.embedding_text) for d in docs[:6] for c in chunks[d.id])
    assert tx.catalog.document(docs[5].id) is not None  # the writer sees its own writes
    assert index.catalog.document(docs[5].id) is None  # readers do not
    assert (index.catalog.corpus_version, index.vectors.count(), index.lexical.count()) == before
    tx.abort()
    assert (index.catalog.corpus_version, index.vectors.count(), index.lexical.count()) == before
    assert index.problems() == []


def test_another_servers_ingest_is_seen_within_a_second(
    index: PostgresIndex,
    pg_index_url: str,
) -> None:
    docs, chunks = sample()
    ingest(index, docs[:2], chunks)
    other = open_postgres_index(pg_index_url)  # another app server on the same database
    assert len(other.catalog.documents()) == 2
    assert other.lexical.count() == sum(len(chunks[d.id]) for d in docs[:2])
    ingest(index, docs[:5], chunks)
    time.sleep(1.1)
    assert len(other.catalog.documents()) == 5
    assert other.catalog.corpus_version == index.catalog.corpus_version
    # Its in-memory BM25 is the new generation's too.
    assert other.lexical.count() == sum(len(chunks[d.id]) for d in docs[:5])
    assert other.lexical.search("naltrexone", 50) == index.lexical.search("naltrexone", 50)
    other.close()


def test_a_reader_loading_a_new_generation_does_not_hold_up_the_others(
    index: PostgresIndex, pg_index_url: str
) -> None:
    docs, chunks = sample()
    ingest(index, docs[:2], chunks)
    reader = open_postgres_index(pg_index_url)  # another app server
    first = reader.lexical.count()
    ingest(index, docs[:5], chunks)
    with psycopg.connect(pg_index_url) as blocker:
        # The new generation's postings cannot be read until this transaction ends.
        blocker.execute("LOCK TABLE index_postings IN ACCESS EXCLUSIVE MODE")
        reader.catalog.invalidate()
        loading = threading.Thread(target=reader.catalog.documents, daemon=True)
        loading.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _waiting_for_a_lock(pg_index_url):
            time.sleep(0.05)
        time.sleep(1.1)  # past the reader's refresh interval: the others check again too
        # Meanwhile every other request answers from the generation it had.
        seen: list[int] = []
        other = threading.Thread(
            target=lambda: seen.extend([reader.lexical.count(), len(reader.catalog.documents())]),
            daemon=True,
        )
        other.start()
        other.join(timeout=2)
        answered = not other.is_alive()
        blocker.rollback()  # lets the load finish (and a request that waited for it)
    loading.join(timeout=30)
    assert answered, "a request waited for another thread's load of the new generation"
    assert seen == [first, 2]
    assert len(reader.catalog.documents()) == 5 and reader.lexical.count() > first
    reader.close()


def _waiting_for_a_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def test_a_failing_write_step_leaves_the_serving_generation(index: PostgresIndex) -> None:
    docs, chunks = sample()
    ingest(index, docs[:3], chunks)
    version, generation = index.catalog.corpus_version, index.generation

    def fail_at_switch(step: str) -> None:
        if step == "switch":
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError), index.begin(fail_at_switch) as tx:
        tx.catalog.remove(docs[0].id)
        tx.vectors.delete([c.id for c in chunks[docs[0].id]])
        tx.lexical.replace((c.id, c.embedding_text) for d in docs[1:3] for c in chunks[d.id])
        tx.commit()
    assert (index.catalog.corpus_version, index.generation) == (version, generation)
    assert index.catalog.document(docs[0].id) == docs[0]
    ingest(index, docs[:4], chunks)  # the writer lock was released
    assert index.generation == generation + 1


def test_an_inconsistent_generation_is_refused_at_commit(index: PostgresIndex) -> None:
    docs, chunks = sample()
    with index.begin() as tx:
        tx.catalog.put(docs[0], docs[0].content_hash, chunks[docs[0].id])
        with pytest.raises(FollowupError, match="inconsistent"):
            tx.commit()  # no vectors and no lexical entries for the chunks


KILLED_INGEST = """
import os, signal, sys
from tests.support.indexes import sample, unit_vectors
from assistant.index.postgres import open_postgres_index

index = open_postgres_index(sys.argv[1])
docs, chunks = sample()

def die(step):
    if step == "switch":
        os.kill(os.getpid(), signal.SIGKILL)  # no rollback, no cleanup: a real crash

with index.begin(die) as tx:
    every = [c for d in docs for c in chunks[d.id]]
    for doc in docs:
        tx.catalog.put(doc, doc.content_hash, chunks[doc.id])
    tx.vectors.upsert(every, unit_vectors(len(every)))
    tx.lexical.replace((c.id, c.embedding_text) for c in every)
    tx.commit()
"""


def test_a_killed_ingest_changes_nothing(index: PostgresIndex, pg_index_url: str) -> None:
    docs, chunks = sample()
    ingest(index, docs[:2], chunks)
    version = index.catalog.corpus_version
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, pg_index_url], env=env, cwd=REPO, timeout=120
    )
    assert run.returncode == -9
    assert index.catalog.corpus_version == version
    assert len(index.catalog.documents()) == 2 and index.problems() == []
    ingest(index, docs, chunks)  # the dead writer's lock went with its connection
    assert len(index.catalog.documents()) == len(docs)


def test_one_writer_at_a_time_across_connections(index: PostgresIndex, pg_index_url: str) -> None:
    other = open_postgres_index(pg_index_url, create=True)  # another machine, same database
    first = index.begin()
    with pytest.raises(FollowupError, match="Another ingest"):
        other.begin()
    first.abort()
    other.begin().abort()  # the lock went with the first transaction
    other.close()


def test_vectors_are_reused_by_content_hash(index: PostgresIndex) -> None:
    docs, chunks = sample()
    ingest(index, docs[:2], chunks)
    stored = index.vectors.vectors([c.id for c in chunks[docs[0].id]])
    renumbered = [
        Chunk(f"{c.id}-moved", c.doc_id, c.ordinal, c.title, c.heading, c.text, c.reference_ids)
        for c in chunks[docs[0].id]
    ]
    edited = Chunk("new-text", docs[0].id, 99, "T", "", "An entirely new passage.", ())
    with index.begin() as tx:
        assert tx.vectors.missing([*chunks[docs[0].id], *renumbered, edited]) == [edited]
        moved = tx.vectors.vectors([c.id for c in renumbered])
        tx.abort()
    for old, new in zip(chunks[docs[0].id], renumbered, strict=True):
        assert np.allclose(moved[new.id], stored[old.id])


def test_hnsw_cosine_index_is_built_and_used(index: PostgresIndex, pg_index_url: str) -> None:
    docs, chunks = sample()
    ingest(index, docs, chunks)
    every = [c for d in docs for c in chunks[d.id]]
    probe = index.vectors.vectors([every[7].id])[every[7].id]
    assert index.vectors.search(probe, 3)[0][0] == every[7].id
    with psycopg.connect(pg_index_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            "EXPLAIN SELECT chunk_id FROM index_vectors ORDER BY embedding <=> %s::vector LIMIT 5",
            ("[" + ",".join(["0.05"] * 384) + "]",),
        ).fetchall()
    assert "index_vectors_hnsw" in " ".join(row[0] for row in plan)


@pytest.mark.slow
def test_a_lost_database_is_a_retryable_error_and_the_reader_reconnects(tmp_path: Path) -> None:
    require_pgserver()
    import pgserver

    def start() -> Any:
        server = pgserver.get_server(tmp_path / "pg", cleanup_mode="stop")
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        return server

    server = start()
    index = open_postgres_index(server.get_uri(), create=True)
    docs, chunks = sample()
    ingest(index, docs[:3], chunks)
    probe = unit_vectors(1, seed=3)[0]
    found = index.vectors.search(probe, 3)
    server.cleanup()  # the database goes away under a running reader
    with pytest.raises(IndexNotReadyError, match="try again"):  # 503 to an HTTP client
        index.vectors.search(probe, 3)
    server = start()
    try:
        assert index.vectors.search(probe, 3) == found  # reconnected by itself
    finally:
        index.close()
        server.cleanup()


def test_two_indexes_in_one_database_each_get_their_own_tables_and_graph(
    pgvector_url: str,
) -> None:
    """Staging beside production: the second schema's search path also reaches the first's."""
    names = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(pgvector_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE SCHEMA "{name}"')
    first = _on_path(pgvector_url, names[0])
    second = _on_path(pgvector_url, names[1], names[0])  # finds the first's tables too
    docs, chunks = sample()
    for url in (first, second):
        index = open_postgres_index(url, create=True)
        ingest(index, docs[:3], chunks)
        index.close()
    with psycopg.connect(pgvector_url, autocommit=True) as conn:
        for name in names:
            found = conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                (name, "index_vectors"),
            ).fetchall()
            assert "index_vectors_hnsw" in {row[0] for row in found}, name
            applied = conn.execute(f'SELECT count(*) FROM "{name}".index_migrations').fetchone()
            assert applied is not None and applied[0] >= 2, name


def _on_path(url: str, *schemas: str) -> str:
    options = quote(f"-csearch_path={','.join(schemas)},public")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


def test_an_empty_database_is_not_ready_and_a_bad_url_is_refused(pg_index_url: str) -> None:
    with pytest.raises(IndexNotReadyError, match="followup ingest"):
        open_postgres_index(pg_index_url)
    open_postgres_index(pg_index_url, create=True).close()
    with pytest.raises(IndexNotReadyError):  # tables, but nothing ingested yet
        open_postgres_index(pg_index_url)
    with pytest.raises(ConfigError) as caught:
        open_postgres_index("mysql://admin:hunter2@db/x")
    assert "hunter2" not in str(caught.value)


def test_a_server_without_pgvector_is_refused_with_what_to_do() -> None:
    from tests.support.pg_server import pg_bin, postgres_server

    if pg_bin() is None:
        pytest.skip(
            "Debian PostgreSQL (no pgvector) is not installed: scripts/test-deps/postgres.sh"
        )
    with postgres_server() as url, pytest.raises(FollowupError, match="CREATE EXTENSION vector"):
        open_postgres_index(url, create=True)
