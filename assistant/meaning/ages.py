"""Ages as the meaning checks compare them: an age band or age group the claim gives is one
its support gives, or inside one.

A claim's ages are its explicit bands ("6 months to 6 years", "over 12 years", "under 16
years", read by :func:`assistant.language.ages.age_bands`) and the age groups it names
without a band of their own ("infants", "adolescents", "adults": ages listed in
``assistant/language/data/meaning.v2.yaml``, ``age_groups``); "children 6-12 years" is the
band, not all children. A gestational age ("35 weeks' gestation") is no age.

"Children 6-12 years" is not "children 6 months to 6 years"; "adolescents" are not
"infants"; "children" are not "adult and adolescent" patients; "children over 2 years" are
not "children under 2 years"; "infants" are children.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.language import quantities
from assistant.language.ages import age_bands
from assistant.language.grammar import load_data
from assistant.meaning.lexicon import LEXICON, any_term

Band = tuple[float, float]
OPEN = 130.0  # years: a band with no upper end ("from 1 year of age")
_SLACK = 1e-3  # years
_OR_MORE = re.compile(r"\bor more\b", re.I)  # "aged 6 months or more": from 6 months
_GESTATION = re.compile(r"^['’]?\s*(?:of\s+)?gestation", re.I)
# An age group followed by its own band ("children aged 1-3 years", "infants under 6 months").
_QUALIFIED = re.compile(
    r"^\s*(?:\(|,)?\s*(?:(?:aged?|of|from|between|who are)\s+)?"
    r"(?:(?P<cmp>under|over|below|above|younger than|older than|less than|more than|up to)\s+)?"
    r"(?P<n>\d+(?:\.\d+)?)(?P<unit>\s*(?:-|to|years?|yrs?|months?|weeks?|days?)\b)?",
    re.I,
)
_UNDER = frozenset({"under", "below", "younger than", "less than", "up to"})


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[re.Pattern[str], Band], ...]:
    raw = load_data(LEXICON)["age_groups"]
    return tuple((any_term(g["terms"]), (float(g["ages"][0]), float(g["ages"][1]))) for g in raw)


# An age written without its unit is in years: "from age 65", "aged 45 or over".
_FROM_AGE = re.compile(
    r"\bfrom\s+(?:the\s+)?age\s+(?:of\s+)?(\d{1,3})\b(?!\s*(?:years?|yrs?|months?|weeks?|days?)\b)",
    re.I,
)
_AGED = re.compile(
    r"\b(aged?)\s+(\d{1,3})\b(?!\s*(?:years?|yrs?|months?|weeks?|days?|to|-|–)(?:\b|\s|\d))",
    re.I,
)


def _in_years(text: str) -> str:
    text = _FROM_AGE.sub(lambda m: f"from {m.group(1)} years", text)
    return _AGED.sub(lambda m: f"{m.group(1)} {m.group(2)} years", text)


def _explicit(text: str) -> list[Band]:
    """The explicit age bands of a text; a gestational age is none."""
    plain = quantities.masked(_in_years(text))
    for q in quantities.quantities(plain):
        if q.unit in ("weeks", "days") and _GESTATION.match(plain[q.end :]):
            plain = plain[: q.start] + " " * (q.end - q.start) + plain[q.end :]
    return age_bands(_OR_MORE.sub("or over", plain))


def _ages(text: str) -> tuple[list[Band], list[Band]]:
    """(the explicit bands of a text, the bands of the age groups it names without one)."""
    explicit = _explicit(text)
    return explicit, ages(text)[len(explicit) :]


def ages(text: str) -> list[Band]:
    """Every age a text gives: explicit bands, and the age groups named without a band of
    their own (one right after the name, or one anywhere in the text that overlaps the
    group's ages: "From 1 year of age, children ...")."""
    explicit = _explicit(text)
    found = list(explicit)
    taken: list[tuple[int, int]] = []
    for pattern, band in _groups():
        for match in pattern.finditer(text):
            if any(s <= match.start() < e for s, e in taken):
                continue  # "older adults" is not also "adults"
            taken.append(match.span())
            qualified = _QUALIFIED.match(text[match.end() :])
            if qualified and _GESTATION.match(text[match.end() + qualified.end() :]):
                qualified = None  # "babies of 35 weeks' gestation": babies, of any age
            if qualified:
                found.extend(_bare(qualified))
            elif not any(_overlap(band, e) for e in explicit):
                found.append(band)
    return found


def _bare(match: re.Match[str]) -> list[Band]:
    """The band of an age group's own number written without a unit ("any child under 16"
    is under 16 years); none where the number has a unit (an explicit band reads it)."""
    if match.group("unit"):
        return []
    years = float(match.group("n"))
    comparator = (match.group("cmp") or "").lower()
    if not comparator:
        return [(years, years + 1)]
    return [(0.0, years)] if comparator in _UNDER else [(years, OPEN)]


def _overlap(band: Band, other: Band) -> bool:
    return band[0] < other[1] and other[0] < band[1]


def _inside(band: Band, other: Band) -> bool:
    """Whether ``band`` lies in ``other``; a band with no upper end where ``other`` has one
    only needs to start in it ("aged 6 months or more" among "children")."""
    if band[1] >= OPEN > other[1]:
        return other[0] - _SLACK <= band[0] < other[1] - _SLACK
    return other[0] - _SLACK <= band[0] and band[1] <= other[1] + _SLACK


def age_problem(claim: str, support: str) -> str | None:
    """Why an age of the claim is not one its support gives (nor inside one); None when the
    support gives no age (nothing to compare) or every age of the claim is one of its own.
    An age group the claim names without a band ("children") may be said of a support that
    gives only bands it overlaps ("children aged 1 year and older"), never of one that names
    other groups ("adult and adolescent patients")."""
    explicit, grouped = _ages(support)
    theirs = explicit + grouped
    if not theirs:
        return None
    ours, groups = _ages(claim)
    for band in ours:
        if not any(_inside(band, other) for other in theirs):
            return f"the ages {shown(band)} are not the cited sentence's"
    for band in groups:  # "children" said of "children aged 1 year and older"
        if not any(_inside(band, o) for o in theirs) and not (
            not grouped and any(_overlap(band, o) for o in explicit)
        ):
            return f"the ages {shown(band)} are not the cited sentence's"
    return None


def shown(band: Band) -> str:
    """A band as a reader says it: "6 months to 6 years", "from 12 years", "under 16 years"."""

    def years(value: float) -> str:
        if value < 2 and value * 12 == round(value * 12, 2):
            return f"{value * 12:g} months"
        return f"{value:g} years"

    low, high = band
    if high >= OPEN:
        return f"from {years(low)}"
    if low == 0:
        return f"under {years(high)}"
    return f"{years(low)} to {years(high)}"


def sex_age_problem(claim: str, support: str, sexes: tuple[re.Pattern[str], ...]) -> str | None:
    """Why the claim gives one sex the ages the support gives the other ("men from 65 and
    women from 75" for "women aged 65 and over and men aged 75 and over"); None when the
    support gives that sex those ages too, or gives no ages by sex."""
    ours, theirs = _sexed(claim, sexes), _sexed(support, sexes)
    for sex, band in ours:
        own = [b for x, b in theirs if x == sex]
        other = [b for x, b in theirs if x != sex]
        if own and not any(_inside(band, b) for b in own) and any(_inside(band, b) for b in other):
            return f"the cited sentence gives the ages {shown(band)} to the other sex"
    return None


def _sexed(text: str, sexes: tuple[re.Pattern[str], ...]) -> list[tuple[int, Band]]:
    """(which sex, age band) for each clause naming one sex and an age band."""
    found: list[tuple[int, Band]] = []
    for clause in _SEX_JOIN.split(text):
        named = [i for i, pattern in enumerate(sexes) if pattern.search(clause)]
        if len(named) == 1:
            found.extend((named[0], band) for band in _explicit(clause))
    return found


# Where what is said of one sex ends: "for men from 65 and women from 75" ("65 and over" is
# one age).
_SEX_JOIN = re.compile(
    r"[;,]|\s(?:and|but|whereas|while)\s(?!(?:over|older|above|under|younger|below)\b)", re.I
)


# "Older" before a people noun names an age group, not a direction: "older patients".
_OLDER_PEOPLE = re.compile(
    r"\bolder(?=\s+(?:adults?|people|persons?|patients?|women|men|individuals|population)\b)",
    re.I,
)
_OLDER_AGES = (65.0, OPEN)


def older_group(claim: str, support: str) -> str:
    """``claim`` with "older" blanked where it names the older age group ("older patients")
    and the support names that group or gives an age inside it ("elderly patients", "aged 65
    and over"): a group, no direction to compare."""
    if not _OLDER_PEOPLE.search(claim):
        return claim
    if not any(_inside(band, _OLDER_AGES) for band in ages(support)):
        return claim
    return _OLDER_PEOPLE.sub(lambda m: " " * len(m.group(0)), claim)
