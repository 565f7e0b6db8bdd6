"""Words: tokens with their spans, stopwords, content words, stems and spelling variants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# A word as a reader sees it: letters and digits, with inner hyphens and apostrophes
# ("low-dose", "cord's", "PD-L1"); numbers with a decimal part are one token ("4.5").
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*|[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f]*(?:['’-][\w\u00c0-\u024f]+)*"
)
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")  # lower-case words and decimal numbers
_ALNUM = re.compile(r"[a-z0-9]+")
# Words and hyphenated compounds with their parts ("low-dose", "low", "dose").
_VOCABULARY = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*|(?<=-)[a-z][a-z0-9]+")

STOPWORDS = frozenset(
    """a an and are as at be by can do does for from how i if in is it its me my of on or
    should than that the their there these this to was what when which who why will with
    would you your about after before during into over under patient patients not no""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Token:
    """One word of a text and where it is: ``text[start:end] == token.text``."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokens(text: str) -> list[Token]:
    """The words and numbers of ``text`` with their character spans."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def content_words(text: str) -> set[str]:
    """Lower-cased words and numbers that carry meaning (no stopwords)."""
    return {
        w
        for w in _WORD.findall(text.lower())
        if w not in STOPWORDS and (len(w) > 2 or w[0].isdigit())
    }


def long_words(text: str) -> set[str]:
    """Lower-case words long enough to mean something on their own (and every number)."""
    return {w for w in _ALNUM.findall(text.lower()) if len(w) > 3 or w.isdigit()}


def name_words(text: str) -> list[str]:
    """Lower-case words that can name something, short names too ("NIV"), no stopwords."""
    return [w for w in _ALNUM.findall(text.lower()) if len(w) > 2 and w not in STOPWORDS]


def vocabulary_words(text: str) -> list[str]:
    """Lower-case words and hyphenated compounds with their parts: what a corpus knows."""
    return _VOCABULARY.findall(text.lower())


def jaccard(a: set[str], b: set[str]) -> float:
    """Overlap of two word sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The English stem of one lower-case word ("blocks" and "block" are one word)."""
    return str(_stemmer().stemWord(word))


def stems(text: str) -> set[str]:
    """Stems of a text's :func:`long_words`."""
    return {stem(w) for w in long_words(text)}


@lru_cache(maxsize=4096)
def content_stems(text: str) -> frozenset[str]:
    """Stems of a text's :func:`content_words`: "blocks" and "block" count as one word."""
    return frozenset(_stemmer().stemWords(sorted(content_words(text))))


def name_stems(text: str) -> set[str]:
    """Stems of a text's :func:`name_words`."""
    return {stem(w) for w in name_words(text)}


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
