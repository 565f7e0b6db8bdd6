"""Does the supporting sentence say what the answer sentence says? Checks on meaning, in code.

Word overlap keeps a sentence that takes every number from its passage and reverses what they
mean ("changes from partial to full blockade at 4.5 mg", where 4.5 mg is the *partial* dose).
These checks compare one answer sentence with one sentence of a cited passage (its
*supporting sentence*) and say why it does not support it:

- every number, dose, unit and frequency of the answer sentence is in the supporting sentence,
  and numbers stated together in one clause of the answer are stated together in one clause of
  the support ("every 48 hours ... below 30 mL/min" is not "every 24 hours at 10 to less than
  30 mL/min and every 48 hours below 10 mL/min");
- a number's comparator agrees ("below 30" is not "30 or more");
- a direction named in the answer (partial/full, before/after, increase/decrease,
  contraindicated/indicated) is named in the support;
- negations agree: what the support negates the answer does not affirm, and the reverse;
- a drug, condition or population named in the answer is named in the support or in the
  title/heading of its passage, and is not one the title names in place of another of its
  kind that the support names ("high-flow" where the support says "bilevel");
- inside the sentences (:mod:`assistant.meaning_scope`): denials reach the same words, each
  value goes with the same treatment, condition, direction and regimen step, and what comes
  before what is kept in order.

:func:`contradiction` tells when another cited sentence says the opposite of what the
supporting sentence leaves out.

Deterministic and fast: plain functions over strings and a versioned lexicon
(``assistant/data/lexicons/meaning.v1.yaml``).
"""

from __future__ import annotations

import re

from assistant.citations import MARKER, QUANTITY, frequencies, grounded
from assistant.meaning_lexicon import SUBSTITUTABLE, Lexicon, lexicon, stem, stems
from assistant.meaning_scope import (
    attachment_problem,
    order_problem,
    polarity_problem,
    same_denial,
)
from assistant.text import STOPWORDS

# Where a clause ends: "; ", " and ", " but ", " whereas " (not "10 and 30" or "30 or more").
# Plain commas do not end one: "the intubation rate at 28 days, the primary outcome, was 38%".
_CLAUSE = re.compile(
    r"\s*[;:]\s+|,?(?<!\d)\s+(?:whereas|while|but|and|or)\s+"
    r"(?!(?:more|above|older|over|higher|greater|less|lower|below|fewer|younger|under)\b)",
    re.IGNORECASE,
)
# characters before a number searched for its comparator ("below a creatinine clearance of")
_COMPARE_WINDOW = 48


def clauses(text: str) -> list[str]:
    """A sentence cut where its clauses join (semicolons, commas, and/but/whereas)."""
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


_NAME_NUMBER = re.compile(r"[A-Za-z]-$")  # "KEYNOTE-355", "6-beta" are names, not values
_YEAR = re.compile(r"(?:19|20)\d\d")


def facts(text: str) -> list[str]:
    """The values (numbers with units) and frequencies a text states. A year or a number that
    is part of a name ("KEYNOTE-355") is no value: it must be in the cited passage (checked
    there), not in the same sentence."""
    plain = MARKER.sub("", text)
    values = [
        m.group(0).strip()
        for m in QUANTITY.finditer(plain)
        if not _NAME_NUMBER.search(plain[max(0, m.start() - 2) : m.start()])
        and not (m.group(2) is None and _YEAR.fullmatch(m.group(1)))
    ]
    return values + frequencies(text)


def named(text: str, lex: Lexicon) -> list[str]:
    """The drugs, conditions and populations a text names (their display names)."""
    return [e.name for e in lex.entities if e.pattern.search(text)]


def comparator(text: str, start: int, end: int, lex: Lexicon) -> str | None:
    """ "below" / "above" when the number at text[start:end] carries a comparator."""
    before = text[max(0, start - _COMPARE_WINDOW) : start]
    after = text[end : end + _COMPARE_WINDOW]
    for name, pattern in lex.before:
        if pattern.search(before):
            return name
    for name, pattern in lex.after:
        if pattern.search(after):
            return name
    return None


def _comparators(text: str, value: str, lex: Lexicon) -> set[str | None]:
    pattern = rf"(?<![\d.]){re.escape(value)}(?![\d]|\.\d)"
    return {comparator(text, m.start(), m.end(), lex) for m in re.finditer(pattern, text)}


