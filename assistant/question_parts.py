"""The parts of a question: "can it be crushed for a 2 year old, and does it need repeating?"
asks two things, and each is answered or named as not covered.

:mod:`assistant.understand` splits a message into its questions (sentences); a question is cut
further where a new question starts inside it: a comma, semicolon or "and"/"or" followed by a
question word ("..., and does it ...", "... and what side effects?"), and a question about two
things with one head ("what was the progression-free survival and the overall survival?").
Words before the first question word ("For a 4 year old with a fever: how much ...") are the
context of every part.

Each part keeps the concepts its words name; a part that names no drug, condition or term ("and
does it need repeating?") is about the subjects of its question, which it inherits (its drugs
as they are, its conditions as background that need not be named again). The
coverage check (assistant/coverage.py) then judges each part as a question of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.understand import Concept, ConceptKind, Question, Understanding

# A word that opens a question (or a part of one).
_OPENER = (
    r"(?:what(?:'s|s)?|how|when|where|which|who|whom|why|is|are|was|were|does|do|did|can|"
    r"could|should|shall|will|would|may|might|must|has|have|any|if|whether)\b"
)
# "..., and at what dose ...": a preposition may come before the question word; "..., and ok
# if she's breastfeeding?" asks without one.
_STARTS = (
    rf"(?=(?:at|in|for|with|by|on|to|from|after|before|during|under|over)\s+"
    rf"(?:what|which|how|when|whom)\b|(?:ok|okay|safe)\s+(?:in|if|with|for|when|to)\b|{_OPENER})"
)
_CUT = re.compile(
    rf"\s*[,;:]\s*(?:(?:and|or|but|plus|also|then)\s+)*{_STARTS}"
    rf"|\s+(?:and|or|but|plus)\s+(?:also\s+)?{_STARTS}",
    re.I,
)
# A question word inside a piece ("ferrous sulfate - how much ..."), or a question opened
# after a note's dash ("impetigo in a 30 year old - can he go to the gym").
_WH = re.compile(r"\b(?:what|how|when|where|which|who|why|whether)\b", re.I)
_DASH_ASK = rf"\s[-\u2013]\s+(?={_OPENER})"
_DASH_ASK_RE = re.compile(_DASH_ASK, re.I)
# A piece that asks: it opens with a question word, or has a wh-word in it.
_ASKS = re.compile(rf"^\W*(?:and\s+|or\s+|also\s+|so\s+)*{_OPENER}|{_WH.pattern}|{_DASH_ASK}", re.I)
# "what was the X and the Y": one head, two things asked.
_TWO_THINGS = re.compile(
    r"^(?P<head>.*?\b(?:what|which)\s+(?:is|are|was|were)\s+)(?P<a>the\s+[^,]+?)"
    r",?\s+and\s+(?P<b>the\s+[^,]+?)(?P<end>\??)$",
    re.I,
)
# Words before the first question that say nothing of what is asked ("Two things: ...").
_EMPTY_CONTEXT = re.compile(
    r"^\W*(?:(?:two|three|a few|some|a couple of|couple of|quick)\s+)*(?:things?|questions?|qs?)"
    r"\W*$|^\W*(?:hi|hello|hey|thanks|please|ok|okay|so|also)\b\W*$",
    re.I,
)
_LEADING_JOIN = re.compile(r"^\s*(?:and|or|also|so|plus)\s+", re.I)
MIN_PART_WORDS = 2

Concepts = Callable[[str], list[Concept]]


def split_question(text: str) -> tuple[str, list[str]]:
    """(context, parts) of one question: the words before its first question word, and its
    parts as asked, each led by that context ("In the FINAL trial, what dose ..."); each part
    has at least two words, and a question with one part gives one."""
    pieces = [p.strip() for p in _CUT.split(text.strip()) if p and p.strip()]
    context = lead = ""
    if len(pieces) > 1 and not _ASKS.match(pieces[0]):
        lead = _lead(pieces[0])
        if not lead:
            context, pieces = pieces[0], pieces[1:]
    parts: list[str] = []
    for piece in pieces:
        piece = _LEADING_JOIN.sub("", piece)
        if parts and len(piece.rstrip("?").split()) < MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]} and {piece}"
        else:
            parts.append(piece)
    parts = [q for part in parts for q in _two_things(part)]
    if lead and len(parts) > 1:
        # "permethrin for scabies in a 6 week old - how much, and where do I put it?": the
        # first part asks after its subject; each later part is asked of that subject too.
        return lead, [parts[0], *(f"{lead}, {part}" for part in parts[1:])]
    asked_first = _asked_first(context, text)
    if asked_first:
        # "cetirizine - adult dose, and is it ok in pregnancy?": the terse ask is one part;
        # each question after it is asked of its subject, not again of its ask ("dose").
        subject = _without_ask(context)
        led = [f"{subject}, {part}" if subject else part for part in parts]
        return context, [context, *led]
    if len(parts) == 1:
        return "", [text.strip()]
    if context and not _EMPTY_CONTEXT.match(context):
        parts = [f"{context}, {part}" for part in parts]
    return context, parts


def _without_ask(context: str) -> str:
    """A terse ask without its ask words: the subject ("Flixonase" of "Flixonase max dose")."""
    return " ".join(_TERSE_ASK.sub(" ", context).split()).strip(" -\u2013:,")


def _lead(piece: str) -> str:
    """The subject a first piece asks about before its question word ("ferrous sulfate" of
    "ferrous sulfate - how much iron per tablet"), or "" where it has no question word."""
    found = _WH.search(piece) or _DASH_ASK_RE.search(piece)
    if found is None:
        return ""
    lead = piece[: found.start()].strip(" -\u2013:,")
    return "" if _EMPTY_CONTEXT.match(lead) else lead


def _asked_first(context: str, text: str) -> bool:
    """Whether the words before the first question word ask by themselves and a comma or an
    "and" cuts them from it ("sertraline dose for depression, what's the max ...", "PMR -
    starting pred dose and how long ...")."""
    after = text.strip()[len(context) :]
    if not context or not _COMMA_AFTER.match(after):
        return False
    return any(not _DETERMINED.search(context[: m.start()]) for m in _TERSE_ASK.finditer(context))


# Leading words that ask by themselves ("sertraline starting dose for depression, what's the
# max ..."), cut from the rest by a comma (a colon sets context: "For a 4 year old: ...").
_TERSE_ASK = re.compile(
    r"\b(?:dose|doses|dosing|dosage|regimen|side[- ]effects?|interactions?|contraindications?|"
    r"ok|okay|safe|max|first[- ]line|second[- ]line|treatment|management|options?|choice)\b",
    re.I,
)
_COMMA_AFTER = re.compile(r"^\s*(?:,|and\b)", re.I)
# "vomited 30 minutes after the dose": a word after an article or a possessive names a thing
# of the note, it does not ask for it.
_DETERMINED = re.compile(
    r"\b(?:the|a|an|each|every|this|that|her|his|their|my|your|last|next|missed)\s+$", re.I
)


def _two_things(part: str) -> list[str]:
    match = _TWO_THINGS.match(part)
    if match is None:
        return [part]
    head, end = match.group("head"), match.group("end")
    return [f"{head}{match.group('a')}{end}", f"{head}{match.group('b')}{end}"]


def parts_of(question: Question, concepts: Concepts) -> tuple[Question, ...]:
    """The parts of ``question`` as questions of their own, each with its concepts (the
    context's among them); a part naming no subject inherits the question's subjects."""
    _, texts = split_question(question.text)
    if len(texts) == 1:
        return (question,)
    # A part inherits the question's drugs as they are, its conditions as background: "and
    # how is it adjusted in renal impairment?" asks about cefuroxime, not about sinusitis.
    subjects = [
        c if c.is_drug else replace(c, essential=False)
        for c in question.concepts
        if c.kind is ConceptKind.TERM
    ]
    parts = []
    for text in texts:
        own = concepts(text)
        inherited = [] if any(c.kind is ConceptKind.TERM for c in own) else subjects
        found = _unique([*own, *inherited])
        parts.append(Question(text, tuple(found)))
    return tuple(parts)


def _unique(found: Sequence[Concept]) -> list[Concept]:
    return list({c.label.lower(): c for c in reversed(found)}.values())[::-1]


def with_parts(understanding: Understanding, concepts: Concepts) -> Understanding:
    """``understanding`` with each question replaced by its parts."""
    questions = tuple(p for q in understanding.questions for p in parts_of(q, concepts))
    if len(questions) == len(understanding.questions):
        return understanding
    return replace(understanding, questions=questions)
