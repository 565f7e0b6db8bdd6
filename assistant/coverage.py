"""Answerability: which parts of the question the passages that would be cited address.

Checked against the evidence of this request, never the whole corpus. A question is answered
when every drug or condition it asks about and every population that changes the answer
(pregnancy, children, renal impairment...) is named in its passages:

- ``full``: every question of the message is covered;
- ``partial``: some questions are covered, or only minor parts (a dose asked about, a
  non-essential qualifier) are not; the answer opens by naming what is not covered;
- ``none``: no question is covered: the assistant declines, naming what is missing.

A question about a drug or condition that no passage mentions is never answered with facts
about another one: an uncovered subject makes its question uncovered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial

from assistant.coverage_asked import asked_for, paired
from assistant.coverage_evidence import (
    Evidence,
    age_covered,
    on_subjects,
    other_sex_only,
    treatments,
)
from assistant.coverage_measures import ASKS_DOSE, dose_asked_of, dosed_drugs, measure_missing
from assistant.coverage_names import mentions, names_in
from assistant.coverage_routes import route_covered
from assistant.language.measures import asked_at
from assistant.language.negation import without_absent
from assistant.language.sentences import split_sentences
from assistant.language.terminology import Concept as Term
from assistant.language.terminology import Terminology
from assistant.understand import Concept, ConceptKind, Question, Understanding


class CoverageLevel(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True)
class Coverage:
    """The coverage decision for one request."""

    level: CoverageLevel
    uncovered: tuple[str, ...] = ()  # what the sources do not address, named for the user
    findings: tuple[str, ...] = field(default=())

    @property
    def declines(self) -> bool:
        return self.level is CoverageLevel.NONE


# A dose is the member's own: a passage on a drug class does not give amoxicillin's dose.


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class _Verdict:
    answered: bool
    missing: tuple[str, ...]  # named gaps
    minor: tuple[str, ...]  # gaps that do not stop the question being answered
    has_concepts: bool


def _subject_covered(evidence: Evidence, concept: Concept, dose: bool) -> bool:
    return bool(evidence.names(concept, broader=not dose))


def _indications_attached(evidence: Evidence, covered: Sequence[Concept]) -> list[Concept]:
    """The conditions asked about that no passage names together with a drug asked about:
    "dexamethasone for meningitis" is not answered from a croup passage on dexamethasone and
    a febrile-seizure passage naming meningitis."""
    drugs = treatments(covered)
    if not drugs:
        return []
    loose = []
    for condition in (c for c in covered if c.term is not None and c.term.kind == "condition"):
        together = [
            p for p in evidence.names(condition)
            if any(mentions(evidence.terminology, p, d, broader=True) for d in drugs)
        ]  # fmt: skip
        if not together:
            loose.append(condition)
    return loose


def _attached(evidence: Evidence, concept: Concept, subjects: Sequence[Concept]) -> bool:
    """Whether the passages name ``concept`` about one of the question's covered subjects -
    its drugs, where it asks about one: pregnancy in a laxative passage says nothing about
    pembrolizumab in pregnancy, nor "avoid contact with pregnant women" in a shingles passage
    about aciclovir in pregnancy. A passage's title line speaks of each of its sentences, and
    a sentence on "it" of the passage's subject."""
    drugs = treatments(subjects)
    subjects = drugs or list(subjects)
    terminology = evidence.terminology

    def on_subject(text: str) -> bool:
        return any(mentions(terminology, text, s, broader=True) for s in subjects)

    def names(text: str) -> bool:  # "non-pregnant women" names no pregnancy
        return mentions(terminology, without_absent(text), concept)

    if not subjects:
        return any(names(p) for p in evidence.names(concept))

    for passage in evidence.names(concept):
        if not on_subject(passage):
            continue
        sentences = split_sentences(passage)
        if sentences and on_subject(sentences[0]) and names(sentences[0]):
            return True
        for sentence in sentences:
            if names(sentence) and (on_subject(sentence) or _REFERS_BACK.search(sentence)):
                return True
    return False


# A sentence on the passage's subject that opens without naming it ("It is not used in
# pregnancy").
_REFERS_BACK = re.compile(r"^\W*(?:it|they|(?:this|the) (?:drug|medicine))\b", re.I)


