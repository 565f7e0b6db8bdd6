"""Which treatment comes first: a claim that puts first what its support offers only later
("tricyclics first, SSRIs only if tricyclics fail" for "SSRIs first, tricyclics only if SSRIs
fail") says the opposite of it.

Each treatment (drug or class) a part of a sentence names gets a place: first where the part
says so ("first", "first-line", "initially", "start with"); later where it is given only
after another fails ("then", "second-line", "only if", "if ... ineffective") - the treatments
named in such a condition (up to the next comma) are the ones tried before. Treatments with no
place are not judged.
"""

from __future__ import annotations

import re

from assistant.language.sentences import clause_spans
from assistant.language.terminology import Terminology
from assistant.meaning.lexicon import entities, entity_kind

FIRST, LATER = 1, 2
_FIRST = re.compile(
    r"\b(?:first|first-line|initially|initial|start(?:s|ed|ing)? with|begin(?:s|ning)? with|"
    r"in the first instance)\b",
    re.I,
)
# A condition: what it names was tried first, the rest of its sentence comes later.
_LATER = re.compile(
    r"\b(?:only\s+(?:if|when|once|after)|(?:if|when|once|after)\b(?=[^.;]{0,60}\b(?:ineffective|"
    r"fail\w*|not\s+(?:effective|tolerated|helped|worked)|unsuitable|insufficient)))\b",
    re.I,
)
# A step: what comes before it is first, what comes after it later ("X first, then Y").
_NEXT = re.compile(r"\b(?:then|subsequently|followed by)\b", re.I)
# A rank: everything its clause names comes later ("Y is second-line").
_RANKED = re.compile(r"\b(?:second-line|second|third-line)\b", re.I)
_TREATMENTS = frozenset({"treatments", "classes"})


def places(text: str, terminology: Terminology) -> dict[str, set[int]]:
    """The places (:data:`FIRST`, :data:`LATER`) each treatment named in ``text`` is given."""
    found: dict[str, set[int]] = {}
    named = [m for m in entities(text, terminology) if entity_kind(m) in _TREATMENTS]
    for clause in clause_spans(text):
        inside = [m for m in named if clause.start <= m.start < clause.end]
        if not inside:
            continue
        step = _NEXT.search(clause.text)
        later = _LATER.search(clause.text)
        if _RANKED.search(clause.text) and not later:
            for m in inside:
                found.setdefault(m.concept.id, set()).add(LATER)
        elif step and not later:
            cue = clause.start + step.start()
            for m in inside:
                found.setdefault(m.concept.id, set()).add(LATER if m.start >= cue else FIRST)
        elif later:
            # the condition runs from the cue to the next comma: what it names was tried first
            start = clause.start + later.start()
            comma = clause.text.find(",", later.end())
            end = clause.start + comma if comma >= 0 else clause.end
            for m in inside:
                place = FIRST if start <= m.start < end else LATER
                found.setdefault(m.concept.id, set()).add(place)
        elif _FIRST.search(clause.text):
            for m in inside:
                found.setdefault(m.concept.id, set()).add(FIRST)
    return found


def sequence_problem(claim: str, support: str, terminology: Terminology) -> str | None:
    """Why the claim gives a treatment the other place than its support does (first for
    later, later for first); None where the support gives it that place too, or none."""
    theirs = places(support, terminology)
    for concept, ours in places(claim, terminology).items():
        given = theirs.get(concept)
        if given and not ours & given:
            name, place = concept.partition(":")[2], "first" if FIRST in ours else "later"
            return f"the answer puts {name} {place}; the cited sentence does not"
    return None
