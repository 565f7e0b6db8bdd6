"""Does the support name what the claim names? Drugs, conditions, populations and age groups,
and settings of care, for the meaning checks (:mod:`assistant.meaning`).

Any name the terminology knows counts as its concept ("Calpol" is paracetamol); pre-eclampsia
is never eclampsia and a "non-anaphylactic reaction" is no anaphylaxis; a drug's class stands
for it only where the claim is about safety or interactions; a condition counts as named where
the support names a broader or narrower one, or its adjective ("anaphylactic"); an age group
is named by an age band inside its ages; a treatment only the title names must not stand in
for another the support sentence names.
"""

from __future__ import annotations

import re

from assistant.language.grammar import grammar
from assistant.language.terminology import Concept, Mention, Terminology
from assistant.language.tokens import stem, stems, tokens
from assistant.meaning.ages import ages
from assistant.meaning.lexicon import SUBSTITUTABLE, Lexicon, entities, entity_kind, lexicon

# What makes a claim about safety or interactions: there a drug's class stands for it
# ("naltrexone is contraindicated with opioid analgesics" speaks of oxycodone).
_SAFETY = re.compile(
    r"\b(?:contraindicat\w*|interact\w*|avoid\w*|caution\w*|safe\w*|risk\w*|allerg\w*|"
    r"cross-react\w*|hypersensitiv\w*|must not|should not|do not|concomitant\w*)\b",
    re.IGNORECASE,
)


def _same_or_related(concept: Concept, named: dict[str, Concept], safety: bool) -> bool:
    """Whether ``named`` (the support's concepts by id) holds ``concept``: itself; for a
    condition, a broader or narrower one (otitis media and ear infection); for a drug in a
    claim about safety or interactions, a class it belongs to."""
    if concept.id in named:
        return True
    if concept.kind == "condition":
        return any(b in named for b in concept.broader) or any(
            concept.id in other.broader for other in named.values()
        )
    return safety and concept.kind == "drug" and any(b in named for b in concept.broader)


def named_concepts(
    text: str, terminology: Terminology
) -> tuple[dict[str, Concept], dict[str, Concept]]:
    """(the concepts a text names, those it names as their negation: "non-anaphylactic")."""
    found = terminology.mentions(text)
    named = {m.concept.id: m.concept for m in found if not _denied(text, m)}
    return named, {m.concept.id: m.concept for m in found if _denied(text, m)}


def _adjective(mention: Mention, text: str) -> bool:
    """Whether ``text`` names the condition of ``mention`` by its adjective ("glial
    inflammatory responses" for "inflammation", "anaphylactic" for "anaphylaxis",
    "dehydrated" for "dehydration")."""
    if mention.concept.kind != "condition":
        return False
    written = mention.text.lower().split()[-1]
    forms = {
        written[: -len(noun)] + adjective
        for noun, adjective in lexicon().adjectives
        if written.endswith(noun) and len(written) > len(noun) + 2
    }
    return bool(forms & {t.lower for t in tokens(text)})


_SPREAD = 3  # words a condition's written words may stand apart ("viral lower respiratory
# tract infection" says "viral infection")


def _as_written(mention: Mention, support: str) -> bool:
    """Whether the support writes every word of the condition's name, in order, close
    together; a word inside a hyphenated one is not written ("eclampsia" in "pre-eclampsia")."""
    wanted = [t.lower for t in tokens(mention.text)]
    written = [t.lower for t in tokens(support)]
    for start, word in enumerate(written):
        if word != wanted[0]:
            continue
        window = written[start : start + len(wanted) + _SPREAD]
        at = 0
        for found in window:
            if at < len(wanted) and found == wanted[at]:
                at += 1
        if at == len(wanted):
            return True
    return False


def _aged(mention: Mention, where: str) -> bool:
    """Whether an age group the claim names ("a child") is named by the support's ages: it
    gives an age band inside the group's ages ("5 years to less than 10 years")."""
    group = mention.concept.ages
    if mention.concept.kind != "population" or group is None:
        return False
    return any(group[0] <= low and high <= group[1] for low, high in ages(where))


def _words_written(mention: Mention, support: str) -> bool:
    """Whether the support writes every word of a name of two or more words, in any order
    ("diuretics (particularly thiazides)" for "thiazide diuretics"); never a name with a
    number ("type 1 diabetes")."""
    words = [t.lower for t in tokens(mention.text)]
    if len(words) < 2 or any(not w.isalpha() for w in words):
        return False
    return {stem(w) for w in words} <= stems(support)


# A support that speaks of symptoms in general names each sign or symptom: "until the
# symptoms are relieved" says "until the pain settles".
_SYMPTOMS = re.compile(r"\bsymptoms?\b", re.IGNORECASE)


def _denied(text: str, mention: Mention) -> bool:
    """Whether a name is written as its negation: "non-anaphylactic" is no anaphylaxis, and
    "women who are not pregnant" are non-pregnant women."""
    written = text[max(0, mention.start - 4) : mention.end].lower()
    if written.startswith("non-") or mention.text.lower().startswith("non-"):
        return True
    return mention.concept.kind == "population" and bool(_NOT_BEFORE.search(text[: mention.start]))


_NOT_BEFORE = re.compile(r"\b(?:not|no longer)\s+$", re.IGNORECASE)