_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|/|&|and/or|as well as)\s*$", re.I)


def _listed_with(concept: Concept, covered: Sequence[Concept], text: str) -> bool:
    """Whether an uncovered condition is listed with a covered one ("tiredness or insomnia"),
    or a drug offered as a choice beside a covered one ("amlodipine or diltiazem?"): then the
    question is answered in part, naming it; "long covid fatigue" lists nothing."""
    for other in covered:
        pair = (_listable(concept) and _listable(other)) or (_drug(concept) and _drug(other))
        if not pair:
            continue
        first, second = sorted((concept.span, other.span))
        if _LIST_JOIN.match(text[first[1] : second[0]]):
            return True
    return False


def _measured(text: str, drugs: list[Concept]) -> list[Concept]:
    """The drugs of a question, the one the quantity it asks for is asked of first: the one
    named nearest the asking words ("switching ramipril to Entresto - how long a gap?")."""
    at = asked_at(text)
    if at is None or len(drugs) < 2:
        return drugs

    def distance(concept: Concept) -> int:
        start, end = concept.span
        return min(abs(start - at), abs(end - at)) if start >= 0 else len(text)

    return sorted(drugs, key=distance)


def _dosed(term: Term) -> bool:
    """Whether a term is something given (a drug, a class, a treatment the hand lexicon or
    the corpus names), whose dose, duration or frequency a question may ask."""
    return term.kind in ("drug", "class") or term.source in ("hand", "aliases", "corpus")


def _symptom(concept: Concept) -> bool:
    """A sign or symptom (fatigue, tingling), not a disease: what a question mentions
    around its subject more often than what it is about."""
    return concept.term is not None and concept.term.symptom


def _drug(concept: Concept) -> bool:
    """A drug named in the question."""
    return concept.term is not None and concept.term.kind == "drug" and concept.span[0] >= 0


def _listable(concept: Concept) -> bool:
    """A condition or clinical term named in the question (a drug is what is asked about)."""
    return (
        concept.term is not None
        and concept.term.kind in ("condition", "term")
        and (concept.span[0] >= 0)
    )


