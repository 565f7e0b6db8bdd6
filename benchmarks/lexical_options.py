"""Lexical search on the PostgreSQL index: the options of issue 25, measured side by side.

    python -m benchmarks.lexical_options --pg-url URL --embedded DIR [--queries 500]

``URL`` is a PostgreSQL index (``benchmarks.index_backends scale`` prints ``pg_index_url``),
``DIR`` the embedded index of the same corpus (its ``index`` folder). For a seeded sample of
the indexed questions, every option ranks the top 30 (the retriever's ``candidates``) and is
compared with the embedded index's bm25s ranking of the same query:

- ``sql_postings``: BM25 summed in SQL over the query terms' postings, document frequencies
  counted per query (what the PostgreSQL backend did before issue 25);
- ``sql_inverted``: the PostgreSQL-native inverted index at its best: document frequencies
  kept in a table and a covering index so that only the query terms' postings are read, by
  index-only scans (both built here, in the benchmark's schema, and dropped afterwards);
- ``memory``: each app server loads the postings once and scores in numpy (what the backend
  does now): the load time and memory it costs, then the query time.

Prints per option p50/p95 ms, the share of queries ranked as bm25s ranks them (the same scores
rank by rank and the same ids, up to the order of equal scores: MedQuAD repeats passages word
for word), the share with the very same id order, and the largest relative score difference;
the SQL options also with JIT compilation off (it is on by default). No option changes what
is stored.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embedded import EmbeddedIndex
from assistant.index.postgres_catalog import load_catalog
from assistant.index.postgres_conn import PgConnection
from assistant.index.postgres_lexical import K1, B, load_postings, tokenize
from benchmarks import publish
from evals.metrics import latency_summary

REPO = Path(__file__).resolve().parent.parent
DEPTH = 30
Search = Callable[[str, int], list[tuple[str, float]]]

# Before issue 25: df counted by a window over every fetched posting, per query.
SQL_POSTINGS = """
WITH q AS (SELECT * FROM unnest(%(terms)s::text[], %(counts)s::int[]) AS q (term, qtf)),
st AS (
    SELECT lexical_docs::float8 AS n, lexical_length::float8 / lexical_docs AS avgdl
    FROM index_state WHERE lexical_docs > 0
),
hits AS (
    SELECT p.key, p.tf, p.length, q.qtf, count(*) OVER (PARTITION BY p.term) AS df
    FROM index_postings p JOIN q ON q.term = p.term
),
top AS (
    SELECT key, sum(
        qtf * ln(1 + (st.n - df + 0.5) / (df + 0.5))
        * tf / (tf + %(k1)s * (1 - %(b)s + %(b)s * length / st.avgdl))
    ) AS score
    FROM hits, st GROUP BY key ORDER BY score DESC, key LIMIT %(k)s
)
SELECT l.chunk_id, top.score FROM top JOIN index_lexical l USING (key)
ORDER BY top.score DESC, top.key
"""
# The native inverted index: idf per term from a table, postings by index-only scan.
SQL_INVERTED = """
WITH q AS (SELECT * FROM unnest(%(terms)s::text[], %(counts)s::int[]) AS q (term, qtf)),
st AS (
    SELECT lexical_docs::float8 AS n, lexical_length::float8 / lexical_docs AS avgdl
    FROM index_state WHERE lexical_docs > 0
),
top AS (
    SELECT p.key, sum(
        q.qtf * t.idf * p.tf / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.length / st.avgdl))
    ) AS score
    FROM q JOIN bench_terms t USING (term) JOIN index_postings p ON p.term = q.term, st
    GROUP BY p.key ORDER BY score DESC, p.key LIMIT %(k)s
)
SELECT l.chunk_id, top.score FROM top JOIN index_lexical l USING (key)
ORDER BY top.score DESC, top.key
"""
INVERTED_DDL = [
    "CREATE TABLE bench_terms AS SELECT term, ln(1 + (s.lexical_docs - count(*) + 0.5) "
    "/ (count(*) + 0.5)) AS idf FROM index_postings, index_state s "
    "GROUP BY term, s.lexical_docs",
    "ALTER TABLE bench_terms ADD PRIMARY KEY (term)",
    "CREATE INDEX bench_postings_covering ON index_postings (term) INCLUDE (key, tf, length)",
    "VACUUM ANALYZE index_postings",
    "ANALYZE bench_terms",
]
INVERTED_DROP = ["DROP INDEX IF EXISTS bench_postings_covering", "DROP TABLE IF EXISTS bench_terms"]


def sql_search(conn: PgConnection, sql: str) -> Search:
    def search(query: str, k: int) -> list[tuple[str, float]]:
        counts = Counter(tokenize([query])[0])
        if not counts:
            return []
        params = {"terms": list(counts), "counts": list(counts.values()), "k1": K1, "b": B, "k": k}
        return [(cid, float(s)) for cid, s in conn.rows(sql, params) if s > 0]

    return search


def timed_ms(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def same_ranking(got: list[tuple[str, float]], expected: list[tuple[str, float]]) -> bool:
    """Whether two rankings agree up to the order of equal scores (MedQuAD repeats passages
    word for word): the same scores, rank by rank, and the same ids above the last score."""
    if len(got) != len(expected):
        return False
    if not np.allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5, atol=0):
        return False
    if not expected:
        return True
    cutoff = expected[-1][1] * (1 + 1e-5)
    return {c for c, s in got if s > cutoff} == {c for c, s in expected if s > cutoff}


def measure(search: Search, reference: dict[str, list[tuple[str, float]]]) -> dict[str, Any]:
    """Query times and agreement with the embedded ranking of every query."""
    times, same, exact, worst = [], 0, 0, 0.0
    for query, expected in reference.items():
        started = time.perf_counter()
        got = search(query, DEPTH)
        times.append((time.perf_counter() - started) * 1000)
        same += same_ranking(got, expected)
        exact += [c for c, _ in got] == [c for c, _ in expected]
        mine = dict(got)
        for cid, score in expected:
            if cid in mine:
                worst = max(worst, abs(mine[cid] - score) / score)
    return {
        **latency_summary({"query": times})["query"],
        "same_ranking_share": same / max(len(reference), 1),
        "same_id_order_share": exact / max(len(reference), 1),
        "max_relative_score_difference": worst,
    }


def inverted_index(conn: PgConnection) -> float:
    """Build the native option's term table and covering index; return the seconds it took."""
    started = time.perf_counter()
    for sql in INVERTED_DDL:
        conn.execute(sql)
    return time.perf_counter() - started


