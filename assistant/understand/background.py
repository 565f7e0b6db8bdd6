"""What a sentence says of the patient rather than asks: the medicines they take and their past
history ("on amlodipine and metformin", "hx of NSTEMI", "on metronidazole for giardia"), a
childhood long past, and the baby of a pregnant or breastfeeding patient. These decide nothing
when the sentence asks about something else."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.language import quantities
from assistant.understand.understanding import Concept, ConceptKind

PAST = re.compile(
    r"\b(?:as an? (?:kid|child|baby|toddler|teenager)|in (?:her|his) childhood)\b", re.I
)
# "on metronidazole for giardia", "taking sertraline for her anxiety": why the patient takes
# another drug is history, not what is asked.
_HISTORY = re.compile(
    r"\b(?:on|taking|takes|taken|receiving|prescribed|(?:being |already )?treated with|"
    r"started on|course of)\s+(?P<drug>[\w-]+(?:\s+[A-Z][\w-]+)?)(?:\s+_+)?(?:\s+\w+ly)?"
    # how often: "on amitriptyline 50 mg nocte for neuropathic pain"
    r"(?:\s+(?:od|bd|tds|qds|nocte|mane|daily|once|twice|a|day|weekly|prn|at|night)){0,3}"
    r"\s+for\s+"
    r"(?P<why>(?:(?:her|his|their|a|an|the|its)\s+)?[\w-]+(?:\s+(?!and\b|but\b|ok\b|also\b)"
    r"[a-z][\w-]+)?)",
    re.I,
)
# A question about what an earlier turn named ("ok to give them together?").
REFERS = re.compile(r"\b(?:it|them|they|both|together|the two|these|those)\b", re.I)


def background(
    found: list[Concept], history: list[tuple[int, int]], referred: bool
) -> list[Concept]:
    """The drugs and conditions of a sentence's history clauses ("on Gaviscon for reflux")
    decide nothing when the sentence asks about something else; alone, they are what it
    asks about ("is she ok on ivermectin for worms?")."""
    inside = [c for c in found if c.is_subject and within(c.span, history)]
    asked = [
        c for c in found
        if c.is_subject and c.essential and c not in inside and not (c.term and c.term.symptom)
    ]  # fmt: skip
    if not inside or not (asked or referred):
        return found
    return [replace(c, essential=False) if c in inside else c for c in found]


# The baby of a pregnant or breastfeeding patient is not the patient: "once the baby's here,
# while she's breastfeeding" asks about breastfeeding, not about children.
_MATERNAL = frozenset({"pregnancy", "breastfeeding"})
_BABY = re.compile(r"^(?:bab(?:y|ies)|infants?|newborns?|neonates?)\b", re.I)


def mothers_baby(found: list[Concept], sentence: str) -> list[Concept]:
    labels = {c.label for c in found if c.kind is ConceptKind.QUALIFIER}
    if not labels & _MATERNAL:
        return found
    return [
        c for c in found
        if c.kind is not ConceptKind.QUALIFIER or c.label in _MATERNAL or c.span[0] < 0
        or not _BABY.match(sentence[c.span[0] : c.span[1]])
    ]  # fmt: skip


def within(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether ``span`` lies inside one of ``spans``."""
    return any(start <= span[0] and span[1] <= end for start, end in spans)


# A patient's medicines and past history: "on amlodipine, atorvastatin and metformin",
# "hx of NSTEMI", "previous myocardial infarction".
_TAKES = re.compile(
    r"\b(?:on|taking|takes|already on|currently on|started on|receiving|course of|"
    r"hx of|history of|previous|prior|past)\s+$",
    re.I,
)
_LISTED_ON = re.compile(r"^\s*(?:,|and|,\s*and)\s+$", re.I)
# "on the combined pill and sertraline": listed after a medicine no dataset names.
_TAKES_LISTED = re.compile(
    r"\b(?:on|taking|takes|already on|currently on|started on|receiving)\s+"
    r"(?:[\w-]+\s+){1,4}(?:and|,|,\s*and)\s+$",
    re.I,
)


def _kind(concept: Concept) -> str | None:
    return concept.term.kind if concept.term is not None else None


def listed_as_taken(sentence: str, concepts: list[Concept]) -> list[tuple[int, int]]:
    """The spans of the drugs and conditions a sentence lists as the patient's medicines or
    history, each after "on"/"hx of" or listed after one of its kind that is ("on sertraline,
    migraine with vomiting": the list of medicines ends at the condition)."""
    spans: list[tuple[int, int]] = []
    last: Concept | None = None
    ordered = sorted((c for c in concepts if c.is_subject and c.span[0] >= 0), key=lambda c: c.span)
    for concept in ordered:
        before = sentence[max(0, concept.span[0] - 20) : concept.span[0]]
        listed = _TAKES_LISTED.search(sentence[max(0, concept.span[0] - 40) : concept.span[0]])
        follows = (
            last is not None
            and _kind(last) == _kind(concept)
            and _LISTED_ON.match(sentence[last.span[1] : concept.span[0]])
        )
        if _TAKES.search(before) or follows or listed:
            spans.append(concept.span)
            last = concept
    return spans


def history_spans(sentence: str) -> list[tuple[int, int]]:
    """Where a sentence says why the patient takes another drug ("on metronidazole 400 mg
    for giardia"), from the drug to the reason, its dose included: doses read as blanks, so
    the dose does not end the drug's name."""
    blank = sentence
    for value in quantities.values(sentence):
        blank = blank[: value.start] + "_" * (value.end - value.start) + blank[value.end :]
    found = []
    for match in _HISTORY.finditer(blank):
        found += [(match.start("drug"), match.end("why"))]
    return found
