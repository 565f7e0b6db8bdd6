"""Which cited sentences support a claim: one sentence, two or three sentences of a passage
read together, or one sentence (or set) for each part of the claim.

A claim is one answer sentence. It is supported by a sentence of a cited passage that says
what it says (:func:`assistant.meaning.meaning_problem`) and holds most of its words - words
weighted by how much they say: "dexamethasone" or "croup" more than "get" or "cases"
(:func:`support`). Failing that:

- *across the passage*: two or three sentences of one cited passage (or of the chunks of one
  document, side by side), no more than three apart, read together, each holding something
  of the claim that the others do not, about one subject, and holding more of its words
  than one sentence must ("Among 720 children ..., 7.3 % against 15.3 %" from a trial's
  design sentence and its result sentence);
- *by parts*: each part of a claim joined by "; " or ", and/but/whereas" supported on its
  own, by sentences about the same subject (the same passage, or sentences that name what
  the claim names). A finding names the part that failed.

A supported claim is still removed when another cited sentence says the opposite of what its
support leaves out (:func:`assistant.meaning.contradiction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from assistant.language.markers import MARKER
from assistant.language.quantities import Fact
from assistant.language.sentences import claim_parts
from assistant.language.terminology import default_terminology
from assistant.meaning import contradiction, meaning_problem
from assistant.meaning.lexicon import entities
from assistant.meaning.sentence import agreed_negation
from assistant.meaning.value_text import normalize
from assistant.meaning.values import claim_facts, fact_kind, grounded
from assistant.verify.evidence import Evidence, shares, support, weighted_stems
from assistant.verify.evidence import share as _share
from assistant.verify.runs import against, runs

__all__ = ["Evidence", "best_support", "shares", "support", "support_problem", "whole_support"]

SENTENCE_ALONE = 0.45  # weighted share of a claim's words its supporting sentence must hold...
# ... and with its passage's title and heading. Paraphrases written by people who never saw
# the corpus (the claim sets of five eval corpora) hold 55-60% of its words where they reword
# a clause; the checks of meaning (entities, values, polarity) catch the minimal corruptions.
SENTENCE_SUPPORT = 0.55
CONTRADICTING_WEIGHT = 4.0  # weight of claim words another sentence adds to count as about it
WHOLE = 0.8  # a sentence holding this much of the claim (more than its support) is about it
CLOSER = 0.1  # a sentence this much closer in words to the claim than its support, giving
# another value, is the sentence the claim was made from: its value was changed
PART_FLOOR = 0.3  # share of each part's words a sentence holding a whole claim must hold
RUN_SUPPORT = 0.65  # weighted share of a claim's words two sentences read together must hold,
RUN_MORE = 0.05  # and this much more for each further sentence: more words, more by chance


def _sentence_problem(claim: str, evidence: Evidence, question: str) -> str | None:
    """Why one sentence (or run) does not support the claim: too few of its words (checked
    first: it is cheap), or a meaning check."""
    share, alone = shares(claim, evidence, question)
    least = SENTENCE_SUPPORT
    if evidence.size > 1:
        least = RUN_SUPPORT + RUN_MORE * (evidence.size - 2)
    if share < least or alone < SENTENCE_ALONE:
        return f"only {alone:.0%} of its words are in the closest cited sentence"
    thin = _thin_part(claim, evidence, question)
    if thin:
        return thin
    return _meaning(claim, evidence)


def _thin_part(claim: str, evidence: Evidence, question: str) -> str | None:
    """Why a claim of several parts is not held whole by ``evidence``: one part has too few of
    its words there ("..., and taking it with orange juice doubles its absorption" added to a
    sentence on the dose). The share of the whole hides an added clause."""
    parts = _parts_with_values(claim)
    if len(parts) < 2:
        return None
    sentence = normalize(evidence.sentence)
    for part, values in parts:
        if values and all(grounded(v, [sentence]) for v in values):
            continue  # "..., but older patients begin on 3.75 mg": its value is there
        share, _ = shares(part, evidence, question)
        if share < PART_FLOOR:
            return f"only {share:.0%} of the words of the part {part.strip()!r} are there"
    return None


@lru_cache(maxsize=1024)
def _parts_with_values(claim: str) -> tuple[tuple[str, tuple[Fact, ...]], ...]:
    """The claim's parts, each with the values it states: read once per claim, not once for
    every cited sentence it is held against."""
    return tuple(
        (part, tuple(claim_facts(normalize(MARKER.sub(" ", part))))) for part in claim_parts(claim)
    )


def _meaning(claim: str, evidence: Evidence) -> str | None:
    return meaning_problem(
        claim, evidence.sentence, evidence.context, evidence.terminology, evidence.earlier
    )


def support_problem(claim: str, evidence: Sequence[Evidence], question: str = "") -> str | None:
    """Why no cited sentence, set of sentences read together or set for its parts
    supports ``claim``, or why another cited sentence contradicts it; None when supported."""
    if not evidence:
        return "no cited sentence"
    return _problem(claim, evidence, question)[1]


def _problem(
    claim: str, evidence: Sequence[Evidence], question: str
) -> tuple[Evidence | None, str | None]:
    """(the evidence that supports ``claim``, None) or (None, why not)."""
    terms = evidence[0].terminology if evidence else None
    return _judged(claim, tuple(evidence), question, terms.generation if terms else 0)


@lru_cache(maxsize=256)
def _judged(
    claim: str, evidence: tuple[Evidence, ...], question: str, generation: int
) -> tuple[Evidence | None, str | None]:
    """:func:`_problem`, remembered: a kept sentence's support is asked for again."""
    found, why = whole_support(claim, evidence, question)
    if found is not None:
        contradicted = _contradicted(claim, evidence, found)
        return (None, contradicted) if contradicted else (found, None)
    parts = claim_parts(claim)
    if len(parts) < 2:
        return None, why
    supports = []
    for part in parts:
        support, problem = _problem(part, evidence, question)
        if support is None:
            return None, f"the part {part.strip()!r} is not supported: {problem}"
        supports.append(support)
    if len({s.passage for s in supports}) > 1 and not _same_subject(claim, supports):
        return None, "its parts are supported by sentences about different subjects"
    return supports[0], None


