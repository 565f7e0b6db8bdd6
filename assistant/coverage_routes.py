"""Whether the evidence gives a drug by the route a question asks for ("IV paracetamol").

A dose for one route is no dose for another: "IV pantoprazole dose" is not answered from a
table of tablet doses, nor "IV thiamine dose" from "thiamine, parenteral first" with no dose.
A route is the one the words beside the drug give (language/routes.py: "intravenous heroin"
is no route of naltrexone); a product's title gives the route of everything under it
("cefuroxime for injection"); a route family's words cover its routes ("for injection":
intravenous, intramuscular, subcutaneous).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language import quantities
from assistant.language.grammar import grammar
from assistant.language.routes import drug_routes
from assistant.language.sentences import split_sentences
from assistant.language.terminology import Terminology

BY_MOUTH = "oral"
_ANY_ROUTE = re.compile(r"\b(?:by|via|through) any route\b|\bwhichever route\b", re.I)
_TREATMENTS = frozenset({"drug", "class"})
_OTHER = ""  # the name of a route word that does not give the route asked about


def route_covered(
    terminology: Terminology,
    passages: Sequence[str],
    route: str,
    drugs: frozenset[str],
    dose: bool,
) -> bool:
    """Whether ``passages`` (each its title's line first) give ``route``: for the ``drugs``
    (concept ids of the drugs asked about and their classes) when there are any, else
    anywhere. A passage that gives the drug no route says nothing of routes either way,
    except for a dose by another route than by mouth, which must be stated for that route."""
    rules = grammar()
    if any(_ANY_ROUTE.search(p) and _names(terminology, p, drugs) for p in passages):
        return True  # "an NSAID by any route": every route is given
    ways = [(route, pattern) for pattern in rules.route_words(route)]
    if dose and route != BY_MOUTH:
        return any(_dose_by(terminology, p, ways, drugs) for p in passages)
    if not drugs:
        if any(pattern.search(p) for p in passages for _, pattern in ways):
            return True
        return not any(pattern.search(p) for p in passages for _, pattern in rules.routes)
    # Every route word, those that give the route asked about named so: one reading of each
    # passage says both whether it gives the drugs that route and whether it gives any.
    every = [
        *((name if name == route else _OTHER, pattern) for name, pattern in rules.routes),
        *((route if route in covers else _OTHER, words) for words, covers in rules.route_families),
    ]
    given = [drug_routes(p, terminology, every, _TREATMENTS) for p in passages]
    if any(route in ways_of for found in given for d, ways_of in found.items() if d in drugs):
        return True
    return not any(drugs & found.keys() for found in given)


def _dose_by(
    terminology: Terminology,
    passage: str,
    ways: Sequence[tuple[str, re.Pattern[str]]],
    drugs: frozenset[str],
) -> bool:
    """Whether a passage states a dose by the route (of one of ``drugs``, if any): in a
    sentence that gives the route (beside the drug), or anywhere under a title that does."""
    title, _, body = passage.partition("\n") if "\n" in passage else ("", "", passage)
    if title and _gives(terminology, title, ways, drugs) and _states_dose(body):
        return True
    return any(
        _gives(terminology, s, ways, drugs) and _states_dose(s) for s in split_sentences(body)
    )


def _gives(
    terminology: Terminology,
    text: str,
    ways: Sequence[tuple[str, re.Pattern[str]]],
    drugs: frozenset[str],
) -> bool:
    if not drugs:
        return any(pattern.search(text) for _, pattern in ways)
    return bool(drugs & drug_routes(text, terminology, ways, _TREATMENTS).keys())


def _names(terminology: Terminology, passage: str, drugs: frozenset[str]) -> bool:
    """Whether ``passage`` names one of ``drugs`` (or there are none to name)."""
    return not drugs or bool(drugs & {m.concept.id for m in terminology.scan(passage)})


def _states_dose(text: str) -> bool:
    """Whether ``text`` states a dose: an amount ("500 mg"), or a strength applied at a
    frequency ("fusidic acid 2% three times a day": a cream's dose)."""
    found = quantities.values(text)
    if any(q.dimension in quantities.DOSE_DIMENSIONS for q in found):
        return True
    return any(q.dimension == "percent" for q in found) and bool(quantities.frequencies(text))
