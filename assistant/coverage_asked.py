"""What a question asks of the concepts it names, beyond naming them: the indication a
drug is asked for ("cyclizine dose for vertigo?"), and groups asked side by side ("in an
adult, and in a 6 year old?"), each a part of its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.understand import Concept, ConceptKind, Question

# What joins a drug to the indication it is asked for: "cyclizine dose for vertigo".
_GIVEN_FOR = re.compile(
    r"^(?:\s+(?:dose|doses|dosing|regimen|use|used|given|prescribed|started|ok|okay|safe))*"
    r"\s+for\s+(?:[a-z]+\s+){0,2}$",
    re.I,
)


def asked_for(concept: Concept, drugs: Sequence[Concept], question: Question) -> bool:
    """Whether a sign or symptom is the indication a drug is asked for ("cyclizine dose for
    vertigo?"), not a complaint beside the question's subject ("T3 for persistent fatigue on
    levothyroxine" asks of T3, not of levothyroxine) nor one of the condition named before it
    ("amitriptyline for IBS pain" is for IBS)."""
    start = concept.span[0]
    if start < 0:
        return False
    for drug in drugs:
        end = drug.span[1]
        between = [c for c in question.concepts if end <= c.span[0] and c.span[1] <= start]
        if 0 <= end <= start and not between and _GIVEN_FOR.match(question.text[end:start]):
            return True
    return False


_PAIRED = re.compile(
    r"^[\s,]*(?:and|or|vs\.?|versus)\s+(?:(?:in|for)\s+)?(?:(?:a|an|the|my|her|his)\s+)?$", re.I
)


def paired(concept: Concept, other: Concept, text: str) -> bool:
    """Whether two groups of the question are asked side by side ("in an adult, and in a 6
    year old"): each is a part of its own."""
    if concept.kind is not ConceptKind.QUALIFIER or other.kind is not ConceptKind.QUALIFIER:
        return False
    spans = [_where(concept, text), _where(other, text)]
    if min(start for start, _ in spans) < 0:
        return False
    (_, first_end), (second_start, _) = sorted(spans)
    return bool(_PAIRED.match(text[first_end:second_start]))


def _where(concept: Concept, text: str) -> tuple[int, int]:
    """Where the question names a concept: its span, else where its label is written (an
    age read from the words: "a 6 year old")."""
    if concept.span[0] >= 0:
        return concept.span
    start = text.lower().find(concept.label.lower())
    return (start, start + len(concept.label)) if start >= 0 else (-1, -1)
