"""Meaning checks that need the parts of a sentence: which clause says what, and which number
each named thing or direction word goes with.

:mod:`assistant.meaning` compares whole sentences; these checks look inside them:

- *polarity*: a claim clause is negated (or a contraindication) exactly when the clause of the
  supporting sentence that it matches is ("did not improve fatigue" is not "fatigue improved");
- *attachment*: a number the claim gives to a treatment, condition, population, direction or
  regimen step ("started at 100 mg") is the number the support gives to it, not another
  ("starts with 25 mg ...; alternative schedules include 100 mg every other day");
- *order*: what comes before or after what ("A before B" is not "B before A").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.language import quantities
from assistant.language.markers import strip as strip_markers
from assistant.language.negation import Denial, denials
from assistant.language.negation import content_stems as _content
from assistant.language.quantities import Quantity
from assistant.language.routes import drug_routes
from assistant.language.sentences import CONTRAST, clause_spans, parts
from assistant.language.terminology import Terminology
from assistant.language.tokens import name_words, stem
from assistant.meaning.lexicon import ENTITY_KINDS, SUBSTITUTABLE, Lexicon, entities, entity_kind
from assistant.meaning.values import stated

_SHARED = 2  # words a denial must share with the other sentence to be judged
_ORDER = ("before", "after", "rather than", "instead of")
_AFTER_BIAS = 3  # characters: a word goes with the number after it when nearly equidistant


def _terms(text: str) -> set[str]:
    """Stems of the words of a text that can name something, short names too ("NIV")."""
    return {stem(w) for w in name_words(text)}


def _about_other_value(denial: Denial, other: str) -> bool:
    """Whether a denial is about a value the other text does not state ("no adjustment when
    clearance is 30 mL/min or more" says nothing of 10 mL/min)."""
    said = quantities.values(denial.scope)
    return bool(said) and not any(stated(v, other) for v in said)


def _undenied(denied: list[Denial], other: str, matches: Callable[[Denial], bool]) -> set[str]:
    """Words one text denies that the other states (two or more) without a matching denial."""
    words = _content(other)
    for denial in denied:
        shared = denial.words & words
        if len(shared) < _SHARED or _about_other_value(denial, other):
            continue
        if not matches(denial):
            return set(shared)
    return set()


def same_denial(claim: str, support: str) -> set[str]:
    """Stems of the parts where both texts deny the same thing in other words ("no renal
    dose adjustment is needed" and "no adjustment is needed", see :func:`_same_denied`): a
    negation reaching another word there is no flip."""
    ours, theirs = denials(claim), denials(support)
    return {
        stem
        for d in ours
        for t in theirs
        if _same_denied(d, t) and not (d.double or t.double)
        for stem in d.part | t.part
    }


def _same_denied(ours: Denial, theirs: Denial) -> bool:
    """Whether two denials deny one thing: two or more denied words in common, or a denied
    word in common in parts that share two or more ("a difference that was not significant"
    and "neither difference was statistically significant")."""
    if len(ours.words & theirs.words) >= _SHARED:
        return True
    return bool(ours.words & theirs.words) and len(ours.part & theirs.part) >= _SHARED


def polarity_problem(claim: str, support: str) -> str | None:
    """Why the claim states what the support denies or rules out ("fatigue and sleep did"
    against "did not improve fatigue or sleep"), or denies what it states; None when each
    denial that reaches words of the other sentence is matched by a denial there (one the
    claim or the support adds must be about the same words)."""
    ours, theirs = denials(claim), denials(support)
    said = _undenied(theirs, claim, lambda d: any(d.words & o.part for o in ours))
    if said:
        return f"the cited sentence denies or rules out what the answer says of {sorted(said)}"
    said = _undenied(ours, support, lambda d: any(d.part & t.part for t in theirs))
    if said:
        return f"the answer denies what the cited sentence says of {sorted(said)}"
    return None


def order_problem(claim: str, support: str) -> str | None:
    """Why the claim puts first what the support puts second ("A before B" against "B
    before A"); None when both keep one order or either lacks the connecting word."""
    for word in _ORDER:
        pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
        ours = _around(pattern, claim)
        if ours is None:
            continue
        words = ours[0] | ours[1]
        theirs = [_around(pattern, part) for _, part in parts(support)]
        candidates = [t for t in theirs if t is not None]
        if not candidates:
            continue
        s_left, s_right = max(candidates, key=lambda t: len(words & (t[0] | t[1])))
        if ours[0] & s_right - s_left and ours[1] & s_left - s_right:
            return f"the answer reverses what comes {word} what in the cited sentence"
    return None


def _around(pattern: re.Pattern[str], text: str) -> tuple[set[str], set[str]] | None:
    """The words of the first part with one occurrence of ``pattern``: before, after."""
    for _, part in parts(text):
        found = list(pattern.finditer(part))
        if len(found) == 1:
            return _terms(part[: found[0].start()]), _terms(part[found[0].end() :])
    return None


@dataclass(frozen=True)
class Mention:
    """Something a number can belong to: a named thing, a direction, a regimen step."""

    label: str  # "treatments:naltrexone", "partial/full:b", "qualifier:start"
    start: int
    end: int

    @property
    def kind(self) -> str:
        return self.label.partition(":")[0]


def mentions(text: str, lex: Lexicon, terminology: Terminology) -> list[Mention]:
    """Every mention in the text: the named things the terminology reads (each name whole:
    "low-dose naltrexone" is one thing, not also "naltrexone"), directions, regimen steps."""
    named = [
        Mention(f"{entity_kind(m)}:{m.concept.id}", m.start, m.end)
        for m in entities(text, terminology)
    ]
    return named + list(_directions(text, lex))


def _directions(text: str, lex: Lexicon) -> Iterator[Mention]:
    for pole in lex.poles:
        if not pole.attaches:
            continue
        for side, pattern in (("a", pole.a), ("b", pole.b)):
            for m in pattern.finditer(text):
                yield Mention(f"{pole.name}:{side}", m.start(), m.end())
    for name, pattern in lex.qualifiers:
        for m in pattern.finditer(text):
            yield Mention(f"qualifier:{name}", m.start(), m.end())


def attached(text: str, lex: Lexicon, terminology: Terminology) -> set[tuple[str, Key, str]]:
    """(mention label, value key, unit): each mention goes with the nearest value of each unit
    in its part of the sentence; a named thing before the first value of a sentence whose
    parts do not contrast goes with every value ("In adults, 250 mg ..., and 500 mg ...")."""
    plain = strip_markers(text)
    found = quantities.values(plain)
    if not found:
        return set()
    spans = [(offset, offset + len(part)) for offset, part in parts(plain)]
    shared = len(spans) > 1 and not CONTRAST.search(plain)
    pairs: set[tuple[str, Key, str]] = set()
    for mention in mentions(plain, lex, terminology):
        if shared and mention.kind in SUBSTITUTABLE and mention.end <= found[0].start:
            pairs.update((mention.label, v.key, _unit(v)) for v in found)
            continue
        start, end = next(((s, e) for s, e in spans if s <= mention.start < e), (0, len(plain)))
        within = [v for v in found if start <= v.start < end]
        pairs.update(_nearest(mention, within, plain, _clause_of(mention, plain)))
    return pairs


def _clause_of(mention: Mention, text: str) -> tuple[int, int]:
    """The span of the comma piece of the clause (cut at and/or/but, semicolons) where a
    mention is ("38% with high-flow oxygen, 47% with standard oxygen": high-flow goes with
    38%)."""
    clause = next((c for c in clause_spans(text) if c.start <= mention.start < c.end), None)
    if clause is None:
        return 0, len(text)
    offset = clause.start
    for piece in _COMMA.split(clause.text):
        start = clause.text.index(piece, offset - clause.start) + clause.start
        if start <= mention.start < start + len(piece):
            return start, start + len(piece)
        offset = start + len(piece)
    return clause.start, clause.end


_COMMA = re.compile(r",\s+")
Key = tuple[object, ...]
Pair = tuple[str, Key, str]  # (mention label, value key, unit)


def _unit(value: Quantity) -> str:
    """What a value measures ("mass", "mass/kg"): 1 g and 1000 mg are one value."""
    return quantities.kind(value)


def _nearest(
    mention: Mention, found: list[Quantity], text: str, clause: tuple[int, int]
) -> Iterator[tuple[str, Key, str]]:
    """The nearest value of each unit to a mention - in its own clause where that clause has
    one ("53% and complete responses in 21%": complete goes with 21%) -, with the values
    listed with it ("250 mg or 500 mg")."""
    for unit in {_unit(v) for v in found}:
        same = [v for v in found if _unit(v) == unit]
        near = [v for v in same if clause[0] <= v.start < clause[1]] or same
        best = min(near, key=lambda v: _distance(mention, v))
        for value in quantities.listed_run(best, same, text):
            yield mention.label, value.key, unit


def _distance(mention: Mention, value: Quantity) -> int:
    if value.start >= mention.end:
        return value.start - mention.end
    return max(0, mention.start - value.end) + _AFTER_BIAS


def attachment_problem(
    claim: str, support: str, lex: Lexicon, terminology: Terminology
) -> str | None:
    """Why a number goes with another thing in the support than in the claim: a direction or
    regimen step the support gives only to other values ("full" with 50 mg, not 1 to 5 mg);
    a named thing the support gives to another value, where the claim's value goes with
    something else the claim does not name (500 mg for skin infections, not pharyngitis)."""
    ours, theirs = attached(claim, lex, terminology), attached(support, lex, terminology)
    named = {label for label, _, _ in ours}
    for label, key, unit in sorted(ours, key=repr):
        elsewhere = {k for lab, k, u in theirs if lab == label and u == unit}
        if not elsewhere or key in elsewhere:
            continue
        kind = label.partition(":")[0]
        owners = {lab for lab, k, u in theirs if k == key and lab.startswith(f"{kind}:")}
        if kind in ENTITY_KINDS and kind not in SUBSTITUTABLE:
            continue  # a class or a comparator ("placebo") is no one thing a value belongs to
        if kind not in SUBSTITUTABLE or owners - named or _swapped(label, key, ours, theirs):
            given = _value_text(sorted(elsewhere, key=repr)[0], support)
            ours_text = _value_text(key, claim)
            return f"the cited sentence gives {_shown(label)!r} {given}, not {ours_text}"
    return None


def _swapped(label: str, key: Key, ours: set[Pair], theirs: set[Pair]) -> bool:
    """Whether the claim swaps two named things' values: it gives ``label`` the value the
    support gives only another thing it names, and gives that thing a value the support
    gives only ``label`` ("60% with phenytoin and 50% with levetiracetam" for the reverse)."""
    kind = label.partition(":")[0]
    for other, _, _ in theirs:
        if other == label or not other.startswith(f"{kind}:"):
            continue
        own = {k for lab, k, _ in theirs if lab == label}
        its = {k for lab, k, _ in theirs if lab == other}
        claimed = {k for lab, k, _ in ours if lab == other}
        if key in its - own and claimed and claimed <= own - its:
            return True
    return False


def _value_text(key: Key, text: str) -> str:
    """How ``text`` writes the value with this key ("500 mg")."""
    found = [v.text for v in quantities.values(strip_markers(text)) if v.key == key]
    return found[0] if found else "another value"


def _shown(label: str) -> str:
    """A mention label as a reader says it: "sinusitis", "start", "full" (for
    "partial/full:b")."""
    kind, _, what = label.partition(":")
    if "/" in kind and what in ("a", "b"):
        return kind.split("/")[what == "b"]
    return what.partition(":")[2] or what  # "condition:sinusitis" -> "sinusitis"


# A route that names a kind of another: a nebulised drug is inhaled.
_ROUTE_KIND = {"nebulised": "inhaled"}


def route_problem(claim: str, support: str, terminology: Terminology) -> str | None:
    """Why the claim gives a drug by a route its support does not give it by ("buccal
    lorazepam" where the support gives lorazepam intravenously); None where the support gives
    the drug no route, or the same one."""
    theirs = drug_routes(support, terminology)
    for drug, ways in drug_routes(claim, terminology).items():
        given = theirs.get(drug)
        if not given:
            continue
        given = given | {_ROUTE_KIND.get(r, r) for r in given}
        for way in sorted(ways - given):
            return f"the cited sentence does not give {drug.partition(':')[2]} {way}"
    return None
