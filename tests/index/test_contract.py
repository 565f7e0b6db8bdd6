"""Contract of the index seam (assistant/index/base.py): every backend passes these."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import FollowupError, IndexNotReadyError
from assistant.index.base import Index, IndexTransaction
from assistant.index.sentences import quotable_sentences, sentence_key
from assistant.models import APPROVED, Chunk, Document
from tests.support.embedders import HashEmbedder
from tests.support.indexes import OpenIndex

EMBED = HashEmbedder()


def document(doc_id: str, kind: str = "article") -> Document:
    return Document(
        id=doc_id, title=f"Title {doc_id}", text="x", kind=kind, status=APPROVED, origin="f.md"
    )


def chunks(doc_id: str, *texts: str) -> list[Chunk]:
    return [
        Chunk(f"{doc_id}::{i}", doc_id, i, f"Title {doc_id}", "", text, ())
        for i, text in enumerate(texts)
    ]


def write(tx: IndexTransaction, doc: Document, parts: list[Chunk]) -> None:
    """What ingest does for one document: catalog, missing vectors and sentence groups, then
    lexical."""
    tx.catalog.put(doc, f"hash-{doc.id}-{len(parts)}", parts)
    need = tx.vectors.missing(parts)
    if need:
        tx.vectors.upsert(need, EMBED.embed([c.embedding_text for c in need]))
    texts = {sentence_key(c): quotable_sentences(c.text) for c in parts}
    tx.sentences.put({k: EMBED.embed(texts[k]) for k in tx.sentences.missing(texts)})
    gone = [cid for cid in tx.vectors.hashes() if tx.catalog.chunk(cid) is None]
    tx.vectors.delete(gone)
    tx.lexical.replace((c.id, c.embedding_text) for c in tx.catalog.chunks())


def seeded(open_index: OpenIndex) -> Index:
    """An index holding one article (2 chunks) and one source (1 chunk)."""
    index = open_index(create=True)
    with index.begin() as tx:
        write(tx, document("art"), chunks("art", "mebendazole 100 mg twice daily", "rest"))
        write(tx, document("src", "source"), chunks("src", "albendazole 400 mg once"))
        tx.commit()
    index.close()
    return open_index()


def test_a_reader_of_an_empty_folder_is_told_to_ingest(index_backend: OpenIndex) -> None:
    with pytest.raises(IndexNotReadyError, match="followup ingest"):
        index_backend()
    empty = index_backend(create=True)
    assert empty.catalog.documents() == [] and empty.vectors.count() == 0
    assert empty.lexical.count() == 0 and empty.problems() == []


def test_committed_generation_is_read_back_whole(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    catalog = index.catalog
    assert [d.id for d in catalog.articles()] == ["art"]
    assert catalog.article("src") is None and catalog.document("src") is not None
    assert [c.id for c in catalog.doc_chunks("art")] == ["art::0", "art::1"]
    chunk = catalog.chunk("art::0")
    assert chunk is not None and chunk.text.startswith("mebendazole")
    assert catalog.doc_hash("art") == "hash-art-2"
    assert index.vectors.count() == 3 == index.lexical.count()
    assert index.vectors.hashes()["src::0"] == catalog.doc_chunks("src")[0].content_hash
    query = EMBED.embed([chunk.embedding_text])[0]
    (best, cosine), *_ = index.vectors.search(query, 2)
    assert best == "art::0" and cosine == pytest.approx(1.0, abs=1e-4)
    assert np.allclose(index.vectors.vectors(["art::0", "nope"])["art::0"], query, atol=1e-5)
    assert [cid for cid, _ in index.lexical.search("albendazole", 5)] == ["src::0"]
    assert index.lexical.knows("mebendazole") and not index.lexical.knows("ivermectin")
    assert index.problems() == []
    assert len(catalog.corpus_version) == 16


def test_nothing_written_before_commit_is_seen(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    version = index.catalog.corpus_version
    with index.begin() as tx:
        # The same chunk id with new text (an edit), a removal and a new document.
        write(tx, document("art"), chunks("art", "mebendazole 900 mg", "rest"))
        tx.catalog.remove("src")
        write(tx, document("new"), chunks("new", "ivermectin 200 mcg/kg"))
        old_vector = EMBED.embed([index.catalog.doc_chunks("art")[0].embedding_text])[0]
        # The serving generation still reads its own vector for the reused chunk id.
        assert np.allclose(index.vectors.vectors(["art::0"])["art::0"], old_vector, atol=1e-5)
        # Leaving the block without commit() aborts.
    reopened = index_backend()
    assert reopened.catalog.corpus_version == version
    assert reopened.catalog.document("new") is None and reopened.catalog.document("src")
    assert np.allclose(reopened.vectors.vectors(["art::0"])["art::0"], old_vector, atol=1e-5)
    assert not reopened.lexical.knows("ivermectin")
    assert reopened.problems() == []


def test_commit_switches_every_part_at_once(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    with index.begin() as tx:
        write(tx, document("art"), chunks("art", "mebendazole 900 mg"))
        tx.catalog.remove("src")
        write(tx, document("new"), chunks("new", "ivermectin 200 mcg/kg"))
        tx.commit()
    after = index_backend()
    assert {d.id for d in after.catalog.documents()} == {"art", "new"}
    assert after.vectors.count() == 2 == after.lexical.count()
    assert after.lexical.knows("ivermectin") and not after.lexical.knows("albendazole")
    new_text = EMBED.embed(["Title art\nmebendazole 900 mg"])[0]
    assert np.allclose(after.vectors.vectors(["art::0"])["art::0"], new_text, atol=1e-5)
    assert after.problems() == []


def test_a_stored_vector_is_reused_by_content_hash(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    with index.begin() as tx:
        same = chunks("art", "mebendazole 100 mg twice daily", "rest")
        assert tx.vectors.missing(same) == []
        edited = chunks("art", "mebendazole 100 mg twice daily", "changed")
        assert [c.id for c in tx.vectors.missing(edited)] == ["art::1"]


def test_passages_repeated_word_for_word_are_written_in_one_batch(
    index_backend: OpenIndex,
) -> None:
    index = index_backend(create=True)
    repeated = chunks("dup", "mebendazole 100 mg twice daily", "mebendazole 100 mg twice daily")
    assert repeated[0].content_hash == repeated[1].content_hash
    with index.begin() as tx:
        write(tx, document("dup"), repeated)
        tx.commit()
    after = index_backend()
    assert set(after.vectors.hashes()) == {"dup::0", "dup::1"}
    query = EMBED.embed([repeated[0].embedding_text])[0]
    assert {cid for cid, _ in after.vectors.search(query, 2)} == {"dup::0", "dup::1"}
    assert after.problems() == []


def test_the_corpus_version_follows_every_committed_change(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    before = index.catalog.corpus_version
    with index.begin() as tx:
        write(tx, document("new"), chunks("new", "ivermectin 200 mcg/kg"))
        tx.commit()
    added = index_backend().catalog.corpus_version
    with index_backend().begin() as tx:
        tx.catalog.remove("new")
        tx.vectors.delete(["new::0"])
        tx.lexical.replace((c.id, c.embedding_text) for c in tx.catalog.chunks())
        tx.commit()
    assert added != before and index_backend().catalog.corpus_version == before


def test_commit_refuses_parts_that_disagree(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    version = index.catalog.corpus_version
    with index.begin() as tx:
        tx.catalog.put(document("new"), "h", chunks("new", "no vector, no lexical entry"))
        with pytest.raises(FollowupError, match="inconsistent"):
            tx.commit()
    assert index_backend().catalog.corpus_version == version


def test_one_writer_at_a_time(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    other = index_backend(create=True)
    with index.begin() as tx:
        with pytest.raises(FollowupError, match="Another ingest"):
            other.begin()
        write(tx, document("new"), chunks("new", "ivermectin"))
        tx.commit()
    with pytest.raises(FollowupError, match="changed since"):
        other.begin()  # it was opened on the generation the commit replaced


LONG = "Mebendazole 100 mg is taken twice daily for three days. Repeat the course after two weeks."


def test_sentence_groups_are_stored_once_and_read_back(index_backend: OpenIndex) -> None:
    index = index_backend(create=True)
    parts = chunks("art", LONG, "too short")
    with index.begin() as tx:
        write(tx, document("art"), parts)
        tx.commit()
    reader = index_backend()
    keys = [sentence_key(c) for c in parts]
    got = reader.sentences.get([*keys, "unknown"])
    assert set(got) == set(keys) and reader.sentences.count() == 2
    # Rows follow the passage's quotable sentences, as the answerer reads them.
    expected = EMBED.embed(quotable_sentences(LONG))
    assert got[keys[0]].shape == (2, 384) and np.allclose(got[keys[0]], expected, atol=1e-6)
    assert got[keys[1]].shape[0] == 0  # a passage with nothing quotable is stored as done
    with reader.begin() as tx:
        assert tx.sentences.missing([keys[1], "new", keys[0]]) == ["new"]


def test_groups_no_generation_uses_are_dropped_at_commit(index_backend: OpenIndex) -> None:
    index = seeded(index_backend)
    kept = sentence_key(index.catalog.doc_chunks("src")[0])
    with index.begin() as tx:
        tx.sentences.put({"orphan": EMBED.embed(["an orphaned sentence of nothing indexed"])})
        tx.catalog.remove("art")
        write(tx, document("new"), chunks("new", LONG))
        tx.commit()
    newest = index_backend()
    with newest.begin() as tx:
        write(tx, document("new"), chunks("new", LONG))
        tx.commit()  # a second commit: the generation that still used "art" is gone too
    after = index_backend()
    assert "orphan" not in after.sentences.get(["orphan", kept])
    assert kept in after.sentences.get([kept])
    assert after.sentences.count() == 2  # "src" and "new": nothing else survives
