"""Coverage of the quantity a question asks for: "how long after stopping acitretin?" is not
covered by passages that name acitretin but give no duration for it.

A question that asks for a dose, a duration or a frequency (assistant.language.measures) about
a drug is covered only when a sentence about that drug states a quantity of that kind: a
sentence naming the drug, or any sentence of a passage whose title names it (an SmPC's
sentences rarely repeat the drug's name). "How many" is not checked: any number answers it.

A dose is asked of one drug: the one named nearest the dose word, and that drug in every part
of a message that asks its dose in one part (:func:`dose_asked_of`, :func:`dosed_drugs`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.language.measures import DOSE, DURATION, FREQUENCY, asked_measures, stated_measures
from assistant.language.sentences import split_sentences
from assistant.understand import Concept, Question

CHECKED = (DOSE, DURATION, FREQUENCY)
_PHRASES = {
    DOSE: "the dose of {}",
    DURATION: "how long {} takes or lasts",
    FREQUENCY: "how often {} is given",
}

Names = Callable[[str], bool]  # whether a text names the drug asked about


def measure_missing(question: str, drug: str, passages: Sequence[str], names: Names) -> str | None:
    """What the passages do not state of the quantity ``question`` asks about ``drug``
    ("how long acitretin takes or lasts"), or None when they state it or none is asked."""
    asked = [m for m in CHECKED if m in asked_measures(question)]
    if not asked:
        return None
    stated: set[str] = set()
    for passage in passages:
        if not names(passage):
            continue
        sentences = split_sentences(passage)
        about = bool(sentences) and names(sentences[0])  # the title line names the drug
        for sentence in sentences:
            if about or names(sentence):
                stated |= stated_measures(sentence)
    if any(m in stated for m in asked):
        return None
    return _PHRASES[asked[0]].format(drug)


ASKS_DOSE = re.compile(
    # "low-dose naltrexone" names a drug, not a dose asked for.
    r"(?<![\w-])(?:dose|doses|dosing|dosage|regimen|how much|how often|frequency|titrat\w*)\b",
    re.I,
)


def dosed_drugs(questions: Sequence[Question]) -> frozenset[str]:
    """The drugs a dose is asked of in the parts that ask one."""
    found = set()
    for question in questions:
        if not ASKS_DOSE.search(question.text):
            continue
        subjects = [c for c in question.concepts if c.is_subject]
        one = dose_asked_of(question, subjects)
        found |= {c.term.id for c in ([one] if one else subjects) if c.is_drug and c.term}
    return frozenset(found)


def dose_asked_of(question: Question, subjects: Sequence[Concept]) -> Concept | None:
    """The drug a dose is asked of: the one named nearest the dose word ("already on
    doxazosin for BP - PDE5i starting dose?" asks the PDE5 inhibitor's dose); None when the
    question names no drug where it can be placed."""
    asked = ASKS_DOSE.search(question.text)
    drugs = [c for c in subjects if c.is_drug and c.span[0] >= 0]
    if asked is None or len(drugs) < 2:
        return None
    return min(
        drugs, key=lambda c: min(abs(c.span[0] - asked.start()), abs(c.span[1] - asked.start()))
    )
