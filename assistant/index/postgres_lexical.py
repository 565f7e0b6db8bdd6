"""BM25 for the PostgreSQL index: postings stored in PostgreSQL, scored in memory.

Texts are tokenized in Python exactly as the bm25s index does (numbers like 4.5 and 50 kept
whole, English stopwords dropped, Snowball stems) and each chunk's term frequencies are stored
as postings (``index_postings``), written inside the ingest's transaction like everything
else: PostgreSQL stays the one source of truth. PostgreSQL's own full-text search is not used:
its parser splits "1-5" into "1" and "-5" and its ts_rank is not BM25.

Scoring is not done in SQL. Summing BM25 over the query terms' postings in SQL read every
posting of every common term per query (263 ms p50 at 50k passages, issue 25); instead each
reader loads the serving generation's postings once (:func:`load_postings`, about a second at
50k passages), keeps one precomputed BM25 weight per posting, and a query adds up only its
own terms' weights in numpy (well under a millisecond). The weights are bm25s's Lucene variant
(k1 = 1.5, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))), so both backends score alike.

``replace`` is incremental: only chunks whose text changed are re-tokenized and rewritten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from assistant.index.base import WriteHook
from assistant.index.postgres_conn import PgConnection, read_only
from assistant.models import sha256_text

# bm25s defaults (method "lucene").
K1 = 1.5
B = 0.75

# One row per term: its postings as (key, tf) pairs of big-endian int4, packed by PostgreSQL
# (a hundred thousand rows to read instead of two million).
_POSTINGS = """
SELECT term, string_agg(int4send(key) || int4send(tf), ''::bytea)
FROM index_postings GROUP BY term
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


class PostingsBm25:
    """BM25 over postings held in memory; a query touches only its own terms' postings.

    Postings are grouped by term (``starts[t]:starts[t + 1]`` slices ``rows`` and
    ``weights``); each weight is the posting's whole BM25 contribution (idf times the
    saturated term frequency), computed once when the postings are loaded.
    """

    def __init__(
        self,
        ids: list[str],
        vocab: dict[str, int],
        starts: np.ndarray,
        rows: np.ndarray,
        weights: np.ndarray,
    ) -> None:
        self._ids = ids
        self._vocab = vocab
        self._starts = starts
        self._rows = rows
        self._weights = weights

    @classmethod
    def empty(cls) -> PostingsBm25:
        return cls([], {}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))

    @classmethod
    def build(
        cls,
        ids: list[str],
        lengths: np.ndarray,
        terms: list[str],
        postings: list[np.ndarray],
    ) -> PostingsBm25:
        """From each term's postings, an (n, 2) array of (row in ``ids``, tf)."""
        if not ids or not terms:
            return cls.empty()
        counts = np.array([len(p) for p in postings], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)])
        stacked = np.concatenate(postings)
        rows, tf = stacked[:, 0], stacked[:, 1].astype(np.float64)
        n = float(len(ids))
        idf = np.log(1 + (n - counts + 0.5) / (counts + 0.5))
        length = lengths.astype(np.float64)[rows] / lengths.mean()
        tfc = tf / (K1 * (1 - B + B * length) + tf)
        weights = (np.repeat(idf, counts) * tfc).astype(np.float32)
        vocab = {term: i for i, term in enumerate(terms)}
        return cls(ids, vocab, starts, rows.astype(np.int32), weights)

    def count(self) -> int:
        return len(self._ids)

    @property
    def postings(self) -> int:
        """Postings held (for benchmarks: memory is about 8 bytes each)."""
        return len(self._rows)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) pairs with a positive score, best first."""
        counts = Counter(t for t in tokenize([query])[0] if t in self._vocab)
        if not counts or k <= 0:
            return []
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for term, qtf in counts.items():
            t = self._vocab[term]
            start, end = self._starts[t], self._starts[t + 1]
            # Rows are unique within a term, so this fancy-indexed add is exact.
            scores[self._rows[start:end]] += qtf * self._weights[start:end]
        hit = np.flatnonzero(scores > 0)
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        # Best first; equal scores in index order (deterministic).
        order = hit[np.lexsort((hit, -scores[hit]))]
        return [(self._ids[i], float(scores[i])) for i in order]

    def knows(self, word: str) -> bool:
        """Whether every token of ``word`` (after stemming) occurs in some indexed chunk."""
        tokens = tokenize([word])[0]
        return bool(tokens) and all(t in self._vocab for t in tokens)


def load_postings(conn: PgConnection) -> PostingsBm25:
    """The lexical index as ``conn`` sees it (call inside a snapshot for one generation)."""
    docs = conn.rows("SELECT key, chunk_id, length FROM index_lexical ORDER BY key")
    if not docs:
        return PostingsBm25.empty()
    keys = np.array([key for key, _, _ in docs], dtype=np.int64)
    lengths = np.array([length for _, _, length in docs], dtype=np.int64)
    terms: list[str] = []
    postings: list[np.ndarray] = []
    for term, packed in conn.rows(_POSTINGS):
        pairs = np.frombuffer(packed, dtype=">i4").reshape(-1, 2).astype(np.int64)
        pairs[:, 0] = np.searchsorted(keys, pairs[:, 0])  # key -> row (keys are sorted)
        terms.append(term)
        postings.append(pairs)
    return PostingsBm25.build([cid for _, cid, _ in docs], lengths, terms, postings)


class PgLexical:
    """The :class:`~assistant.index.base.LexicalIndex` of one ingest's transaction.

    It writes postings; its searches score what the transaction has written so far (loaded
    on first use after each write; readers use the serving generation's copy instead).
    """

    def __init__(self, conn: PgConnection, hook: WriteHook | None = None) -> None:
        self._conn = conn
        self._hook = hook or read_only
        self._loaded: PostingsBm25 | None = None

    def _bm25(self) -> PostingsBm25:
        if self._loaded is None:
            self._loaded = load_postings(self._conn)
        return self._loaded

    def count(self) -> int:
        return int(self._conn.value("SELECT count(*) FROM index_lexical"))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        return self._bm25().search(query, k)

    def knows(self, word: str) -> bool:
        return self._bm25().knows(word)

    def replace(self, items: Iterable[tuple[str, str]]) -> None:
        """Index exactly these (chunk id, text) pairs; unchanged texts are left as they are."""
        self._hook("lexical.write")
        self._loaded = None
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
