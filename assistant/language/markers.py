"""The citation-marker grammar: ``[1]``, ``[2, 3]``, ``[1-3]``, ``[1–3, 5]``.

One definition serves every reader: answers and their verification, article bodies (whose
references are checked at ingest), publishing, review edits and the web UI, whose JavaScript
module is generated from :data:`MARKER_BODY` (:func:`javascript_module`). A marker names
passage (or reference) numbers; a range names every number in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

# One number or a range ("1-3", "1–3"), then more of them after commas. The same source is a
# valid JavaScript regular expression (see javascript_module).
MARKER_BODY = r"\d+(?:\s*[-\u2013]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-\u2013]\s*\d+)?)*"
BRACKETED = re.compile(rf"\[({MARKER_BODY})\]")
# With the space before it: removing a marker leaves no double space ("4.5 mg [1]." -> "4.5 mg.")
MARKER = re.compile(rf"\s*\[({MARKER_BODY})\]")
# A marker still being typed at the end of a stream ("[2, 3" may still close).
OPEN_MARKER = re.compile(r"\[[\d,\s\-\u2013]*$")
MAX_RANGE = 50  # "[1-3]" names 1, 2 and 3; "[1-900]" is two numbers, not 900
_SEPARATOR = re.compile(r"\s*,\s*")
_RANGE = re.compile(r"^(\d+)\s*[-\u2013]\s*(\d+)$")


def numbers(body: str) -> list[int]:
    """The numbers a marker's body names, in order: "1, 3" -> [1, 3]; "2-4" -> [2, 3, 4]."""
    found: list[int] = []
    for part in _SEPARATOR.split(body.strip()):
        span = _RANGE.match(part)
        if span is None:
            if part.isdigit():
                found.append(int(part))
            continue
        low, high = int(span.group(1)), int(span.group(2))
        if low <= high and high - low <= MAX_RANGE:
            found.extend(range(low, high + 1))
        else:
            found.extend((low, high))
    return found


def cited_indices(text: str) -> list[int]:
    """Every number cited in ``text``, in order of appearance, repeats kept."""
    return [n for match in MARKER.finditer(text) for n in numbers(match.group(1))]


def strip(text: str) -> str:
    """``text`` without its citation markers (and the space before each)."""
    return MARKER.sub("", text)


def format_marker(cited: list[int]) -> str:
    """ "[1, 2]" for [1, 2]; "" for no number."""
    return "[" + ", ".join(map(str, cited)) + "]" if cited else ""


def rewrite(text: str, change: Callable[[list[int]], list[int]], *, spaced: bool = True) -> str:
    """``text`` with each marker's numbers replaced by ``change(numbers)``; a marker left with
    no number is removed. ``spaced``: a kept marker is preceded by one space ("mg[1]" reads
    "mg [1]"), except at the very start of the text ("[1] At ..." stays)."""

    def replace(match: re.Match[str]) -> str:
        kept = list(dict.fromkeys(change(numbers(match.group(1)))))
        if not kept:
            return ""
        lead = " " if spaced and match.start() > 0 else ""
        return lead + format_marker(kept)

    return MARKER.sub(replace, text)


class Renumberer:
    """Numbers request positions by first appearance ([3] first -> [1]), across calls, and
    drops numbers outside 1..n; a streamed answer and its final text number alike."""

    def __init__(self, n_passages: int) -> None:
        self.n_passages = n_passages
        self.order: list[int] = []  # request positions, in new citation order
        self.dropped: list[int] = []

    def __call__(self, cited: list[int]) -> list[int]:
        kept = []
        for position in cited:
            if not 1 <= position <= self.n_passages:
                self.dropped.append(position)
                continue
            if position not in self.order:
                self.order.append(position)
            kept.append(self.order.index(position) + 1)
        return kept

    def renumber(self, text: str) -> str:
        return rewrite(text, self)


