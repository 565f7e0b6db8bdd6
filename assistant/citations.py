"""Parse, renumber and verify citations; check that every number is grounded.

A draft cites passages by their position in the request (``[3]``). Finalising renumbers
them by first appearance (``[1]``, ``[2]``...) and drops any marker that points to no
passage. Verification then checks, sentence by sentence, that each number, dose, unit or
frequency appears in a passage the sentence cites.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.models import Citation, Document, RetrievedChunk
from assistant.text import strip_markup

_MARKER = r"\s*\[(\d+(?:\s*,\s*\d+)*)\]"  # "[1]", "[2, 3]", with the space before it
MARKER = re.compile(_MARKER)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\]])\s+(?=[\"'(]?[A-Z0-9])")
_UNITS = (
    r"mg/kg|mg/m2|mg|mcg|µg|micrograms?|g|kg|ml|mL|L/min|l/min|L|%|mmol/L|mmHg|cmH2O|"
    r"units?|IU|hours?|hrs?|h|days?|weeks?|months?|years?|minutes?|min|times"
)
QUANTITY = re.compile(
    rf"(?<![\w.])(\d+(?:[.,]\d+)?)(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?(?:\s*({_UNITS})(?![A-Za-z]))?"
)
FREQUENCIES = (
    "once daily",
    "twice daily",
    "three times daily",
    "four times daily",
    "once a day",
    "twice a day",
    "every other day",
    "nightly",
    "at bedtime",
    "weekly",
    "monthly",
    "once a year",
    "twice a year",
    "once a week",
    "twice a week",
    "bid",
    "tid",
    "qid",
    "single dose",
)


def cited_indices(text: str) -> list[int]:
    """Every passage number cited in ``text``, in order of appearance, repeats kept."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        numbers.extend(int(n) for n in re.split(r"\s*,\s*", match.group(1)))
    return numbers


def renumber(text: str, n_passages: int) -> tuple[str, list[int], list[str]]:
    """Renumber request-position markers by first appearance.

    Returns (new text, passage positions in new citation order, findings). Markers that
    point outside 1..n_passages are removed and reported.
    """
    order: list[int] = []
    findings: list[str] = []

    def replace(match: re.Match[str]) -> str:
        kept = []
        for raw in re.split(r"\s*,\s*", match.group(1)):
            position = int(raw)
            if not 1 <= position <= n_passages:
                findings.append(
                    f"removed citation [{position}]: no passage with that number was retrieved"
                )
                continue
            if position not in order:
                order.append(position)
            new = order.index(position) + 1
            if new not in kept:
                kept.append(new)
        space = " " if match.start() > 0 else ""  # "mg[1]" reads "mg [1]"; "[1] At ..." stays
        return space + "[" + ", ".join(map(str, kept)) + "]" if kept else ""

    return MARKER.sub(replace, text), order, findings


def build_citations(
    order: Sequence[int], passages: Sequence[RetrievedChunk], documents: Mapping[str, Document]
) -> list[Citation]:
    """Citation list for the renumbered answer: n -> the passage and its source."""
    citations = []
    for n, position in enumerate(order, start=1):
        chunk = passages[position - 1].chunk
        doc = documents.get(chunk.doc_id)
        citations.append(
            Citation(
                n=n,
                source_id=chunk.doc_id,
                chunk_id=chunk.id,
                title=chunk.title,
                citation=getattr(doc, "citation", None),
                url=getattr(doc, "url", None),
                passage=strip_markup(chunk.text),
            )
        )
    return citations


def sentences(text: str) -> list[str]:
    """Sentences of an answer, each with the citation markers that follow it.

    Markers that open the text or a line ("[1] At low doses ...") belong to the sentence they
    precede: nothing on that line comes before them to cite.
    """
    found: list[str] = []
    for line in text.split("\n"):
        parts = [s.strip() for s in _SENTENCE_BREAK.split(line) if s.strip()]
        if len(parts) > 1 and not MARKER.sub("", parts[0]).strip():
            parts[:2] = [f"{parts[0]} {parts[1]}"]
        found += parts
    return found