def _bounds(clause: str, lex: Lexicon) -> list[tuple[str, str]]:
    """(number, "below" | "above") for each single number of a clause that carries a bound."""
    found = []
    for match in QUANTITY.finditer(clause):
        if re.search(r"\d\s*(?:-|–|to)\s*\d", match.group(0)):
            continue  # a range carries its own bounds
        side = comparator(clause, match.start(), match.end(), lex)
        if side is not None:
            found.append((match.group(1), side))
    return found


def _kind(fact: str) -> str:
    """What a fact measures: its unit, "frequency", or "number" for a bare number."""
    match = QUANTITY.fullmatch(fact)
    if match is None:
        return "frequency"
    return (match.group(2) or "number").lower()


def _windows(support: str) -> list[str]:
    """Runs of consecutive comma-separated pieces of the support's clauses."""
    pieces = [p for c in clauses(support) for p in re.split(r",\s+", c) if p.strip()]
    return [" ".join(pieces[i : j + 1]) for i in range(len(pieces)) for j in range(i, len(pieces))]


def _stated_with(together: list[str], clause: str, window: str) -> bool:
    """Whether a window states every fact of the clause and no other value of the same kind
    ("750 mg every 12 hours when clearance is 10-20 mL/min" is not "every 8 hours")."""
    if not all(grounded(f, [window]) for f in together):
        return False
    kinds = {_kind(f) for f in together} - {"number"}  # bare numbers count too many things
    return all(grounded(f, [clause]) for f in facts(window) if _kind(f) in kinds)


def _clause_mismatch(clause: str, support: str, lex: Lexicon) -> str | None:
    """What differs between a claim clause stating numbers and the stretch of the support that
    states them all (and no other value of their kind), sharing most words with it."""
    together = facts(clause)
    stating = [w for w in _windows(support) if _stated_with(together, clause, w)]
    if not stating:
        return f"{', '.join(together)} are not stated together in the cited sentence"
    words = _stems(clause)
    target = max(stating, key=lambda t: (len(words & _stems(t)), -len(t)))
    for value, side in _bounds(clause, lex):
        if side not in _comparators(target, value, lex):
            return f"{value} is bounded {side} in the answer, not in the cited sentence"
    return negation_problem(clause, target, lex)


def clause_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why a clause of the claim that states numbers has no clause of the support that states
    them all, with the same bounds (below/above) and the same negation; or None."""
    for clause in clauses(claim):
        if facts(clause):
            problem = _clause_mismatch(clause, support, lex)
            if problem:
                return problem
    return None


# A comparative that sizes a change is no direction: "a greater reduction" is a reduction.
_MAGNITUDE = re.compile(
    r"\b(?:greater|larger|bigger|more|smaller|less)\s+(?=(?:[a-z]+\s+)?(?:reduction|decrease|"
    r"decline|drop|fall|loss|increase|rise|gain|improvement)s?\b)",
    re.IGNORECASE,
)


def _directions(text: str) -> str:
    return _MAGNITUDE.sub("", text.replace("-", " "))  # "higher-than-recommended"


def pole_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why a direction the claim names (partial/full, before/after...) is not the support's."""
    claim, support = _directions(claim), _directions(support)
    for pole in lex.poles:
        for side, other in ((pole.a, pole.b), (pole.b, pole.a)):
            said = side.search(claim)
            if said and not side.search(support):
                opposite = " (it says the opposite)" if other.search(support) else ""
                return f"{said.group(0)!r} is not what the cited sentence says{opposite}"
    return None


_NEGATION_PHRASES = (
    (re.compile(r"\bwith or without\b", re.I), "with"),
    (re.compile(r"\brather than\b", re.I), "not"),
    (re.compile(r"n't\b|\bnon-", re.I), " not "),
    # a bound, not a negation: "no more than 2 doses" is "at most 2 doses"
    (re.compile(r"\b(?:no|not)\s+(?:more|less|fewer|greater|higher|lower)\s+than\b", re.I), " "),
)
# Words a negation reaches past: "not significantly improve" negates "improve".
_AUX = frozenset(
    {"been", "being", "were", "has", "have", "had", "may", "must", "could", "only", "whether"}
    | {"also", "always", "necessarily", "significantly", "statistically", "yet", "just", "even"}
    | {"usually", "routinely", "generally", "currently"}
)


def _tokens(text: str) -> list[str]:
    for pattern, replacement in _NEGATION_PHRASES:
        text = pattern.sub(replacement, text)
    return re.findall(r"\d+(?:\.\d+)?|[a-z0-9]+", text.lower())


def _content(token: str) -> bool:
    if token[0].isdigit():
        return True  # "was not 0.65"
    return token not in STOPWORDS and len(token) > 2 and token not in _AUX