def renumber(text: str, n_passages: int) -> tuple[str, list[int], list[str]]:
    """Renumber request-position markers by first appearance.

    Returns (new text, passage positions in new citation order, findings). Markers that
    point outside 1..n_passages are removed and reported.
    """
    renumberer = Renumberer(n_passages)
    new = renumberer.renumber(text)
    findings = [
        f"removed citation [{n}]: no passage with that number was retrieved"
        for n in renumberer.dropped
    ]
    return new, renumberer.order, findings


def keep_valid(text: str, n_passages: int, findings: list[str]) -> str:
    """``text`` with numbers outside 1..n_passages removed from its markers (reported in
    ``findings``); the numbering itself is unchanged."""

    def change(cited: list[int]) -> list[int]:
        valid = [n for n in cited if 1 <= n <= n_passages]
        findings.extend(
            f"removed citation [{n}]: no passage with that number was given"
            for n in cited
            if n not in valid
        )
        return valid

    return rewrite(text, change)


_OPENING = re.compile(rf"^(?:{MARKER.pattern})+\s*")
_CLOSING = re.compile(rf"(?:[.!?]|{MARKER.pattern})*\s*$")  # what ends a sentence


def markers_last(sentence: str) -> str:
    """``sentence`` with the markers that open it moved before its final punctuation.

    "[2] The dose is 500 mg." cites the sentence it opens only while it opens a line; joined
    after another sentence it reads as that one's citation. "The dose is 500 mg [2]." cannot.
    """
    opening = _OPENING.match(sentence)
    rest = sentence[opening.end() :] if opening else ""
    closing = _CLOSING.search(rest)
    if not opening or closing is None or not rest[: closing.start()].strip():
        return sentence
    tail = closing.group(0)
    cited = list(dict.fromkeys(cited_indices(opening.group(0) + tail)))
    punctuation = re.sub(r"[^.!?]", "", strip(tail))
    return f"{rest[: closing.start()]} {format_marker(cited)}{punctuation or '.'}"


def opens_with_marker(text: str) -> bool:
    """Whether ``text`` is only citation markers (and spaces)."""
    return not strip(text).strip()


def cite(sentence: str, *positions: int) -> str:
    """``sentence`` with ``[p, ...]`` put before its final punctuation (one is added)."""
    marker = format_marker(list(positions))
    match = re.search(r"[.!?]+$", sentence)
    if match:
        return f"{sentence[: match.start()]} {marker}{match.group(0)}"
    return f"{sentence} {marker}."


def javascript_module() -> str:
    """The marker grammar as an ES module for the web UI, from the one definition above."""
    sources = {"MARKER_BODY": MARKER_BODY, "SEPARATOR": _SEPARATOR.pattern, "RANGE": _RANGE.pattern}
    constants = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in sources.items())
    return (
        "// Generated from assistant/language/markers.py: the one citation-marker grammar.\n"
        + constants
        + f"const MAX_RANGE = {MAX_RANGE};\n"
        + _JS_FUNCTIONS
    )


_JS_FUNCTIONS = """
/** A global pattern matching every marker; group 1 is its body ("1, 3-5"). */
export function markerPattern() {
  return new RegExp("\\\\[(" + MARKER_BODY + ")\\\\]", "g");
}

/** The numbers a marker body names: "1, 3" -> [1, 3]; "2-4" -> [2, 3, 4]. */
export function markerNumbers(body) {
  const found = [];
  for (const part of body.trim().split(new RegExp(SEPARATOR))) {
    const span = part.match(new RegExp(RANGE));
    if (!span) {
      if (/^\\d+$/.test(part)) found.push(Number(part));
      continue;
    }
    const low = Number(span[1]);
    const high = Number(span[2]);
    if (low <= high && high - low <= MAX_RANGE) {
      for (let n = low; n <= high; n += 1) found.push(n);
    } else {
      found.push(low, high);
    }
  }
  return found;
}
"""