def _judge(
    question: Question,
    context: Sequence[Concept],
    evidence: Evidence,
    quantities: bool,
    dosed_elsewhere: frozenset[str] = frozenset(),
) -> _Verdict:
    concepts = [*question.concepts, *(c for c in context if c not in question.concepts)]
    dose = bool(ASKS_DOSE.search(question.text))
    subjects = [c for c in concepts if c.is_subject]
    dosed_one = dose_asked_of(question, subjects) if dose else None

    def dose_asked(concept: Concept) -> bool:
        # A dose asked in one part is asked of that drug in every part ("vardenafil dose and
        # how long before sex?"): a class's passage speaks of none of its members' regimens.
        if concept.term is not None and concept.term.id in dosed_elsewhere:
            return True
        return dose and (dosed_one is None or concept is dosed_one)

    covered = [c for c in subjects if _subject_covered(evidence, c, dose_asked(c))]
    listed = [c for c in subjects if c not in covered and _listed_with(c, covered, question.text)]
    # A sign or symptom beside something covered is a part not addressed, not a reason to
    # decline ("T3 for persistent fatigue on levothyroxine").
    listed += [c for c in subjects if c not in covered and c not in listed and _symptom(c)
               and any(o.essential and not _symptom(o) for o in covered)
               and not asked_for(c, treatments(covered), question)]  # fmt: skip
    # A group no dataset lists the members of, said of a drug or class that is covered
    # ("maintenance anxiolytic benzodiazepine"), describes it: nothing of its own is asked.
    missing = [c.label for c in subjects if c not in covered and c.essential and c not in listed
               and not _describes(c, covered)]  # fmt: skip
    # What a follow-up leans on is one of the earlier turn's subjects, not all of them.
    leaned = [c for c in subjects if not c.essential and c not in question.concepts]
    if leaned and not any(c in covered for c in leaned):
        missing.append(leaned[0].label)
    drugs = treatments(covered)
    # A dose is a drug's or a treatment's (CPAP), not a virus's ("genital HSV - ACV dose?").
    dosed = [c for c in drugs if c.term is not None and _dosed(c.term)]
    measured = _measured(question.text, [c for c in dosed if c.essential] or dosed)
    for drug in measured[:1] if quantities else ():
        # A class's passage ("oral retinoids") gives no member's dose or duration.
        names = partial(names_in, evidence.terminology, drug, broader=False)
        gap = measure_missing(question.text, drug.label, evidence.passages, names)
        if gap is not None:
            missing.append(gap)
    minor: list[str] = [c.label for c in listed if c.essential]
    anchor = covered[0].label if covered else None
    essential = [c for c in covered if c.essential]
    loose_ones = _indications_attached(evidence, essential)
    # Where one condition asked about is the drug's indication in the passages, the others
    # are the patient's other conditions ("HTN only ... with pAF - anticoag?"): parts not
    # addressed, not a reason to decline.
    indicated = len(loose_ones) < sum(
        c.term is not None and c.term.kind == "condition" for c in essential
    )
    for loose in loose_ones:  # a loose indication is one of a drug: ``drugs`` has one
        symptom = _symptom(loose) and not asked_for(loose, drugs, question)
        (minor if symptom or indicated else missing).append(f"{drugs[0].label} for {loose.label}")
    groups_met: list[Concept] = []
    groups_not: list[tuple[Concept, str]] = []
    for concept in concepts:
        if concept.kind is ConceptKind.ROUTE:
            passages = on_subjects(evidence, covered)
            if not route_covered(
                evidence.terminology, passages, concept.label, _drug_ids(covered), dose
            ):
                missing.append(f"{anchor} {concept.label}" if anchor else concept.label)
            continue
        if concept.kind not in (ConceptKind.QUALIFIER, ConceptKind.NUMBER):
            continue
        if concept.ages is not None and age_covered(evidence, concept, covered):
            groups_met.append(concept)
            continue
        if concept.ages is None and _attached(evidence, concept, covered):
            groups_met.append(concept)
            continue
        named = (
            f"{anchor} in {concept.label}"
            if anchor and concept.kind is ConceptKind.QUALIFIER
            else concept.label
        )
        groups_not.append((concept, named))
    for concept, named in groups_not:
        # "vancomycin dose in an adult, and in a 6 year old?": the adult's dose is answered,
        # the child's named as not covered.
        beside = concept.essential and any(paired(concept, m, question.text) for m in groups_met)
        (missing if concept.essential and not beside else minor).append(named)
    other_sex = other_sex_only(evidence, question.text, covered)
    if other_sex is not None:
        missing.append(f"{anchor} in {other_sex}" if anchor else other_sex)
    judged = [c for c in concepts if c.kind is not ConceptKind.RARE]
    return _Verdict(not missing, tuple(missing), tuple(minor), bool(judged))


def _drug_ids(concepts: Sequence[Concept]) -> frozenset[str]:
    """The ids of the drugs among ``concepts`` and of their classes."""
    return frozenset(
        i
        for c in concepts
        if c.term is not None and c.term.kind == "drug"
        for i in (c.term.id, *c.term.broader)
    )


