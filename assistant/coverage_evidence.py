"""The evidence of one request as coverage reads it: the passages and the terminology that
reads them, the passages and sentences on the question's subjects, and the checks of who the
question's patient is against who those sentences speak of (an age, a sex)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.coverage_names import mentions
from assistant.language.ages import age_bands
from assistant.language.sentences import split_sentences
from assistant.language.terminology import Terminology
from assistant.meaning.sexes import sexes_named
from assistant.understand import Concept


@dataclass(frozen=True)
class Evidence:
    """The passages of one request and the terminology that reads them."""

    terminology: Terminology
    passages: Sequence[str]

    def names(self, concept: Concept, *, broader: bool = False) -> list[str]:
        """The passages that name ``concept`` (with ``broader``, by its class too)."""
        return [p for p in self.passages if mentions(self.terminology, p, concept, broader=broader)]


ADULT = 18.0  # years
TREATMENTS = frozenset({"drug", "class", "term"})


def treatments(concepts: Sequence[Concept]) -> list[Concept]:
    """The drugs, drug classes and treatments among ``concepts``."""
    return [c for c in concepts if c.term is not None and c.term.kind in TREATMENTS]


def group_bands(evidence: Evidence, passage: str) -> list[tuple[float, float]]:
    """The age groups a passage names ("children": 0 to 18)."""
    return [m.concept.ages for m in evidence.terminology.mentions(passage) if m.concept.ages]


def age_covered(evidence: Evidence, concept: Concept, subjects: Sequence[Concept]) -> bool:
    """Whether the passages on the question's subjects speak to the age asked about: an age
    band or group of theirs overlaps it ("6 months to 6 years" for a 4 year old; not for a 9
    year old, nor "children" for an adult). Where they give no age at all, only a default
    group (adults) is taken as meant."""
    assert concept.ages is not None
    low, high = concept.ages
    passages = on_all_subjects(evidence, subjects)
    # The sentences that name what is asked about give its ages (a title names the topic of
    # every chunk under it); numbers say more than words: "aged 3 months to less than 18
    # years" is the band even where a title speaks of "children, young people and adults".
    pool = sentences_on(evidence, passages, subjects)
    # A group the sentences name ("adults") says more than a number elsewhere in the passage.
    bands = [b for s in pool for b in age_bands(s)]
    bands = bands or [b for s in pool for b in group_bands(evidence, s)]
    bands = bands or [b for p in passages for b in age_bands(p)]
    bands = bands or [b for p in passages for b in group_bands(evidence, p)]
    if not bands:  # an adult's age is the default group's
        return low >= ADULT or bool(concept.term and concept.term.default)
    if low >= ADULT:
        # An adult's age against adult evidence: bands there are criteria ("65-74 years"),
        # not the ages a drug is for; only evidence for children alone leaves an adult out.
        return any(b_high > ADULT for _, b_high in bands)
    return any((b_low <= high and low < b_high) or b_low == low for b_low, b_high in bands)


def on_subjects(evidence: Evidence, subjects: Sequence[Concept]) -> list[str]:
    """The passages that name one of the question's covered subjects (all, without any)."""
    if not subjects:
        return list(evidence.passages)
    return [
        p for p in evidence.passages
        if any(mentions(evidence.terminology, p, s, broader=True) for s in subjects)
    ]  # fmt: skip


def sentences_on(
    evidence: Evidence, passages: Sequence[str], subjects: Sequence[Concept]
) -> list[str]:
    """The sentences of ``passages`` that name every essential subject, else any."""
    essential = [s for s in subjects if s.essential] or list(subjects)
    if not essential:
        return []
    sentences = [s for p in passages for s in split_sentences(p)]
    named = [
        {id(c) for c in essential if mentions(evidence.terminology, s, c, broader=True)}
        for s in sentences
    ]
    every = [s for s, n in zip(sentences, named, strict=True) if len(n) == len(essential)]
    return every or [s for s, n in zip(sentences, named, strict=True) if n]


def on_all_subjects(evidence: Evidence, subjects: Sequence[Concept]) -> list[str]:
    """The passages that name every covered subject (high flow *in* bronchiolitis), else
    those naming any."""
    essential = [s for s in subjects if s.essential] or list(subjects)
    every = [
        p for p in evidence.passages
        if essential and all(mentions(evidence.terminology, p, s, broader=True) for s in essential)
    ]  # fmt: skip
    return every or on_subjects(evidence, subjects)


_SEX_GROUPS = {"female": "women", "male": "men"}


def other_sex_only(evidence: Evidence, text: str, covered: Sequence[Concept]) -> str | None:
    """The group a question's patient is in ("men") where the sentences on what it asks
    about speak of the other sex alone ("non-pregnant women ... trimethoprim"), else None.
    Evidence that names no sex speaks for both."""
    asked = sexes_named(text)
    if len(asked) != 1:
        return None
    drugs = treatments(covered)
    subjects = drugs or list(covered)
    if not subjects:
        return None
    pool = sentences_on(evidence, on_all_subjects(evidence, subjects), subjects)
    named = frozenset(sex for sentence in pool for sex in sexes_named(sentence))
    if not named or asked <= named:
        return None
    return _SEX_GROUPS[next(iter(asked))]
