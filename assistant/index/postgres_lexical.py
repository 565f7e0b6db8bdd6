"""BM25 computed in PostgreSQL over postings written with the embedded index's own tokenizer.

Texts are tokenized in Python exactly as the bm25s index does (numbers like 4.5 and 50 kept
whole, English stopwords dropped, Snowball stems), and each chunk's term frequencies are stored
as postings. A query sums, over its terms, the same Lucene-variant BM25 that bm25s computes
(k1 = 1.5, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))), with N, df and the average
length taken live from the tables, so both backends rank alike. PostgreSQL's own full-text
search was not used: its parser splits "1-5" into "1" and "-5" and its ts_rank is not BM25,
which would make the fused ranking differ from the embedded backend's.

``replace`` is incremental: only chunks whose text changed are re-tokenized and rewritten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.index.base import WriteHook
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.models import sha256_text

# bm25s defaults (method "lucene").
K1 = 1.5
B = 0.75

_SEARCH = """
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


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """The bm25s index's tokens of each text (see :mod:`assistant.index.lexical`)."""
    import bm25s
    import Stemmer

    from assistant.index.lexical import TOKEN_PATTERN

    tokens = bm25s.tokenize(
        list(texts),
        token_pattern=TOKEN_PATTERN,
        stopwords="en",
        stemmer=Stemmer.Stemmer("english").stemWords,
        return_ids=False,
        show_progress=False,
    )
    return [list(t) for t in tokens]


class PgLexical:
    """The :class:`~assistant.index.base.LexicalIndex` of one connection (reader or ingest)."""

    def __init__(self, conn: PgConnection, hook: WriteHook | None = None) -> None:
        self._conn = conn
        self._hook = hook or read_only

    def count(self) -> int:
        return int(self._conn.value("SELECT count(*) FROM index_lexical"))

    def replace(self, items: Iterable[tuple[str, str]]) -> None:
        """Index exactly these (chunk id, text) pairs; unchanged texts are left as they are."""
        self._hook("lexical.write")
        stored = dict(self._conn.rows("SELECT chunk_id, text_hash FROM index_lexical"))
        wanted = {cid: text for cid, text in items}
        hashes = {cid: sha256_text(text) for cid, text in wanted.items()}
        changed = [cid for cid in wanted if stored.get(cid) != hashes[cid]]
        gone = [cid for cid in stored if cid not in wanted or cid in changed]
        if gone:
            # Postings go with their chunk (ON DELETE CASCADE).
            self._conn.execute("DELETE FROM index_lexical WHERE chunk_id = ANY(%s)", (gone,))
        self._insert(changed, [wanted[c] for c in changed], [hashes[c] for c in changed])
        self._conn.execute(
            "UPDATE index_state SET (lexical_docs, lexical_length) = "
            "(SELECT count(*), coalesce(sum(length), 0) FROM index_lexical)"
        )

    def _insert(self, ids: list[str], texts: list[str], hashes: list[str]) -> None:
        if not ids:
            return
        keys = [
            row[0]
            for row in self._conn.rows(
                "SELECT nextval(pg_get_serial_sequence('index_lexical', 'key')) "
                "FROM generate_series(1, %s)",
                (len(ids),),
            )
        ]
        docs: list[tuple[int, str, str, int]] = []
        postings: list[tuple[str, int, int, int]] = []
        for key, cid, text_hash, tokens in zip(keys, ids, hashes, tokenize(texts), strict=True):
            docs.append((key, cid, text_hash, len(tokens)))
            postings.extend((term, key, tf, len(tokens)) for term, tf in Counter(tokens).items())
        self._conn.copy_rows("index_lexical", ("key", "chunk_id", "text_hash", "length"), docs)
        self._conn.copy_rows("index_postings", ("term", "key", "tf", "length"), postings)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) pairs with a positive score."""
        counts = Counter(tokenize([query])[0])
        if not counts:
            return []
        # N and the average length come from index_state inside the query: one round trip.
        params = {
            "terms": list(counts),
            "counts": list(counts.values()),
            "k1": K1,
            "b": B,
            "k": k,
        }
        rows = self._conn.rows(_SEARCH, params)
        return [(cid, float(score)) for cid, score in rows if score > 0]

    def knows(self, word: str) -> bool:
        """Whether every token of ``word`` (after stemming) occurs in some indexed chunk."""
        tokens = set(tokenize([word])[0])
        if not tokens:
            return False
        found = self._conn.value(
            "SELECT count(*) FROM unnest(%s::text[]) AS t (term) WHERE EXISTS "
            "(SELECT 1 FROM index_postings p WHERE p.term = t.term)",
            (list(tokens),),
        )
        return int(found) == len(tokens)
