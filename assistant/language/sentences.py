"""Sentences and clauses, with their character spans.

A sentence ends at ".", "!" or "?" followed by space and a capital, a digit or an opening
quote or bracket, and at every line end (a bullet is a sentence of its own) - except after
an abbreviation that does not end one ("max. 500 mg", "e.g. 5 mL", "approx. 4 hours",
listed in ``grammar.v1.yaml``). Answers keep their citation markers with the sentence they
close; a marker that opens a line belongs to the sentence it precedes.

Clauses are cut at three depths, each for one reader:

- :func:`clauses`: every join ("; ", ": ", "and", "or", "but", "whereas", "while"), not
  inside "10 and 30" or "30 or more": which numbers a clause states together;
- :func:`parts`: where a sentence's parts stand apart ("; ", ": ", ", and ", "but",
  "whereas", "compared with", "versus", ", not"), with offsets: what a number belongs to;
- :func:`claim_parts`: where a claim joins two claims ("; ", ", and/but/whereas/while/so"),
  each of which may be supported on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language import markers
from assistant.language.grammar import grammar

_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_SPACES = re.compile(r"[ \t]+")
# A candidate sentence end: the mark, the space after it, then what may start a sentence.
_END = re.compile(r"([.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_ANSWER_END = re.compile(r"([.!?\]])\s+(?=[\"'(]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"(?:^|[\s(\[])([A-Za-z][A-Za-z.]*)$")
_MESSAGE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
# Where a streamed sentence ends (text arrives piece by piece; the next one may not be there).
STREAM_END = re.compile(r"[.!?]\s+|\n")


@dataclass(frozen=True)
class Span:
    """A piece of a text and where it is: ``source[start:end] == span.text``."""

    text: str
    start: int
    end: int


def strip_markup(text: str) -> str:
    """Plain text of a passage: no bullets, emphasis, headings or the article's own
    citation markers."""
    lines = []
    for line in text.splitlines():
        line = _BULLET.sub("", line)
        line = markers.BRACKETED.sub("", _EMPHASIS.sub("", line))
        line = _SPACES.sub(" ", line).strip()
        line = re.sub(r"\s+([.,;:])", r"\1", line)
        if line and not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def _abbreviation_before(text: str, end: int) -> bool:
    """Whether the word ending at ``text[end]`` (its full stop) is an abbreviation that does
    not end a sentence ("max.", "e.g.", "approx.")."""
    match = _WORD_BEFORE.search(text, 0, end + 1)
    if match is None:
        return False
    return match.group(1).lower() in grammar().abbreviations


def _cuts(line: str, pattern: re.Pattern[str]) -> list[int]:
    """Offsets in ``line`` where a new sentence starts."""
    cuts = []
    for match in pattern.finditer(line):
        if match.group(1) == "." and _abbreviation_before(line, match.start(1)):
            continue
        cuts.append(match.end())
    return cuts


def _split_line(line: str, offset: int, pattern: re.Pattern[str]) -> list[Span]:
    spans = []
    start = 0
    for cut in [*_cuts(line, pattern), len(line)]:
        piece = line[start:cut]
        text = piece.strip()
        if text:
            lead = len(piece) - len(piece.lstrip())
            spans.append(Span(text, offset + start + lead, offset + start + lead + len(text)))
        start = cut
    return spans


def sentence_spans(text: str) -> list[Span]:
    """The sentences of ``text`` with their spans in it; each line is split on its own."""
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend(_split_line(line, offset, _END))
        offset += len(line) + 1
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage's plain text (markup stripped); each line is split on its own."""
    return [s.text for s in sentence_spans(strip_markup(text))]


def answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each with the citation markers that follow it.

    Markers that open the text or a line ("[1] At low doses ...") belong to the sentence they
    precede: nothing on that line comes before them to cite.
    """
    found: list[str] = []
    for line in text.split("\n"):
        parts = [s.text for s in _split_line(line, 0, _ANSWER_END)]
        if len(parts) > 1 and markers.opens_with_marker(parts[0]):
            parts[:2] = [f"{parts[0]} {parts[1]}"]
        found += parts
    return found


# Where a display piece ends: after a sentence's final punctuation (and any closing quote or
# bracket) and its following space, when the next sentence starts with a capital or a digit;
# or after a line break.
_PIECE_END = re.compile(r"(?<=[.!?])[\"')\]]*[ \t]+(?=[\"'(\[]?[A-Z0-9])|\n+")


def stream_pieces(text: str) -> list[str]:
    """``text`` cut after each sentence for display as a stream: the pieces, each keeping its
    trailing space, join back to ``text`` exactly ("e.g. a child" and "4.5 mg" stay whole)."""
    pieces, start = [], 0
    for match in _PIECE_END.finditer(text):
        stop = text.rfind(".", 0, match.start() + 1)
        if stop >= 0 and stop == match.start() - 1 and _abbreviation_before(text, stop):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def message_sentences(text: str) -> list[str]:
    """The sentences of a chat message; a semicolon or a line break ends one too. A genus's
    initial ("H. pylori", "E. coli") and an abbreviation that ends no sentence ("approx.")
    do not end one."""
    found: list[str] = []
    start = 0
    for match in _MESSAGE_END.finditer(text):
        before = text[: match.start()]
        if before.endswith(".") and not match.group(0).startswith("\n"):
            genus = _INITIAL.search(before) and text[match.end() : match.end() + 1].islower()
            if genus or _abbreviation_before(text, match.start() - 1):
                continue
        found.append(text[start : match.start()])
        start = match.end()
    found.append(text[start:])
    return [s.strip() for s in found if s.strip()]


# "H. pylori", "E. coli": an initial then a lower-case word.
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]\.$")


# Where a clause ends: "; ", ": ", " and ", " but ", " whereas " (not "10 and 30", "30 or
# more" or "with or without food"). Plain commas do not end one: "the rate at 28 days, the
# primary outcome, was 38%".
_CLAUSE = re.compile(
    r"\s*[;:]\s+|,?(?<!\d)(?<!\bwith)\s+(?:whereas|while|but|and|or)\s+"
    r"(?!(?:more|above|older|over|higher|greater|less|lower|below|fewer|younger|under)\b)",
    re.IGNORECASE,
)
# Where a sentence's parts join: "A; B", "A, and B", "A whereas B", "A, not B".
_JOIN = re.compile(
    r"\s*;\s+|:\s+|,?\s+(?:whereas|while|but)\s+|,\s+and\s+|\s+in contrast to\s+"
    r"|\s+compared with\s+|\s+versus\s+|\s+vs\.?\s+|,\s+(?=not\b)",
    re.IGNORECASE,
)
_COMMA = re.compile(r",\s+")
_CLAIM_JOIN = re.compile(r"\s*;\s+|,\s+(?=(?:and|but|whereas|while|so)\b)|\s+whereas\s+")
CONTRAST = re.compile(
    r"\b(?:whereas|while|but|in contrast to|compared with|versus|vs)\b", re.IGNORECASE
)


def clauses(text: str) -> list[str]:
    """A sentence cut where any of its clauses join (semicolons, colons, and/or/but/whereas)."""
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def clause_spans(text: str) -> list[Span]:
    """The clauses of :func:`clauses`, with their spans in ``text``."""
    found, start = [], 0
    for match in _CLAUSE.finditer(text):
        found.append(Span(text[start : match.start()], start, match.start()))
        start = match.end()
    found.append(Span(text[start:], start, len(text)))
    return [span for span in found if span.text.strip()]


def parts(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each part of a sentence, cut where its parts stand apart."""
    found, start = [], 0
    for match in _JOIN.finditer(text):
        found.append((start, text[start : match.start()]))
        start = match.end()
    found.append((start, text[start:]))
    return [(offset, part) for offset, part in found if part.strip()]


def comma_pieces(text: str) -> list[str]:
    """The comma-separated pieces of a clause."""
    return [p for p in _COMMA.split(text) if p.strip()]


def claim_parts(text: str) -> list[str]:
    """The claims a sentence joins ("A; B", "A, and B", "A whereas B"), markers removed."""
    return [p for p in _CLAIM_JOIN.split(markers.strip(text)) if p.strip()]
