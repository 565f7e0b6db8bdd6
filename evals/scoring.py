"""Score one request: its retrieval at source level (BM25, dense, fused) and its answer's outcome
(answered right / declined right, issue 9; each part of a multi-part question, issue 22)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.index.base import Catalog
from assistant.index.retriever import Retrieval
from assistant.language.markers import MARKER
from assistant.language.sentences import strip_markup
from evals.cases import CasePart, EvalCase
from evals.metrics import retrieval_scores, source_ranking

VARIANTS = ("final", "dense", "bm25")


def source_rankings(retrieval: Retrieval, catalog: Catalog) -> dict[str, list[str]]:
    """variant -> source ids in the order of each source's best chunk."""

    def sources(chunk_ids: list[str]) -> list[str]:
        chunks = (catalog.chunk(c) for c in chunk_ids)
        return source_ranking(c.doc_id for c in chunks if c is not None)

    return {
        "final": source_ranking(h.chunk.doc_id for h in retrieval.hits),
        "dense": sources(retrieval.rankings.get("dense", [])),
        "bm25": sources(retrieval.rankings.get("lexical", [])),
    }


def score_retrieval(
    retrieval: Retrieval, catalog: Catalog, grades: Mapping[str, int], cutoff: int
) -> dict[str, dict[str, float]]:
    """variant -> {ndcg@10, mrr@10, recall@10, p@5} for one request."""
    rankings = source_rankings(retrieval, catalog)
    return {name: retrieval_scores(rankings[name], grades, cutoff) for name in VARIANTS}


# --- answer outcomes (issue 9): answered right / declined right --------------------------------

COVERAGE_LEVELS = ("full", "partial", "none")
# Dashes and spaces a writer may vary; a key fact like "1-5 mg" matches "1–5 mg" too.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_SPACE = re.compile(r"\s+")
_UNCOVERED_FIELDS = ("uncovered", "uncovered_parts", "not_covered")


def answer_text(text: str) -> str:
    """An answer as key facts are matched against it: no markup, no ``[n]`` markers."""
    plain = MARKER.sub("", strip_markup(text)).translate(_DASHES).replace("\u00a0", " ")
    return _SPACE.sub(" ", plain)


def key_fact_found(answer: str, expect_any: Sequence[str]) -> bool:
    """True when any alternative (a case-insensitive regex) occurs in the answer."""
    text = answer_text(answer)
    return any(re.search(pattern, text, re.IGNORECASE) for pattern in expect_any)


def cites_relevant(cited: Iterable[str], relevant: Mapping[str, int]) -> bool:
    """True when the answer cites at least one source the case judges relevant (grade > 0)."""
    return any(relevant.get(source, 0) > 0 for source in cited)


def _sentence_key(text: str) -> str:
    return answer_text(text).casefold().strip(" .;:!?")


def reappeared(answer: str, must_not: Sequence[str]) -> list[str]:
    """The rejected sentences that occur in ``answer`` (markers, spacing, dashes and case
    aside)."""
    said = _sentence_key(answer)
    return [s for s in must_not if _sentence_key(s) and _sentence_key(s) in said]


def declined(refused: bool, coverage: str) -> bool:
    """A refusal, or an answer whose coverage says the evidence answers nothing."""
    return refused or coverage == "none"


def score_outcome(
    case: EvalCase, *, refused: bool, answer: str, cited: Sequence[str], coverage: str
) -> dict[str, bool]:
    """What a case's answer achieved.

    must-refuse case: ``declined_right`` = refused or coverage none. Answerable case with a
    key fact: ``answered_right`` = not declined, a key fact from ``expect_any`` present and a
    relevant source cited (``key_fact`` and ``relevant_cited`` say which part failed). A case
    with ``must_not`` sentences (a rejected answer): ``rejected_reappeared`` when one of them
    is in the answer. Other cases (no key fact given) get no outcome.
    """
    gave_up = declined(refused, coverage)
    if case.must_not:
        return {"rejected_reappeared": bool(reappeared(answer, case.must_not))}
    if case.must_refuse:
        return {"declined_right": gave_up}
    if not case.expect_any:
        return {}
    fact = key_fact_found(answer, case.expect_any) and not gave_up
    source = cites_relevant(cited, case.relevant) and not gave_up
    return {
        "declined": gave_up,
        "key_fact": fact,
        "relevant_cited": source,
        "answered_right": fact and source,
    }


def coverage_level(record: Any) -> str:
    """``full`` | ``partial`` | ``none`` from an answer record; absent (older records) = full.

    Accepts ``coverage`` as a plain value or enum, or as an object with a ``level`` field.
    """
    value = getattr(record, "coverage", None)
    value = getattr(value, "level", value)
    if isinstance(value, Mapping):
        value = value.get("level")
    value = getattr(value, "value", value)
    return str(value) if value in COVERAGE_LEVELS else "full"


def uncovered_parts(record: Any) -> list[str]:
    """The parts of the question the record says the sources do not address (if it says)."""
    for holder in (record, getattr(record, "coverage", None)):
        for name in _UNCOVERED_FIELDS:
            parts = holder.get(name) if isinstance(holder, Mapping) else getattr(holder, name, None)
            if isinstance(parts, list | tuple):
                return [str(p) for p in parts]
    return []


# --- multi-part questions (issue 22): each part answered right or named as not covered ------


def named_not_covered(part: CasePart, uncovered: Sequence[str]) -> bool:
    """Whether the record names ``part`` among what the sources do not address."""
    named = " ; ".join(uncovered)
    return any(re.search(pattern, named, re.IGNORECASE) for pattern in part.named_any)


def score_parts(
    case: EvalCase, *, refused: bool, answer: str, coverage: str, uncovered: Sequence[str]
) -> list[bool]:
    """For each part of a multi-part case: answered right (a key fact of it in an answer that
    is not declined) or, for a part the sources do not cover, named as not covered."""
    gave_up = declined(refused, coverage)
    return [
        named_not_covered(part, uncovered)
        if part.not_covered
        else not gave_up and key_fact_found(answer, part.expect_any)
        for part in case.parts
    ]
