"""Citations of an answer: the reference list, and the check that every number is grounded.

A draft cites passages by their position in the request (``[3]``); finalising renumbers them
by first appearance (:func:`assistant.language.markers.renumber`). :func:`build_citations`
turns the new numbering into the answer's references; :func:`verify` checks, sentence by
sentence, that each number, dose, unit or frequency is stated by a passage the sentence
cites (by value: "1 g" is grounded by "1000 mg").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.language import markers, quantities
from assistant.language.sentences import answer_sentences, strip_markup
from assistant.models import Citation, Document, RetrievedChunk


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


def stated_facts(sentence: str) -> list[quantities.Fact]:
    """Every number (years included), dose, unit and frequency a sentence states."""
    plain = quantities.masked(sentence)
    often = quantities.frequencies(plain)
    inside = [
        q
        for q in quantities.quantities(plain)
        if not any(f.start <= q.start < f.end for f in often)
    ]
    return [*inside, *often]


def verify(text: str, citations: Sequence[Citation]) -> list[str]:
    """Findings for every sentence whose numbers or frequencies its citations do not support."""
    passages = {c.n: c.passage for c in citations}
    findings = []
    for sentence in answer_sentences(text):
        cited_numbers = markers.cited_indices(sentence)
        cited = [passages[n] for n in cited_numbers if n in passages]
        for n in cited_numbers:
            if n not in passages:
                findings.append(f"citation [{n}] resolves to no retrieved passage")
        facts = stated_facts(sentence)
        if facts and not cited:
            stated = ", ".join(f.text for f in facts)
            findings.append(f"uncited sentence states {stated}: {sentence[:80]!r}")
            continue
        for fact in facts:
            if not quantities.grounded(fact, cited):
                findings.append(f"{fact.text!r} is not in the cited passage(s): {sentence[:80]!r}")
    return findings