def whole_support(
    claim: str, evidence: Sequence[Evidence], question: str = ""
) -> tuple[Evidence | None, str]:
    """The sentence (the closest in words, where several do) or set of sentences
    that supports ``claim`` whole, or None and why not."""
    problems = [_sentence_problem(claim, e, question) for e in evidence]
    fine = [e for e, p in zip(evidence, problems, strict=True) if p is None]
    if fine:
        return max(fine, key=lambda e: shares(claim, e, question)), ""
    for run in runs(claim, evidence):
        if _sentence_problem(claim, run, question) is None and not against(claim, run):
            return run, ""
    return None, _closest(claim, evidence, problems)


def _same_subject(claim: str, supports: Sequence[Evidence]) -> bool:
    """Whether each supporting sentence (or its passage's title) names something the claim
    names: parts supported from several passages must be about one subject."""
    terms = supports[0].terminology or default_terminology()
    named = {m.concept.id for m in entities(claim, terms)}
    if not named:
        return True
    return all(
        named & {m.concept.id for m in terms.mentions(f"{s.sentence}\n{s.context}")}
        for s in supports
    )


def _contradicted(claim: str, evidence: Sequence[Evidence], found: Evidence) -> str | None:
    """Why another cited sentence says the opposite of ``claim`` about what its support leaves
    out ("emptied again after birth" supported by a sentence on filling the bladder, where
    another says "emptied again before birth"), or - as close to the claim as its support -
    says the opposite of it ("are not combined" beside "are combined"); or None."""
    words = weighted_stems(claim)
    held = weighted_stems(found.sentence).keys() | weighted_stems(found.context).keys()
    missing = {s: w for s, w in words.items() if s not in held}
    closeness = _share(words, weighted_stems(found.sentence))
    agreed = agreed_negation(claim, found.sentence)
    for item in evidence:
        if item.sentence in found.sentence:
            continue  # the support itself, or one of the sentences read together
        shared = sum(w for s, w in missing.items() if s in weighted_stems(item.sentence))
        share = _share(words, weighted_stems(item.sentence))
        problem = None
        if shared >= CONTRADICTING_WEIGHT or (share >= WHOLE and share > closeness):
            problem = contradiction(claim, item.sentence, agreed)
        if problem is None and shared >= CONTRADICTING_WEIGHT and share > closeness + CLOSER:
            problem = _changed_value(claim, item.sentence)
        if problem:
            return f"{problem} (another cited sentence: {item.sentence[:120]!r})"
    return None


def _changed_value(claim: str, sentence: str) -> str | None:
    """Why ``sentence`` gives, where the claim gives a value it does not state, another value
    of that kind ("the 100 mg tablet can be crushed" for "the 500 mg tablet can be
    crushed"); None when it states no other value of that kind."""
    plain, other = normalize(MARKER.sub(" ", claim)), normalize(sentence)
    theirs = {fact_kind(f) for f in claim_facts(other)}
    for fact in claim_facts(plain):
        if fact_kind(fact) in theirs and not grounded(fact, [other]):
            return f"{fact.text!r} is not in the cited sentence"
    return None


def best_support(claim: str, evidence: Sequence[Evidence], question: str = "") -> str:
    """The cited sentence (or run of sentences) that supports ``claim``, or the closest one
    in words."""
    found, _ = _problem(claim, evidence, question)
    if found is not None:
        return found.sentence
    return _nearest(claim, evidence).sentence if evidence else ""


def _nearest(claim: str, evidence: Sequence[Evidence]) -> Evidence:
    """The cited sentence closest to the claim: the one stating most of its values, then
    holding most of its words."""
    words = weighted_stems(claim)
    facts = claim_facts(normalize(MARKER.sub(" ", claim)))

    def closeness(item: Evidence) -> tuple[int, float]:
        text = normalize(item.sentence)
        stated = sum(grounded(f, [text]) for f in facts)
        return stated, _share(words, weighted_stems(item.sentence))

    return max(evidence, key=closeness)


def _closest(claim: str, evidence: Sequence[Evidence], problems: Sequence[str | None]) -> str:
    """The problem with the cited sentence closest in words to the claim."""
    best = _nearest(claim, evidence)
    problem = problems[list(evidence).index(best)]
    if problem and problem.startswith("only "):  # what the closest sentence says otherwise
        problem = _meaning(claim, best) or problem
    return f"{problem} (closest: {best.sentence[:120]!r})"