def assess(
    understanding: Understanding,
    passages: Sequence[str],
    best_similarity: float,
    *,
    terminology: Terminology,
    floor: float,
    min_evidence: float,
    quantities: bool = True,
) -> Coverage:
    """Coverage of ``understanding``'s questions by ``passages`` (the texts that may be cited).

    ``quantities``: whether a dose, duration or frequency asked of a drug must be stated
    about it (assistant/coverage_measures.py): judged on the evidence retrieved for the
    question; the passages an answer cites are judged on what they name.

    ``floor``: under this similarity nothing retrieved is about the question at all.
    ``min_evidence``: for a question with no concept to check (no drug, condition, population
    or dose), the similarity the best passage needs.
    """
    if not passages or best_similarity < floor:
        # Nothing retrieved is about the question; name what it asked about, if anything.
        named = [c.label for q in understanding.questions for c in q.concepts
                 if c.is_subject and c.essential]  # fmt: skip
        return Coverage(
            CoverageLevel.NONE,
            tuple(dict.fromkeys(named)),
            (f"best passage similarity {best_similarity:.2f} is under the floor {floor:.2f}",),
        )
    evidence = Evidence(terminology, passages)
    questions = understanding.questions or (Question(understanding.corrected, ()),)
    # A message of several parts names a part no sentence answers in its own words
    # (assistant/generate/choice.py), so the quantity is checked for one question only.
    quantities = quantities and len(questions) == 1
    verdicts = []
    dosed_elsewhere = dosed_drugs(questions) if len(questions) > 1 else frozenset()
    earlier: list[Concept] = []  # the subjects of the message's last question that names one
    for question in questions:
        own = [c for c in question.concepts if c.is_subject]
        # "... nitrofurantoin dose? and is it ok in pregnancy": "it" is the earlier drug.
        leaned = () if own else tuple(replace(c, essential=False) for c in earlier)
        verdicts.append(
            _judge(
                question,
                (*understanding.context, *leaned),
                evidence,
                quantities,
                dosed_elsewhere,
            )
        )
        earlier = own or earlier
    missing = tuple(dict.fromkeys(m for v in verdicts for m in v.missing))
    minor = tuple(dict.fromkeys(m for v in verdicts for m in v.minor))
    answered = [v for v in verdicts if v.answered]
    if not answered:
        return Coverage(CoverageLevel.NONE, missing, _findings(missing))
    concrete = any(v.has_concepts for v in answered) or _specific_words_in(questions, passages)
    if not concrete and best_similarity < min_evidence:
        finding = f"best passage similarity {best_similarity:.2f} is under {min_evidence:.2f}"
        return Coverage(CoverageLevel.NONE, missing, (finding,))
    if missing or minor:
        return Coverage(CoverageLevel.PARTIAL, missing + minor, _findings(missing + minor))
    return Coverage(CoverageLevel.FULL)


def _describes(group: Concept, covered: Sequence[Concept]) -> bool:
    """Whether ``group`` (drugs no dataset lists the members of) is written just before a
    covered drug or class, as what it is ("anxiolytic benzodiazepine")."""
    if group.term is None or not group.term.unlisted_group or group.span[1] < 0:
        return False
    return any(c.is_drug and 0 <= c.span[0] - group.span[1] <= 1 for c in covered)


def _specific_words_in(questions: Sequence[Question], passages: Sequence[str]) -> bool:
    """Whether a passage writes one of the questions' specific corpus words ("hyperemesis:
    which bloods?"): the question is about what the passage is about, however short it is."""
    words = {
        f for q in questions for c in q.concepts if c.kind is ConceptKind.RARE for f in c.forms
    }
    return any(re.search(rf"\b{re.escape(w)}\b", p, re.IGNORECASE) for w in words for p in passages)


def coverage_order(
    understanding: Understanding, passages: Sequence[str], terminology: Terminology
) -> list[int]:
    """Positions of ``passages``, those naming more of what the question turns on first: its
    drugs, conditions, essential populations and doses (a class standing for its members)
    count twice its other words and what it leans on from earlier turns. Ties keep their
    retrieval order. A question about oxycodone with LDN wants the passage on opioid
    analgesics, even where the LDN dose passages are closer to its words."""
    asked = [c for q in understanding.questions for c in q.concepts]
    weights = {c: 2 if _orders(c) else 1 for c in asked}  # a passing word counts, less
    for concept in filter(_orders, understanding.context):
        weights.setdefault(concept, 1)
    named = [
        sum(w for c, w in weights.items() if mentions(terminology, p, c, broader=True))
        for p in passages
    ]
    return sorted(range(len(passages)), key=lambda i: -named[i])


def _orders(concept: Concept) -> bool:
    essential_qualifier = concept.kind is ConceptKind.QUALIFIER and concept.essential
    return concept.is_subject or essential_qualifier or concept.kind is ConceptKind.NUMBER


def _findings(missing: Sequence[str]) -> tuple[str, ...]:
    return (f"not addressed by the passages: {', '.join(missing)}",) if missing else ()


def missing_phrase(coverage: Coverage) -> str:
    """What is not covered, as a phrase for a sentence ("naltrexone in pregnancy")."""
    return _join(list(coverage.uncovered)) if coverage.uncovered else "what you asked"
