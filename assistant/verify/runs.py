"""Two or three sentences of one cited passage read together as the support of one claim
("Among 720 children ..., 7.3 % against 15.3 %" from a trial's design sentence and its result
sentence): no more than three apart, each holding something of the claim the others do not,
about one subject, every value taken from a sentence about the claim's own drug."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import combinations

from assistant.language import quantities
from assistant.language.markers import MARKER
from assistant.language.terminology import Terminology, default_terminology
from assistant.meaning import contradiction
from assistant.meaning.entities import named_concepts
from assistant.meaning.lexicon import entities
from assistant.meaning.value_text import normalize
from assistant.meaning.values import claim_facts, fact_kind, grounded
from assistant.verify.evidence import Evidence, weighted_stems

RUN = 3  # sentences read together at most
SPAN = 3  # ... from one passage, at most this many sentences apart
CONTRIBUTES = 2.0  # weight of the claim's words (a value counts this much) a sentence of a run
# must hold that no other sentence of the run holds


def runs(claim: str, evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    """Two or three sentences of one passage, no more than ``SPAN`` apart, that together state
    every value of the claim, each holding something of the claim the others do not, about one
    subject; read as one, joined by "; "."""
    facts = claim_facts(normalize(MARKER.sub(" ", claim)))
    words = weighted_stems(claim)
    for run in _combinations(evidence):
        joined = "; ".join(e.sentence.rstrip(" .") for e in run)
        if not all(grounded(f, [normalize(joined)]) for f in facts):
            continue
        terms = run[0].terminology or default_terminology()
        if (
            _apart(run, facts)
            and _each_contributes(run, facts, words)
            and _one_subject(claim, run, terms)
            and _values_of_its_drugs(claim, run, facts, terms)
        ):
            yield replace(run[0], sentence=joined, size=len(run))


def against(claim: str, run: Evidence) -> bool:
    """Whether one of the sentences read together says the opposite of the claim (the
    opposite direction, a flipped negation, a denial, the opposite advice): together they
    may hold its words, never against one of them."""
    return any(contradiction(claim, part) for part in run.sentence.split("; "))


def _combinations(evidence: Sequence[Evidence]) -> Iterator[tuple[Evidence, ...]]:
    """Pairs, then triples, of single sentences of one document within ``SPAN`` of each other,
    in order. The chunks of a document cut apart sit side by side under one title and heading:
    their sentences are read as one passage (a sentence two chunks share is read once)."""
    documents: dict[str, list[Evidence]] = {}
    for item in sorted((e for e in evidence if e.size == 1), key=lambda e: (e.passage, e.index)):
        sentences = documents.setdefault(f"{item.context}\n{item.terminology!r}", [])
        if sentences and sentences[-1].passage < item.passage - 1:
            sentences.clear()  # not the next chunk: another part of the document
        if all(e.sentence != item.sentence for e in sentences):
            sentences.append(item)
    for size in range(2, RUN + 1):
        for sentences in documents.values():
            for start, first in enumerate(sentences):
                near = sentences[start + 1 : start + 1 + SPAN]
                for rest in combinations(near, size - 1):
                    yield (first, *rest)


_SUBJECT_KINDS = ("drug", "term", "population")


def _one_subject(claim: str, run: Sequence[Evidence], terminology: Terminology) -> bool:
    """Whether the sentences of a run are about one subject: of the drugs, treatments and the
    populations that change a dose each names, one sentence's never differ from another's
    (one names what the other does, or more; or names none and refers back: "The dose is
    repeated ..."),
    unless the claim names something of each ("after a second benzodiazepine dose,
    levetiracetam ..."); and none denies what another names (a "non-anaphylactic reaction"
    is not anaphylaxis)."""
    read = [named_concepts(_without_drug_asides(e.sentence, terminology), terminology) for e in run]
    ours = {m.concept.id for m in entities(claim, terminology)}
    said = set().union(*(set(named) for named, _ in read))
    if said & set().union(*(set(denied) for _, denied in read)):
        return False  # one sentence's "anaphylaxis", another's "non-anaphylactic reaction"
    for kind in _SUBJECT_KINDS:
        named = [
            {i for i, c in names.items() if c.kind == kind and c.essential} for names, _ in read
        ]
        named = [n for n in named if n]
        if all(n & ours for n in named):
            continue
        if any(not (a <= b or b <= a) for a in named for b in named):
            return False
    return True


def _values_of_its_drugs(
    claim: str, run: Sequence[Evidence], facts: list[quantities.Fact], terminology: Terminology
) -> bool:
    """Whether every sentence of a run that states a value of the claim names a drug the
    claim names, or none (and then the title names no other drug): a value is not borrowed
    from a sentence about another drug
    ("prednisolone 0.15 mg/kg" from "corticosteroids such as dexamethasone or prednisolone
    ...; the dose of dexamethasone is 150 micrograms/kg")."""
    ours = {m.concept.id for m in entities(claim, terminology) if m.concept.kind == "drug"}
    titled = {i for i in _drugs(run[0].context, terminology) if i not in ours}
    for item in run:
        text = normalize(item.sentence)
        if not any(grounded(f, [text]) for f in facts):
            continue
        drugs = _drugs(item.sentence, terminology)
        if drugs - ours and not drugs & ours:
            return False
        if not drugs and titled:  # "The dose is 200 mg" under a title on another drug
            return False
    return True


_ASIDE = re.compile(r"\([^()]*\)")


def _without_drug_asides(text: str, terminology: Terminology) -> str:
    """``text`` with the drugs named in brackets blanked: an aside ("(including grapefruit
    juice)") changes no subject."""
    asides = [m.span() for m in _ASIDE.finditer(text)]
    if not asides:
        return text
    for m in terminology.scan(text):
        if m.concept.kind == "drug" and any(a <= m.start < b for a, b in asides):
            text = text[: m.start] + " " * (m.end - m.start) + text[m.end :]
    return text


def _drugs(text: str, terminology: Terminology) -> set[str]:
    """The drugs a sentence is about, each name read whole: not one inside a condition's
    name ("Thyroid disease") nor one named in brackets, an aside ("other drinks (including
    mineral water)")."""
    asides = [m.span() for m in _ASIDE.finditer(text)]
    return {
        m.concept.id
        for m in terminology.scan(text)
        if m.concept.kind == "drug" and not any(a <= m.start < b for a, b in asides)
    }


def _apart(run: Sequence[Evidence], facts: list[quantities.Fact]) -> bool:
    """Whether the sentences of a run that state values of a kind the claim states state only
    the claim's values of that kind, where two or more of them state that kind: a value taken
    from one sentence for what another says ("100 mg" of one regimen put in the sentence of
    another) is no support; "5 mg twice daily" and "reduced to 2.5 mg twice daily" are."""
    kinds = {fact_kind(f) for f in facts}
    stated = [[f for f in claim_facts(normalize(e.sentence)) if fact_kind(f) in kinds] for e in run]
    for kind in kinds:
        holding = [[f for f in found if fact_kind(f) == kind] for found in stated]
        holding = [h for h in holding if h]
        if len(holding) < 2:
            continue
        if any(not any(grounded(c, [f.text]) for c in facts) for h in holding for f in h):
            return False
    return True


def _each_contributes(
    run: Sequence[Evidence], facts: list[quantities.Fact], words: dict[str, float]
) -> bool:
    """Whether every sentence of a run states a value or a word of the claim that no other
    sentence of the run states."""
    held = []
    for item in run:
        text = normalize(item.sentence)
        stated = {i for i, f in enumerate(facts) if grounded(f, [text])}
        held.append(stated | (weighted_stems(item.sentence).keys() & words.keys()))
    for i, mine in enumerate(held):
        only = mine - set().union(*(other for j, other in enumerate(held) if j != i))
        if sum(words.get(k, CONTRIBUTES) if isinstance(k, str) else CONTRIBUTES for k in only) < (
            CONTRIBUTES
        ):
            return False
    return True
