"""Which drug each route word of a text goes with ("buccal midazolam or rectal diazepam")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language.grammar import grammar
from assistant.language.sentences import clause_spans
from assistant.language.terminology import Mention, Terminology

_ROUTE_REACH = 40  # characters between a route word and the drug it goes with, at most


def drug_routes(
    text: str,
    terminology: Terminology,
    ways: Sequence[tuple[str, re.Pattern[str]]] | None = None,
    kinds: frozenset[str] = frozenset({"drug"}),
) -> dict[str, set[str]]:
    """The routes each drug of a text is given by ("buccal midazolam or rectal diazepam":
    midazolam buccal, diazepam rectal): each route word goes with the nearest drug named in
    its clause. ``ways``: (route, its words), the grammar's routes by default; ``kinds``: the
    concepts a route word may go with (drug classes too: "an oral triptan")."""
    drugs = [m for m in terminology.scan(text) if m.concept.kind in kinds]
    found: dict[str, set[str]] = {}
    if not drugs:
        return found
    clauses = clause_spans(text)
    for name, pattern in grammar().routes if ways is None else ways:
        for match in pattern.finditer(text):
            clause = next((c for c in clauses if c.start <= match.start() < c.end), None)
            near = [m for m in drugs if clause is None or clause.start <= m.start < clause.end]
            gap = {m: max(m.start - match.end(), match.start() - m.end) for m in near}
            close = [m for m in near if gap[m] <= _ROUTE_REACH]
            if close:
                drug = min(close, key=lambda m: gap[m])
                found.setdefault(drug.concept.id, set()).add(name)
                for member in _listed_after(text, drug, drugs):
                    found.setdefault(member.concept.id, set()).add(name)
    return found


# "a topical antibiotic is offered: fusidic acid ...": a group word that lists its drugs after
# a colon or "such as" gives them its route.
_LISTING = re.compile(r"\s*(?:is\s+\w+\s*)?(?::|,?\s+(?:such as|e\.g\.|for example|like)\b)", re.I)
_LIST_END = re.compile(r";|\.(?:\s|$)")


def _listed_after(text: str, group: Mention, drugs: Sequence[Mention]) -> list[Mention]:
    """The drugs a group word ("an antibiotic", "a triptan") lists after it, when it lists
    any: up to the end of its sentence or a semicolon."""
    if group.concept.kind != "class" and not group.concept.unlisted_group:
        return []
    listing = _LISTING.match(text, group.end)
    if not listing:
        return []
    end = _LIST_END.search(text, listing.end())
    stop = end.start() if end else len(text)
    return [m for m in drugs if listing.end() <= m.start < stop and m is not group]