def entity_problem(
    claim: str,
    support: str,
    context: str,
    lex: Lexicon,
    terminology: Terminology,
    earlier: str = "",
) -> str | None:
    """Why a drug, condition or population the claim names is not the one its support (or
    its passage's title/heading) names: any name the terminology knows counts as that thing
    ("Calpol" is paracetamol), and pre-eclampsia is never eclampsia. A condition counts when
    the support sentence names it, a broader or narrower one, or writes its words ("viral
    lower respiratory tract infection" for "viral infection"), or the title names it (a title
    on "drug allergy" names no anaphylaxis). An abbreviation the corpus does not confirm
    ("AAP") is not judged. A sentence that names nothing of a kind ("The dose is reduced in
    renal impairment") speaks of what its passage named of that kind before it."""
    where = f"{support}\n{context}"
    named, denied = named_concepts(support, terminology)
    titled = named_concepts(context, terminology)[0]
    # what the passage named before the sentence: read once for every name of the claim
    before = named_concepts(earlier, terminology)[0] if earlier else {}
    running = _running_subjects(before, named, denied)
    safety = bool(_SAFETY.search(claim))
    for mention in entities(claim, terminology):
        if not mention.certain:
            continue  # an abbreviation the corpus does not confirm ("AAP") names nothing sure
        concept = mention.concept
        if _denied(claim, mention):
            ok = _same_or_related(concept, denied, safety)
        else:
            classed = (
                safety and concept.kind == "drug" and any(b in titled for b in concept.broader)
            )
            ok = _same_or_related(concept, named, safety) or concept.id in titled or classed
            ok = ok or _same_or_related(concept, running, safety)
            ok = ok or _only_drug_before(concept, named, before)
        ok = ok or _aged(mention, where) or _adjective(mention, support)
        ok = ok or (concept.symptom and bool(_SYMPTOMS.search(support)))
        ok = ok or _words_written(mention, support)
        if not ok and not (concept.kind == "condition" and _as_written(mention, support)):
            return f"{mention.text!r} is not named in the cited sentence"
    known = stems(where)
    for match in grammar().name_shape.finditer(claim):
        if stem(match.group(0).lower()) not in known:
            return f"{match.group(0)!r} is not named in the cited sentence"
    return swap_problem(claim, support, terminology, context)


def _only_drug_before(
    concept: Concept, named: dict[str, Concept], before: dict[str, Concept]
) -> bool:
    """Whether ``concept`` is the one drug its passage named (``before``) ahead of a sentence
    that names none ("Levothyroxine is the treatment ... For adults under 65, the starting
    dose is 1.6 micrograms/kg"): with one drug there is no other to credit the dose to."""
    if concept.kind != "drug" or any(c.kind == "drug" for c in named.values()):
        return False
    return {c.id for c in before.values() if c.kind == "drug"} == {concept.id}


# A drug named earlier is never taken for one a sentence leaves unnamed: passages list drugs
# one after another, and a dose credited to the wrong one is the error that matters most.
_RUNNING_KINDS = frozenset({"condition", "population"})


def _running_subjects(
    before: dict[str, Concept],
    named: dict[str, Concept],
    denied: dict[str, Concept] | None = None,
) -> dict[str, Concept]:
    """The concepts the passage named before a sentence (``before``), of each kind the sentence
    itself names nothing of: "The dose is reduced ..." after "Aciclovir for shingles ..." is
    aciclovir's dose in shingles; a sentence that names a drug is about that drug, not the one
    before, and one that sets a thing aside ("a non-anaphylactic reaction") is not about it."""
    kinds = {c.kind for c in named.values()} | {c.kind for c in (denied or {}).values()}
    return {i: c for i, c in before.items() if c.kind in _RUNNING_KINDS and c.kind not in kinds}


def swap_problem(
    claim: str, support: str, terminology: Terminology, context: str = ""
) -> str | None:
    """Why the claim names a treatment, condition or population that only the passage's title
    names, where the supporting sentence names another of the same kind that the claim does
    not: the claim put one in place of the other ("high-flow" for "bilevel"). The title's one
    topic of a kind ("Bronchiolitis in children") is what every sentence of it is about."""
    ours = [m for m in entities(claim, terminology) if entity_kind(m) in SUBSTITUTABLE]
    theirs = entities(support, terminology)
    claimed = {m.concept.id for m in ours}
    supported = {m.concept.id for m in terminology.mentions(support)}
    for mention in ours:
        if mention.concept.id in supported or _topic(mention, context, terminology):
            continue
        if _words_written(mention, support):
            continue
        for other in theirs:
            same_kind = entity_kind(other) == entity_kind(mention)
            if same_kind and other.concept.id not in claimed and not _adjective(other, claim):
                return f"the cited sentence names {other.text!r}, not {mention.text!r}"
    return None


def _topic(mention: Mention, context: str, terminology: Terminology) -> bool:
    """Whether ``mention`` is the one thing of its kind the title names (its concepts all the
    same or broader and narrower of one another)."""
    kind = entity_kind(mention)
    named = {m.concept for m in entities(context, terminology) if entity_kind(m) == kind}
    if mention.concept not in named:
        return False
    return all(a.id == b.id or a.id in b.broader or b.id in a.broader for a in named for b in named)


def setting_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why the claim is set where its support is not ("in the community" where the support
    gives only "in hospital"); None where the support gives no setting, or this one."""
    theirs = {name for name, pattern in lex.settings if pattern.search(support)}
    if not theirs:
        return None
    for name, pattern in lex.settings:
        said = pattern.search(claim)
        if said and name not in theirs:
            return f"{said.group(0)!r} is not the setting of the cited sentence"
    return None
