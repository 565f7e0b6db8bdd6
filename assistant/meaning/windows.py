"""Which stretch of a supporting sentence states a claim clause's values together: the
windows of consecutive comma pieces, and the other values of their kind a window may hold
besides the clause's (an alternative offered with "or", a step between two of its values, a
value given for another branch or another step of a regimen)."""

from __future__ import annotations

import re

from assistant.language import quantities
from assistant.language.quantities import Fact
from assistant.language.sentences import clauses, comma_pieces
from assistant.language.tokens import STOPWORDS, stems
from assistant.meaning.values import claim_facts, grounded


def windows(support: str) -> list[tuple[int, int, str]]:
    """Runs of consecutive comma-separated pieces of the support's clauses: (first piece,
    last piece, text)."""
    pieces = [p for c in clauses(support) for p in comma_pieces(c)]
    starts, at = [], 0
    for piece in pieces:  # where each piece is written, to keep the words that join them
        start = support.find(piece, at)
        starts.append(start)
        at = start + len(piece) if start >= 0 else at

    def joined(i: int, j: int) -> str:
        """Pieces ``i`` to ``j`` as the support writes them ("30-49 mL/min) or severe (15-29
        mL/min)"), else joined by spaces."""
        if starts[i] < 0 or starts[j] < 0:
            return " ".join(pieces[i : j + 1])
        return support[starts[i] : starts[j] + len(pieces[j])]

    return [(i, j, joined(i, j)) for i in range(len(pieces)) for j in range(i, len(pieces))]


def stated_with(together: list[Fact], clause: str, window: str) -> bool:
    """Whether a window states every fact of the clause and no other value of the same kind
    ("750 mg every 12 hours when clearance is 10-20 mL/min" is not "every 8 hours"), but the
    steps between two of its values ("from 1.25 mg, step by step through 2.5 and 5 mg, to
    10 mg")."""
    if not all(grounded(f, [window]) for f in together):
        return False
    kinds = {quantities.kind(f) for f in together} - {"number"}  # bare numbers count too much
    stated = [f for f in claim_facts(window) if quantities.kind(f) in kinds]
    own = [f for f in stated if grounded(f, [clause])]
    return all(
        grounded(f, [clause])
        or _alternative(f, stated, clause, window)
        or _step(f, own)
        or _other_branch(f, own, clause, window)
        or _next_step(f, own, clause, window)
        for f in stated
    )


_THEN = re.compile(r"\b(?:then|followed by|after which|thereafter)\b", re.I)


def _next_step(fact: Fact, own: list[Fact], clause: str, window: str) -> bool:
    """Whether ``fact`` belongs to another step of a regimen than the one the clause states,
    across a "then" or "followed by", while the clause's value of its kind is in its own step
    ("150 mg every 72 hours for 3 doses is followed by 150 mg once a week": a clause on the
    induction course says nothing of the weekly step; "then weekly" nothing of the first)."""
    same = [o for o in own if o is not fact and quantities.kind(o) == quantities.kind(fact)]
    later = bool(_CLAUSE_THEN.match(clause))
    for then in _THEN.finditer(window):
        opens, closes = then.start(), then.end()
        if fact.start >= closes and any(o.end <= opens for o in same):
            return True
        if later and fact.end <= opens and any(o.start >= closes for o in same):
            return True
    return False


_CLAUSE_THEN = re.compile(r"^\W*(?:and\s+)?(?:then|followed by|after which|thereafter)\b", re.I)


# What a value is given for, written right after it: "3 to 6 months for toenails".
_BRANCH = re.compile(
    r"^\s*(?:for|in|with|when|if)\s+([^,;:.()]*?)(?=\s+(?:and|or|but)\b|[,;:.()]|$)"
)


def _branch_words(fact: Fact, window: str) -> set[str]:
    found = _BRANCH.match(window[fact.end :])
    if not found:
        return set()
    return {w for w in stems(found.group(1)) if w not in STOPWORDS and len(w) > 2}


def _other_branch(fact: Fact, own: list[Fact], clause: str, window: str) -> bool:
    """Whether ``fact`` is given for another case than the one the clause speaks of, while a
    value of its kind the clause states is given for that one: "250 mg once a day for 6
    weeks to 3 months for fingernails and 3 to 6 months for toenails" states 3 to 6 months
    for toenails; a claim putting 3 to 6 months on fingernails names the other branch."""
    said = stems(clause)
    theirs = _branch_words(fact, window)
    if not theirs or theirs & said:
        return False
    for other in own:
        if other is fact or quantities.kind(other) != quantities.kind(fact):
            continue
        mine = _branch_words(other, window)
        if mine and mine <= said:
            return True
    return False


def _step(fact: Fact, own: list[Fact]) -> bool:
    """Whether ``fact`` is written between two of the clause's values of its dimension and
    lies between them in size: a step on the way from one to the other."""
    if not isinstance(fact, quantities.Quantity) or fact.is_range:
        return False
    ends = [
        f for f in own
        if isinstance(f, quantities.Quantity) and f.dimension == fact.dimension and f.unit
    ]  # fmt: skip
    return any(
        a.start < fact.start < b.start and min(a.low, b.low) < fact.low < max(a.high, b.high)
        for a in ends
        for b in ends
    )


_OR = re.compile(r"\bor\b", re.IGNORECASE)


def _alternative(fact: Fact, stated: list[Fact], clause: str, window: str) -> bool:
    """Whether ``fact`` is offered as an alternative ("or") to a value of its kind the claim
    clause states, with no other value of the clause's kinds between them: "in moderate
    (30-49 mL/min) or severe (15-29 mL/min) impairment the dose is 15 mg" states 15 mg for
    30-49 mL/min; "every 24 hours at 10-30 mL/min and every 48 hours below 10" does not."""
    for other in stated:
        if other is fact or quantities.kind(other) != quantities.kind(fact):
            continue
        if not grounded(other, [clause]):
            continue
        low, high = sorted((other, fact), key=lambda f: f.start)
        between = window[low.end : high.start]
        inside = [f for f in stated if low.end <= f.start < high.start]
        if _OR.search(between) and not inside:
            return True
    return False


def minimal(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The windows no smaller window of ``found`` lies inside."""
    return [
        (i, j, t)
        for i, j, t in found
        if not any((a, b) != (i, j) and i <= a and b <= j for a, b, _ in found)
    ]
