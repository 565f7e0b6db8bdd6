"""Small text helpers shared by the generators and the citation checks."""

from __future__ import annotations

import re

from assistant.ingest.articles import CITATION_MARK

_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_SPACES = re.compile(r"[ \t]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "should",
        "than",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "after",
        "before",
        "during",
        "into",
        "over",
        "under",
        "patient",
        "patients",
        "not",
        "no",
    ]
)


def strip_markup(text: str) -> str:
    """Plain text of a passage: no bullets, emphasis or the article's own citation marks."""
    lines = []
    for line in text.splitlines():
        line = _BULLET.sub("", line)
        line = CITATION_MARK.sub("", _EMPHASIS.sub("", line))
        line = _SPACES.sub(" ", line).strip()
        line = re.sub(r"\s+([.,;:])", r"\1", line)
        if line and not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; each line (bullet) is split on its own."""
    sentences: list[str] = []
    for line in strip_markup(text).splitlines():
        sentences.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return sentences


def content_words(text: str) -> set[str]:
    """Lower-cased words and numbers that carry meaning (no stopwords)."""
    return {
        w
        for w in _WORD.findall(text.lower())
        if w not in STOPWORDS and (len(w) > 2 or w[0].isdigit())
    }


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_BRITISH = ((r"ae", "e"), (r"oe", "e"), (r"our\b", "or"), (r"is(e|ed|ing|ation)\b", r"iz\1"))


def spelling_variants(word: str) -> list[str]:
    """American spellings of a British word ("paediatric" -> "pediatric"); may be empty."""
    variants = []
    lowered = word.lower()
    for pattern, replacement in _BRITISH:
        changed = re.sub(pattern, replacement, lowered)
        if changed != lowered:
            variants.append(changed)
    return variants
