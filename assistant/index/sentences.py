"""What ingest embeds besides passages: their quotable sentences and the articles' questions.

The extractive answerer ranks a passage's sentences and related-question suggestions compare
the question with the approved articles' questions; both need vectors, and embedding them on
every request was most of an answer's time. Ingest embeds them once and stores them as
*groups*: one (n, dim) matrix per key, where the key of a passage is its content hash (its
quotable sentences, in order) and the key of an article is a hash of its questions. A group
is written once per key and never changed (same key, same texts), as vectors are.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.language.sentences import split_sentences
from assistant.models import APPROVED, Chunk, Document, sha256_text

# Part of every key: a change to what counts as a quotable sentence re-embeds every group.
VERSION = "s2"
MIN_WORDS = 5
# A sentence that leans on the one before it for its subject.
_LOST_SUBJECT = re.compile(
    r"^(?:It|Its|They|Their|He|She|His|Her)\b|^(?:This|These|Those|That|Such)\s+(?:is|are|was|"
    r"were|has|have|had|may|might|can|could|should|suggests?|shows?|means?|includes?|"
    r"describes?|summari[sz]es?|reports?|found|finds|remains?)\b"
)


def quotable(sentence: str) -> bool:
    """Whether a sentence can be quoted on its own.

    A chunk may start mid-sentence where the splitter cut (a lowercase start); a sentence
    whose subject is a bare pronoun no longer says what it is about out of its passage.
    """
    if len(sentence.split()) < MIN_WORDS or sentence[0].islower():
        return False
    return not _LOST_SUBJECT.match(sentence)


def quotable_sentences(text: str) -> list[str]:
    """The quotable sentences of a passage's text, in order (duplicates kept)."""
    return [s for s in split_sentences(text) if quotable(s)]


def sentence_key(chunk: Chunk) -> str:
    """The group key of a passage's sentence vectors."""
    return f"{VERSION}:{chunk.content_hash}"


def article_questions(doc: Document) -> list[str]:
    """The questions an approved article states it answers or relates to, whitespace-folded."""
    if not doc.is_article or doc.status != APPROVED:
        return []
    raw = [doc.metadata.get("question"), *doc.metadata.get("related_questions", [])]
    return [" ".join(q.split()) for q in raw if isinstance(q, str) and q.strip()]


def question_key(questions: list[str]) -> str:
    """The group key of an article's question vectors."""
    return f"q{VERSION}:{sha256_text(*questions)}"


def group_keys(chunks: list[Chunk], articles: list[Document]) -> dict[str, list[str]]:
    """Every group an index generation needs: key -> the texts it embeds."""
    groups = {sentence_key(c): quotable_sentences(c.text) for c in chunks}
    for doc in articles:
        questions = article_questions(doc)
        if questions:
            groups[question_key(questions)] = questions
    return groups


def to_blob(vectors: np.ndarray) -> bytes:
    """A group's matrix as bytes (float32, row-major)."""
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def from_blob(blob: bytes, rows: int) -> np.ndarray:
    """A group's matrix from :func:`to_blob`'s bytes."""
    flat = np.frombuffer(blob, dtype=np.float32)
    return flat.reshape(rows, -1) if rows else np.zeros((0, 0), dtype=np.float32)


def generation_keys(chunks: list[Chunk], articles: list[Document]) -> set[str]:
    """The group keys a generation uses (without splitting any text)."""
    keys = {sentence_key(c) for c in chunks}
    for doc in articles:
        questions = article_questions(doc)
        if questions:
            keys.add(question_key(questions))
    return keys
