"""Values as the meaning checks compare them: by value, with their bounds and age bands.

Built on the quantity grammar (:mod:`assistant.language.quantities`), for comparing a claim
with its support:

- ``value_text.normalize`` writes ranges, counts and rates the one way the grammar reads
  them, keeping every character where it was: "between 3 and 5 days" is "3 to 5 days", "5 to
  under 10 years" is "5 to 10 years", "three times in 24 hours" and "3 times daily" are
  "3 times a day";
- :func:`side` reads a value's bound with the comparators of the grammar and those of the
  meaning lexicon ("no later than 4 hours" is at most 4 hours, "children over 12 years"
  above 12 years, "35 weeks' gestation or more" above 35 weeks);
- :func:`claim_facts`: the values a claim states, a "single dose" next to a dosing
  frequency read as an individual dose, not a one-off ("the usual single dose ... every
  24 hours");

Age bands and age groups are compared in :mod:`assistant.meaning.ages`.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from functools import lru_cache

from assistant.language import quantities
from assistant.language.grammar import alternatives, load_data
from assistant.language.quantities import Fact, Frequency, Quantity
from assistant.language.terminology import Mention, Terminology
from assistant.meaning.comparators import (
    COMPARATIVE,
    LIMITED,
    LOW_COMPARATIVES,
    negated_at,
    turned,
)
from assistant.meaning.lexicon import LEXICON
from assistant.meaning.value_text import AGE_CONTEXT, NEAR, OLD, blank

Sides = tuple[tuple[str, re.Pattern[str]], ...]  # ("below" | "above", its pattern)


@lru_cache(maxsize=1)
def _comparators() -> tuple[Sides, Sides]:
    """(before-value patterns by side, after-value patterns by side) of the meaning lexicon."""
    raw = load_data(LEXICON)["bounds"]
    before = tuple(
        (side, re.compile(rf"(?<![\w-])(?:{alternatives(raw[side])})\s*$", re.I))
        for side in ("below", "above")
    )
    # after the value a word or two may stand first: "35 weeks' gestation or more"
    after = tuple(
        (
            side,
            re.compile(
                rf"^['’]?(?:\s*[A-Za-z]+){{0,2}}?\s+(?:{alternatives(raw[f'{side}_after'])})"
                r"(?![\w])",
                re.I,
            ),
        )
        for side in ("below", "above")
    )
    return before, after


def side(text: str, value: Quantity) -> str | None:
    """ "below" or "above" when ``value`` (a quantity of ``text``) carries a bound: the
    longest comparator of the lexicon's before it ("no later than", "no less than"; "over"
    before a time only for an age), else the grammar's, else the lexicon's after it."""
    before_patterns, after_patterns = _comparators()
    before = text[max(0, value.start - NEAR) : value.start]
    found = []
    for name, pattern in before_patterns:
        match = pattern.search(before)
        if match is None:
            continue
        if match.group(0).strip().lower() == "over" and not _age_value(text, value, match):
            continue  # "given over 4 hours" is a duration
        found.append((match.start(), name))
    limit = _LIMIT.search(before)
    if limit:  # "the maximum permitted dose is 10 mg"
        found.append((limit.start(), "below" if limit.group(1).lower() in _MAXIMA else "above"))
    limited = LIMITED.search(before)
    if limited:  # "limit tea and coffee to 3 cups", "restricted to 30 days"
        found.append((limited.start(), "below"))
    compared = COMPARATIVE.search(before)
    if compared:  # "larger than 30 g", "shorter than 4 weeks"
        low = compared.group(1).lower() in LOW_COMPARATIVES
        found.append((compared.start(), "below" if low else "above"))
    if not found:
        wide = text[max(0, value.start - _GRAMMAR_NEAR) : value.start]
        offset = len(wide) - len(before)
        found = [
            (m.start() - offset, name)
            for name, pattern in quantities.grammar().before
            if (m := pattern.search(wide))
        ]
    if found:
        start, name = min(found)
        at = value.start - len(before) + start  # where the comparator is written
        return turned(name) if negated_at(text, at) else name
    grammar_side = quantities.bound(text, value.start, value.end)
    if grammar_side is not None:
        return grammar_side
    # past an equivalent in brackets, or out of one: "1.5 mg/dL (133 micromol/L) or more"
    after = _BRACKETED.sub("", text[value.end : value.end + 60], count=1)
    for name, pattern in after_patterns:
        if pattern.match(after):
            return name
    apposed = _APPOSED.match(text[value.end : value.end + 60])
    if apposed:  # "20 mg once daily, which is also the maximum recommended dose"
        return "below" if apposed.group(1).lower() in ("maximum", "highest") else "above"
    return None


_GRAMMAR_NEAR = 48  # characters the quantity grammar searches before a value for a comparator
_BRACKETED = re.compile(r"^\s*\([^()]*\)|^[^()]*\)")
_MAXIMA = frozenset({"maximum", "highest", "max", "max."})
_LIMIT = re.compile(
    r"\b(maximum|highest|max\.?|minimum|lowest)(?:\s+[\w-]+){0,3}\s+(?:is|of|was|are)\s*$", re.I
)
_APPOSED = re.compile(
    r"^[^.;]{0,25}?,\s*(?:which|that)\s+is\s+(?:also\s+)?the\s+(maximum|highest|minimum|lowest)\b",
    re.I,
)


def _age_value(text: str, value: Quantity, match: re.Match[str]) -> bool:
    """Whether "over" before ``value`` bounds an age or a count, not a duration."""
    if value.dimension != "time":
        return True
    start = max(0, value.start - NEAR) + match.start()
    return bool(AGE_CONTEXT.search(text[:start]) or OLD.match(text[value.end :]))


# A direction word that is a value's comparator ("above 250 micromol/L", "aged 6 weeks or
# older", "older than 12 months", "has fallen below 2.0"): its value's bound is compared (see
# :func:`side`), not the word.
_COMPARATOR_BEFORE = re.compile(
    r"\b(?:(?:(?:fall|falls|fell|fallen|drop|drops|dropped|rise|rises|rose|risen|goes|go)\s+)?"
    r"(?:higher|greater|lower|less|older|younger|more|fewer)\s+than|"
    r"(?:(?:fall|falls|fell|fallen|drop|drops|dropped|rise|rises|rose|risen)\s+)?"
    r"(?:above|below|over|under)|"
    r"exceed(?:s|ing)?)(?=\s+(?:(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){1,3}of\s+)?\d)",
    re.I,
)
_COMPARATOR_AFTER = re.compile(
    r"(?<=\d)([^\d;:.]{0,25}?\s(?:or|and)\s+)(older|younger|above|below|over|under|higher|lower)\b",
    re.I,
)


def unbounded(text: str) -> str:
    """``text`` with the comparator words of its values blanked (same length)."""
    text = _COMPARATOR_BEFORE.sub(lambda m: " " * len(m.group(0)), text)
    return _COMPARATOR_AFTER.sub(lambda m: blank(m, 2), text)


def bounds(text: str) -> list[tuple[Quantity, str]]:
    """Each single value of ``text`` that carries a bound, with its side (see :func:`side`)."""
    plain = quantities.masked(text)
    found = []
    for q in quantities.quantities(plain):
        if q.is_range:
            continue
        bounded = side(plain, q)
        if bounded is not None:
            found.append((q, bounded))
    return found


def sides_of(text: str, value: Quantity) -> set[str | None]:
    """The bound of every statement of ``value`` in ``text`` (None where it has none)."""
    plain = quantities.masked(text)
    return {side(plain, q) for q in quantities.quantities(plain) if _same_value(q, value)}


def _same_value(one: Quantity, other: Quantity) -> bool:
    """The same value, in the same unit where both have one ("4 times" is not "4 hours")."""
    if one.unit is None or other.unit is None:
        return one.low == other.low and one.high == other.high
    return one.same(other) or _undaily(one).same(_undaily(other))


def _undaily(value: Quantity) -> Quantity:
    """The value without a trailing per-day ("1 microgram per day" as "1 microgram")."""
    return replace(value, per=value.per[:-1]) if value.per[-1:] == ("day",) else value


def claim_facts(text: str) -> list[Fact]:
    """The values a text states (:func:`quantities.facts`, see :func:`one_off_read`)."""
    return one_off_read(quantities.facts(text))


def one_off_read(found: list[Fact]) -> list[Fact]:
    """``found`` without a bare "daily" (read when comparing, no claim of its own) and
    without a one-off dose said of a dose that has a dosing frequency ("the usual single dose
    is taken every 24 hours": an individual dose, not a one-off)."""
    found = [f for f in found if not (isinstance(f, Frequency) and f.weak)]
    periodic = any(isinstance(f, Frequency) and f.per_day is not None for f in found)
    if not periodic:
        return found
    return [f for f in found if not (isinstance(f, Frequency) and f.per_day is None)]


def grounded(fact: Fact, texts: list[str]) -> bool:
    """Whether one of ``texts`` states ``fact`` (:func:`quantities.grounded`); a dose per day
    is the same dose given daily ("4.5 mg/day" is "4.5 mg daily" or "a day") where no other
    dosing frequency follows it ("15 mg/kg three times daily" is not 15 mg/kg/day)."""
    if quantities.grounded(fact, texts):
        return True
    if isinstance(fact, Frequency):
        return any(_at_intervals(fact, t) for t in texts)
    if _first_days(fact, texts):
        return True
    if fact.unit is None:
        return False
    if fact.per[-1:] == ("day",):
        bare = replace(fact, per=fact.per[:-1])
        return any(_daily(bare, t) for t in texts)
    return quantities.grounded(replace(fact, per=(*fact.per, "day")), texts)


def _first_days(fact: Quantity, texts: list[str]) -> bool:
    """Whether a number of days (or weeks) is given as the first days of a course ("the
    first 3 days" and "on days 1 to 3", "days 1-3")."""
    if fact.unit not in ("days", "weeks") or fact.is_range or fact.per:
        return False
    if fact.low != int(fact.low) or fact.low < 2:
        return False
    word = "days?" if fact.unit == "days" else "weeks?"
    pattern = re.compile(rf"\b{word}\s+1\s*(?:to|-|–|and)\s*(?:{word}\s+)?{int(fact.low)}\b", re.I)
    return any(pattern.search(t) for t in texts)


# "at intervals of (at least) 1 week", "4 weeks apart": a rate written as its interval
_INTERVAL_BEFORE = re.compile(
    r"\bintervals?\s+of\s+(?:(?:at\s+least|not\s+less\s+than|no\s+less\s+than|about)\s+)?$",
    re.I,
)
_EVERY = re.compile(r"\bevery\s*$", re.I)
_APART = re.compile(r"^\s+apart\b", re.I)
_DAY_MINUTES = 1440.0


def _at_intervals(rate: Frequency, text: str) -> bool:
    """Whether ``text`` gives the interval of a regular rate ("weekly" and "at intervals of 1
    week", "every 6 months" and "6 months apart")."""
    if rate.per_day is None or rate.at_night or rate.per_day <= 0:
        return False
    interval = _DAY_MINUTES / rate.per_day
    plain = quantities.masked(text)
    for q in quantities.quantities(plain):
        if q.dimension != "time" or q.per:
            continue
        if q.is_range:  # "every 6 to 12 months": once or twice a year
            ends = (q.low * q.base, q.high * q.base)
            every = _EVERY.search(plain[max(0, q.start - 12) : q.start])
            if every and any(math.isclose(e, interval, rel_tol=0.02) for e in ends):
                return True
            continue
        if not math.isclose(q.low * q.base, interval, rel_tol=0.02):
            continue
        if _INTERVAL_BEFORE.search(plain[max(0, q.start - 50) : q.start]) or _APART.match(
            plain[q.end :]
        ):
            return True
    return False


_RATE_REACH = 30  # characters after a value searched for its dosing frequency


def _daily(bare: Quantity, text: str) -> bool:
    """Whether ``text`` states ``bare`` with no dosing frequency after it but once a day."""
    plain = quantities.masked(text)
    rates = quantities.frequencies(plain)
    for q in quantities.quantities(plain):
        if not q.same(bare):
            continue
        after = [f for f in rates if q.end <= f.start <= q.end + _RATE_REACH]
        if all(f.per_day in (None, 1.0) for f in after):
            return True
    return False


def stated(fact: Fact, text: str) -> bool:
    """Whether ``text`` states ``fact`` (see :func:`grounded`)."""
    return grounded(fact, [text])


def fact_kind(fact: Fact) -> str:
    """What a fact measures (:func:`quantities.kind`); a one-off dose is a kind of its own,
    not a dosing frequency."""
    if isinstance(fact, Frequency) and fact.per_day is None:
        return "one-off"
    return quantities.kind(fact)


_NAMED_NUMBER = re.compile(r"[A-Za-z][\s-]\d")  # "macrogol 3350", "type 2", "COVID-19"


def unnumbered(text: str, terminology: Terminology) -> str:
    """``text`` with the digits inside the names it gives blanked ("macrogol 3350" is a
    name, not 3350 of anything)."""
    if not _NAMED_NUMBER.search(text):
        return text
    for mention in _names(terminology, text, terminology.generation):
        if any(c.isdigit() for c in mention.text):
            blank = re.sub(r"\d", " ", mention.text)
            text = text[: mention.start] + blank + text[mention.end :]
    return text


@lru_cache(maxsize=8192)
def _names(terminology: Terminology, text: str, generation: int) -> tuple[Mention, ...]:
    """The names a text gives, each read whole (remembered: sentences are read again)."""
    return tuple(terminology.scan(text))


def scoped(claim: str, support: str, context: str) -> str:
    """``claim`` with the bounded values its support does not state but the passage's title
    states with the same bound blanked: the title's scope ("... in under 5s"), which the
    claim repeats ("a child under 5"), is no value the sentence must state; so too a
    product's strength the title gives ("clobetasol propionate 0.05% cream")."""
    for fact in claim_facts(claim):
        if not isinstance(fact, Quantity) or grounded(fact, [support]):
            continue
        bound = side(claim, fact)
        strength = _strength(fact) and grounded(fact, [context])
        if strength or (bound and bound in sides_of(context, fact)):
            claim = claim[: fact.start] + " " * (fact.end - fact.start) + claim[fact.end :]
    return claim


def _strength(fact: Quantity) -> bool:
    """Whether a value is a product's strength, a percentage or an amount per volume
    ("clobetasol propionate 0.05%", "1 mg/mL"): the title that names it speaks of that product
    in every sentence."""
    return fact.dimension == "percent" or bool(set(fact.per) & {"mL", "L", "dL", "g"})