def memory_option(url: str) -> tuple[Search, dict[str, Any]]:
    """Load as an app server does (catalog and postings); the load's cost and the search."""
    conn = PgConnection(url, autocommit=True)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with conn.snapshot():
        _, catalog_ms = timed_ms(lambda: load_catalog(conn))
        bm25, postings_ms = timed_ms(lambda: load_postings(conn))
    conn.close()
    cost = {
        "catalog_load_ms": catalog_ms,
        "postings_load_ms": postings_ms,
        "postings": bm25.postings,
        "postings_mb": bm25.postings * 8 / 2**20,
        "max_rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before)
        / 1024,
    }
    return bm25.search, cost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--embedded", type=Path, required=True, help="embedded index folder")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "lexical.json")
    args = parser.parse_args(argv)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    embedded = EmbeddedIndex.open(args.embedded, "passages")
    pool = sorted(
        {str(d.metadata.get("question") or d.title) for d in embedded.catalog.documents()}
    )
    queries = random.Random(11).sample(pool, min(args.queries, len(pool)))
    reference = {q: embedded.lexical.search(q, DEPTH) for q in queries}
    results: dict[str, Any] = {"uptime_at_start": uptime, "queries": len(queries)}
    results["bm25s_embedded"] = measure(embedded.lexical.search, reference)
    conn = PgConnection(args.pg_url, autocommit=True)
    try:
        results["sql_postings"] = measure(sql_search(conn, SQL_POSTINGS), reference)
        build_s = inverted_index(conn)
        results["sql_inverted"] = {
            "build_s": build_s,
            **measure(sql_search(conn, SQL_INVERTED), reference),
        }
        # Managed PostgreSQL has JIT on by default (as here); its compile time, separately.
        conn.execute("SET jit = off")
        results["sql_postings_jit_off"] = measure(sql_search(conn, SQL_POSTINGS), reference)
        results["sql_inverted_jit_off"] = measure(sql_search(conn, SQL_INVERTED), reference)
    finally:
        for sql in INVERTED_DROP:
            conn.execute(sql)
        conn.close()
    search, cost = memory_option(args.pg_url)
    results["memory"] = {**cost, **measure(search, reference)}
    results["uptime_at_end"] = subprocess.run(
        ["uptime"], capture_output=True, text=True
    ).stdout.strip()
    publish(results, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