_OPENING_MARKERS = re.compile(rf"^(?:{_MARKER})+\s*")
_CLOSING = re.compile(rf"(?:[.!?]|{_MARKER})*\s*$")  # what ends a sentence: marks, markers


def markers_last(sentence: str) -> str:
    """``sentence`` with the markers that open it moved before its final punctuation.

    "[2] The dose is 500 mg." cites the sentence it opens only while it opens a line; joined
    after another sentence it reads as that one's citation. "The dose is 500 mg [2]." cannot.
    """
    opening = _OPENING_MARKERS.match(sentence)
    rest = sentence[opening.end() :] if opening else ""
    closing = _CLOSING.search(rest)
    if not opening or closing is None or not rest[: closing.start()].strip():
        return sentence
    tail = closing.group(0)
    numbers = dict.fromkeys(cited_indices(opening.group(0) + tail))
    marker = "[" + ", ".join(map(str, numbers)) + "]"
    punctuation = re.sub(r"[^.!?]", "", MARKER.sub("", tail))
    return f"{rest[: closing.start()]} {marker}{punctuation or '.'}"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(",", ".").replace("–", "-")).lower()


def quantities(sentence: str) -> list[str]:
    """Numbers (with their unit when one follows) stated in a sentence, markers excluded."""
    plain = MARKER.sub("", sentence)
    found = []
    for match in QUANTITY.finditer(plain):
        found.append(match.group(0).strip())
    return found


_EVERY = re.compile(
    r"\bevery\s+(?:other|second|third|\d+(?:[.,]\d+)?)\s+(?:hours?|h|days?|weeks?|months?)\b"
)


def frequencies(sentence: str) -> list[str]:
    """Dosing frequencies stated in a sentence ("twice daily", "every 48 hours")."""
    lowered = f" {MARKER.sub('', sentence).lower()} "
    found = [f for f in FREQUENCIES if re.search(rf"\b{re.escape(f)}\b", lowered)]
    return found + [m.group(0) for m in _EVERY.finditer(lowered)]


def _variants(quantity: str) -> list[str]:
    """Equivalent spellings of a quantity: "1-5 mg" is also "1 to 5 mg"."""
    wanted = _normalise(quantity)
    variants = [wanted, re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", wanted)]
    variants.append(re.sub(r"(\d)\s+to\s+(\d)", r"\1-\2", wanted))
    variants.append(re.sub(r"(\d)\s+(?=[a-z%])", r"\1", wanted))  # "50 mg" ~ "50mg"
    return variants


def grounded(claim: str, passages: Sequence[str]) -> bool:
    """Whether ``claim`` (a quantity or a frequency) is stated in one of ``passages``."""
    texts = [_normalise(p) for p in passages]
    number = QUANTITY.fullmatch(claim)
    if number is None or number.group(2) is not None or "-" in claim or " to " in claim:
        variants = _variants(claim)
        spaced = [re.sub(r"(\d)([a-z%])", r"\1 \2", t) for t in texts]
        # "50 mg" is not in "150 mg": a value must start where a number starts.
        patterns = [re.compile(rf"(?<![\d.]){re.escape(v)}(?![\d])") for v in variants]
        return any(p.search(t) for p in patterns for t in texts + spaced)
    value = re.escape(_normalise(number.group(1)))
    return any(re.search(rf"(?<![\d.]){value}(?![\d]|\.\d)", t) for t in texts)


def verify(text: str, citations: Sequence[Citation]) -> list[str]:
    """Findings for every sentence whose numbers or frequencies its citations do not support."""
    passages = {c.n: c.passage for c in citations}
    findings = []
    for sentence in sentences(text):
        cited = [passages[n] for n in cited_indices(sentence) if n in passages]
        for n in cited_indices(sentence):
            if n not in passages:
                findings.append(f"citation [{n}] resolves to no retrieved passage")
        claims = quantities(sentence) + frequencies(sentence)
        if claims and not cited:
            findings.append(f"uncited sentence states {', '.join(claims)}: {sentence[:80]!r}")
            continue
        for claim in claims:
            if not grounded(claim, cited):
                findings.append(f"{claim!r} is not in the cited passage(s): {sentence[:80]!r}")
    return findings