def _negated_words(tokens: list[str], lex: Lexicon) -> tuple[set[str], set[str]]:
    """(stems a negation reaches, other stems). A negation reaches the first content word
    after it: "must not be used" negates "used", "no adjustment is needed" negates
    "adjustment". Words the lexicon reads as one ("superior", "better") count as one."""
    inside: set[str] = set()
    outside: set[str] = set()
    pending = False
    for token in tokens:
        if token in lex.negation:
            pending = True
        elif _content(token):
            word = _stem(lex.same.get(token, token))
            (inside if pending else outside).add(word)
            pending = False
    return inside, outside


def flipped_negation(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why the claim affirms what the support negates ("interchangeable" against "not
    interchangeable") or negates what it affirms; words only one side uses are not judged."""
    claim_in, claim_out = _negated_words(_tokens(claim), lex)
    support_in, support_out = _negated_words(_tokens(support), lex)
    flipped = (claim_out & support_in - support_out) | (claim_in & support_out - support_in)
    flipped -= same_denial(claim, support)
    if flipped:
        return f"negation differs from the cited sentence on {sorted(flipped)[0]!r}"
    return None


def negation_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """:func:`flipped_negation`, or a claim that negates where the support does not."""
    problem = flipped_negation(claim, support, lex)
    if problem:
        return problem
    claim_in, _ = _negated_words(_tokens(claim), lex)
    support_in, _ = _negated_words(_tokens(support), lex)
    if claim_in and not support_in and not _contraindication(support, lex):
        return "the answer negates what the cited sentence states without negation"
    return None


def _contraindication(text: str, lex: Lexicon) -> bool:
    """Whether a text says not to do something without a negation word ("contraindicated")."""
    return any(p.a.search(text) for p in lex.poles if p.name == "contraindication/indication")


def entity_problem(claim: str, support: str, context: str, lex: Lexicon) -> str | None:
    """Why a drug, condition or population the claim names is not in the support."""
    where = f"{support}\n{context}"
    for entity in lex.entities:
        if entity.pattern.search(claim) and not entity.pattern.search(where):
            return f"{entity.name!r} is not named in the cited sentence"
    known = _stems(where)
    for match in lex.name_shape.finditer(claim):
        if _stem(match.group(0).lower()) not in known:
            return f"{match.group(0)!r} is not named in the cited sentence"
    return swap_problem(claim, support, lex)


def swap_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why the claim names a treatment, condition or population that only the passage's title
    names, where the supporting sentence names another of the same kind that the claim does
    not: the claim put one in place of the other ("high-flow" for "bilevel")."""
    ours = [e for e in lex.entities if e.kind in SUBSTITUTABLE and e.pattern.search(claim)]
    for entity in ours:
        if entity.pattern.search(support):
            continue
        for other in lex.entities:
            named = other.pattern.search(support) and not other.pattern.search(claim)
            if other.kind == entity.kind and named:
                return f"the cited sentence names {other.name!r}, not {entity.name!r}"
    return None


def fact_problem(claim: str, support: str) -> str | None:
    """Why a number or frequency of the claim is not in the supporting sentence."""
    for fact in facts(claim):
        if not grounded(fact, [support]):
            return f"{fact!r} is not in the cited sentence"
    return None


def meaning_problem(claim: str, support: str, context: str = "") -> str | None:
    """Why ``support`` (one passage sentence; ``context`` its title/heading) does not say what
    ``claim`` (one answer sentence or clause, markers allowed) says, or None when it does."""
    lex = lexicon()
    plain = MARKER.sub("", claim)
    return (
        fact_problem(plain, support)
        or clause_problem(plain, support, lex)
        or pole_problem(plain, support, lex)
        or negation_problem(plain, support, lex)
        or polarity_problem(plain, support)
        or entity_problem(plain, support, context, lex)
        or attachment_problem(plain, support, lex)
        or order_problem(plain, support)
    )


def contradiction(claim: str, sentence: str) -> str | None:
    """Why ``sentence`` (another sentence of a cited passage) says the opposite of ``claim``:
    a negation flipped, the opposite direction, the opposite polarity; or None."""
    lex = lexicon()
    plain = MARKER.sub("", claim)
    pole = pole_problem(plain, sentence, lex)
    if pole and pole.endswith("(it says the opposite)"):
        return pole
    return flipped_negation(plain, sentence, lex) or polarity_problem(plain, sentence)


_stem = stem
_stems = stems
