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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations

from assistant.language import quantities
from assistant.language.markers import MARKER
from assistant.language.sentences import claim_parts
from assistant.language.terminology import Terminology, default_terminology
from assistant.language.tokens import content_words, stem
from assistant.meaning import contradiction, meaning_problem
from assistant.meaning_entities import named_concepts
from assistant.meaning_lexicon import entities
from assistant.meaning_values import claim_facts, fact_kind, grounded, normalize

SENTENCE_ALONE = 0.45  # weighted share of a claim's words its supporting sentence must hold...
SENTENCE_SUPPORT = 0.6  # ... and with its passage's title and heading
CONTRADICTING_WEIGHT = 4.0  # weight of claim words another sentence adds to count as about it
WHOLE = 0.8  # a sentence holding this much of the claim (more than its support) is about it
CLOSER = 0.1  # a sentence this much closer in words to the claim than its support, giving
# another value, is the sentence the claim was made from: its value was changed
RUN = 3  # sentences read together at most
RUN_SUPPORT = 0.7  # weighted share of a claim's words two sentences read together must hold,
RUN_MORE = 0.05  # and this much more for each further sentence: more words, more by chance
SPAN = 3  # ... from one passage, at most this many sentences apart
CONTRIBUTES = 2.0  # weight of the claim's words (a value counts this much) a sentence of a run
# must hold that no other sentence of the run holds
# How much a word says: 7 - its Zipf frequency (everyday English ~5-7, clinical names 1-3),
# kept between these; numbers are compared as values, not as words.
_MOST, _LEAST, _NUMBER = 5.0, 0.5, 1.0


@dataclass(frozen=True)
class Evidence:
    """One sentence of a cited passage (or two or three read together, joined by "; "), the title
    and heading of that passage, and the terminology that reads both (the default one when
    None). ``passage`` and ``index`` say where the (first) sentence is."""

    sentence: str
    context: str
    terminology: Terminology | None = None
    passage: int = 0
    index: int = 0
    size: int = 1  # sentences read together


# "daily" says "day": a claim "each day" is held by "a daily dose".
_PERIODS = {
    "daily": "day",
    "hourly": "hour",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
}


@lru_cache(maxsize=65536)
def _weight(word: str) -> float:
    if word[0].isdigit():
        return _NUMBER
    from wordfreq import zipf_frequency

    return min(_MOST, max(_LEAST, 7.0 - zipf_frequency(word, "en")))


@lru_cache(maxsize=8192)
def weighted_stems(text: str) -> dict[str, float]:
    """The stems of a text's content words, each with how much it says (its rarest word's
    weight)."""
    found: dict[str, float] = {}
    for word in content_words(MARKER.sub(" ", text)):
        key = _PERIODS.get(word) or stem(word)
        found[key] = max(found.get(key, 0.0), _weight(word))
    return found


def _share(words: dict[str, float], known: set[str] | dict[str, float]) -> float:
    total = sum(words.values())
    if not total:
        return 1.0
    return sum(w for s, w in words.items() if s in known) / total


def support(sentence: str, grounding: str, question: str = "") -> float:
    """Weighted share of the sentence's content words found in the grounding or question."""
    known = weighted_stems(grounding).keys() | weighted_stems(question).keys()
    return _share(weighted_stems(sentence), known)


def _sentence_problem(claim: str, evidence: Evidence, question: str) -> str | None:
    """Why one sentence (or run) does not support the claim: too few of its words (checked
    first: it is cheap), or a meaning check."""
    share, alone = shares(claim, evidence, question)
    least = SENTENCE_SUPPORT
    if evidence.size > 1:
        least = RUN_SUPPORT + RUN_MORE * (evidence.size - 2)
    if share < least or alone < SENTENCE_ALONE:
        return f"only {alone:.0%} of its words are in the closest cited sentence"
    return _meaning(claim, evidence)


def _meaning(claim: str, evidence: Evidence) -> str | None:
    return meaning_problem(claim, evidence.sentence, evidence.context, evidence.terminology)


def shares(claim: str, evidence: Evidence, question: str = "") -> tuple[float, float]:
    """(weighted share of the claim's words in the sentence, its passage's title and heading
    or the question; the same share of the words the title does not hold, in the sentence
    alone: a title lends names, not claims). A name of something the sentence names by
    another name ("NIV" for "noninvasive ventilation") counts as held."""
    words = weighted_stems(claim)
    asked = weighted_stems(question).keys()
    context = weighted_stems(evidence.context).keys()
    held = weighted_stems(evidence.sentence).keys() | asked | _renamed(claim, evidence)
    own = {s: w for s, w in words.items() if s in held or s not in context}
    return _share(words, held | context), _share(own, held)


def _renamed(claim: str, evidence: Evidence) -> set[str]:
    """Stems of the claim's names of things the evidence names too, by any of their names."""
    terms = evidence.terminology or default_terminology()
    theirs = {m.concept.id for m in terms.mentions(f"{evidence.sentence}\n{evidence.context}")}
    return {
        key
        for m in entities(claim, terms)
        if m.concept.id in theirs
        for key in weighted_stems(m.text)
    }


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
    for run in _runs(claim, evidence):
        if _sentence_problem(claim, run, question) is None and not _against(claim, run):
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


def _runs(claim: str, evidence: Sequence[Evidence]) -> Iterator[Evidence]:
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


def _against(claim: str, run: Evidence) -> bool:
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
    read = [named_concepts(e.sentence, terminology) for e in run]
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


def _drugs(text: str, terminology: Terminology) -> set[str]:
    return {m.concept.id for m in terminology.mentions(text) if m.concept.kind == "drug"}


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


def _contradicted(claim: str, evidence: Sequence[Evidence], found: Evidence) -> str | None:
    """Why another cited sentence says the opposite of ``claim`` about what its support leaves
    out ("emptied again after birth" supported by a sentence on filling the bladder, where
    another says "emptied again before birth"), or - as close to the claim as its support -
    says the opposite of it ("are not combined" beside "are combined"); or None."""
    words = weighted_stems(claim)
    held = weighted_stems(found.sentence).keys() | weighted_stems(found.context).keys()
    missing = {s: w for s, w in words.items() if s not in held}
    closeness = _share(words, weighted_stems(found.sentence))
    for item in evidence:
        if item.sentence in found.sentence:
            continue  # the support itself, or one of the sentences read together
        shared = sum(w for s, w in missing.items() if s in weighted_stems(item.sentence))
        share = _share(words, weighted_stems(item.sentence))
        problem = None
        if shared >= CONTRADICTING_WEIGHT or (share >= WHOLE and share > closeness):
            problem = contradiction(claim, item.sentence)
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
