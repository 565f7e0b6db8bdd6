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
  title/heading of its passage.

Deterministic and fast: plain functions over strings and a versioned lexicon
(``assistant/data/lexicons/meaning.v1.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
import yaml

from assistant.citations import MARKER, QUANTITY, frequencies, grounded
from assistant.config import PACKAGE_DATA
from assistant.text import STOPWORDS

LEXICON = PACKAGE_DATA / "lexicons" / "meaning.v1.yaml"
_WITH_OR_WITHOUT = re.compile(r"\bwith or without\b", re.IGNORECASE)
# Where a clause ends: "; ", " and ", " but ", " whereas " (not "10 and 30" or "30 or more").
# Plain commas do not end one: "the intubation rate at 28 days, the primary outcome, was 38%".
_CLAUSE = re.compile(
    r"\s*[;:]\s+|,?(?<!\d)\s+(?:whereas|while|but|and|or)\s+"
    r"(?!\d|(?:more|above|older|over|higher|greater|less|lower|below|fewer|younger|under)\b)",
    re.IGNORECASE,
)
_COMPARE_WINDOW = 24  # characters before a number searched for its comparator


@dataclass(frozen=True)
class Pole:
    name: str
    a: re.Pattern[str]
    b: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """The compiled word lists the checks use."""

    negation: frozenset[str]  # single words
    poles: tuple[Pole, ...]
    before: tuple[tuple[str, re.Pattern[str]], ...]  # ("below" | "above", words before a number)
    after: tuple[tuple[str, re.Pattern[str]], ...]  # the same, words after it
    entities: tuple[tuple[str, re.Pattern[str]], ...]  # (display name, any of its names)
    name_shape: re.Pattern[str]  # a word shaped like a drug or disease name ("-mab", "-itis")


def _term(term: str) -> str:
    body = re.escape(term.lower()).replace(r"\*", r"[\w-]*").replace(r"\ ", r"[\s-]+")
    left = r"(?<![\w-])" if term[:1].isalnum() else ""
    right = r"(?![\w])" if term[-1:].isalnum() else ""
    return left + body + right


def _any(terms: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(_term(str(t)) for t in terms), re.IGNORECASE)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, compiled once."""
    raw = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    poles = tuple(Pole(p["name"], _any(p["a"]), _any(p["b"])) for p in raw["poles"])
    entities = tuple((str(names[0]), _any(names)) for names in raw["entities"])
    cmp = raw["comparators"]
    before = tuple((side, _end(cmp[side])) for side in ("below", "above"))
    after = tuple((side, _start(cmp[f"{side}_after"])) for side in ("below", "above"))
    shape = re.compile(
        rf"\b(?:(?:{'|'.join(raw['name_prefixes'])})[a-z]+|[a-z]+(?:{'|'.join(raw['name_suffixes'])}))\b",
        re.IGNORECASE,
    )
    return Lexicon(frozenset(raw["negations"]), poles, before, after, entities, shape)


def _end(terms: Sequence[str]) -> re.Pattern[str]:
    """Any of the terms, ending the text (just before a number)."""
    return re.compile(rf"(?:{_any(terms).pattern})\s*$", re.IGNORECASE)


def _start(terms: Sequence[str]) -> re.Pattern[str]:
    """Any of the terms, starting the text after a number and its unit ("/min or more")."""
    unit = r"(?:\s*[a-zA-Zµ%]*(?:/\w+)?)?"
    return re.compile(rf"^{unit}\s*(?:{_any(terms).pattern})", re.IGNORECASE)


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
    return [name for name, pattern in lex.entities if pattern.search(text)]


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


def _clause_mismatch(clause: str, targets: Sequence[str], lex: Lexicon) -> str | None:
    """What differs between a claim clause stating numbers and the support clause that states
    them all and shares most words with it."""
    together = facts(clause)
    stating = [t for t in targets if all(grounded(f, [t]) for f in together)]
    if not stating:
        return f"{', '.join(together)} are not stated together in the cited sentence"
    words = _stems(clause)
    target = max(stating, key=lambda t: len(words & _stems(t)))
    for value, side in _bounds(clause, lex):
        if side not in _comparators(target, value, lex):
            return f"{value} is bounded {side} in the answer, not in the cited sentence"
    return negation_problem(clause, target, lex)


def clause_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why a clause of the claim that states numbers has no clause of the support that states
    them all, with the same bounds (below/above) and the same negation; or None."""
    targets = clauses(support) or [support]
    for clause in clauses(claim):
        if facts(clause):
            problem = _clause_mismatch(clause, targets, lex)
            if problem:
                return problem
    return None


def pole_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why a direction the claim names (partial/full, before/after...) is not the support's."""
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
)


def _tokens(text: str) -> list[str]:
    for pattern, replacement in _NEGATION_PHRASES:
        text = pattern.sub(replacement, text)
    return re.findall(r"[a-z0-9]+", text.lower())


def _negated_words(tokens: list[str], cues: frozenset[str]) -> tuple[set[str], set[str]]:
    """(stems a negation reaches, other stems). A negation reaches the first content word
    after it: "must not be used" negates "used", "no adjustment is needed" negates
    "adjustment"."""
    inside: set[str] = set()
    outside: set[str] = set()
    pending = False
    for token in tokens:
        if token in cues:
            pending = True
        elif token not in STOPWORDS and len(token) > 2 and token not in _AUX:
            (inside if pending else outside).add(_stem(token))
            pending = False
    return inside, outside


_AUX = frozenset({"been", "being", "were", "has", "have", "had", "may", "must", "could", "only"})


def negation_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """Why the claim affirms what the support negates ("interchangeable" against "not
    interchangeable") or negates what it affirms; words only one side uses are not judged."""
    claim_in, claim_out = _negated_words(_tokens(claim), lex.negation)
    support_in, support_out = _negated_words(_tokens(support), lex.negation)
    flipped = (claim_out & support_in - support_out) | (claim_in & support_out - support_in)
    if flipped:
        return f"negation differs from the cited sentence on {sorted(flipped)[0]!r}"
    if claim_in and not support_in and not _contraindication(support, lex):
        return "the answer negates what the cited sentence states without negation"
    return None


def _contraindication(text: str, lex: Lexicon) -> bool:
    """Whether a text says not to do something without a negation word ("contraindicated")."""
    return any(p.a.search(text) for p in lex.poles if p.name == "contraindication/indication")


def entity_problem(claim: str, support: str, context: str, lex: Lexicon) -> str | None:
    """Why a drug, condition or population the claim names is not in the support."""
    where = f"{support}\n{context}"
    for name, pattern in lex.entities:
        if pattern.search(claim) and not pattern.search(where):
            return f"{name!r} is not named in the cited sentence"
    known = _stems(where)
    for match in lex.name_shape.finditer(claim):
        if _stem(match.group(0).lower()) not in known:
            return f"{match.group(0)!r} is not named in the cited sentence"
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
        or entity_problem(plain, support, context, lex)
    )


_TOKEN = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w for w in _TOKEN.findall(text.lower()) if len(w) > 3 or w.isdigit()}


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _words(text)}
