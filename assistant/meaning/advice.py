"""The polarity of a recommendation: for (advised, suggested, recommended, indicated, can be
given) or against (not advised, advises against, avoid, contraindicated, should not, not to
use), compared between a claim and the part of its support that says the same thing.

The cue words are closed-class grammar, package data of the language layer:
``assistant/language/data/meaning.v2.yaml`` (``advice``). A cue for a recommendation that a
negation reaches ("is not recommended", "not to be used") counts against; a cue against
that a negation reaches ("is not contraindicated") counts for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.language.grammar import load_data
from assistant.language.sentences import clauses, comma_pieces, parts
from assistant.language.tokens import content_stems
from assistant.meaning.lexicon import LEXICON, any_term

FOR, AGAINST = "for", "against"
_BOUND = re.compile(
    r"\b(?:(?:should|must|do|does|may)\s+)?(?:not|never)\s+(?:to\s+)?exceed\w*", re.I
)
# A negation just before a cue turns it ("not recommended", "not to be given").
_NEGATED = re.compile(r"\b(?:not|never|no)\s+(?:(?:to|be|been|being|so|as|yet)\s+){0,2}$", re.I)


@dataclass(frozen=True)
class Cues:
    """Patterns of the words that recommend (``for``) and that advise against."""

    for_: re.Pattern[str]
    against: re.Pattern[str]


@lru_cache(maxsize=1)
def cues() -> Cues:
    """The packaged advice cues, compiled once."""
    raw = load_data(LEXICON)["advice"]
    return Cues(any_term(raw["for"]), any_term(raw["against"]))


def advice(text: str) -> str | None:
    """Whether ``text`` (one part of a sentence) recommends something (``"for"``), advises
    against it (``"against"``), or neither (None). Against wins: "is advised not to be
    given" is against."""
    found = cues()
    text = _BOUND.sub(" ", text)  # "should not exceed 10 mg" is a maximum, no advice
    against = [_negated(text, m.start()) for m in found.against.finditer(text)]
    for_ = [_negated(text, m.start()) for m in found.for_.finditer(text)]
    if not all(against) or any(for_):  # "avoid", "is not recommended"
        return AGAINST
    if against or for_:  # "is not contraindicated", "is recommended"
        return FOR
    return None


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 24) : start]))


def _closest_piece(part: str, support: str) -> str:
    """The stretch of ``support`` that says what ``part`` says, read for its advice: the
    comma piece of a clause sharing most words with it (one that gives advice, where two
    share as many), else that piece's clause, else the whole support."""
    words = content_stems(part)
    found = [(clause, piece) for clause in clauses(support) for piece in comma_pieces(clause)]
    if not found:
        return support
    clause, piece = max(
        found, key=lambda cp: (len(words & content_stems(cp[1])), advice(cp[1]) is not None)
    )
    return next((t for t in (piece, clause) if advice(t) is not None), support)


def advice_problem(claim: str, support: str) -> str | None:
    """Why the claim recommends what its support advises against, or advises against what
    it recommends: each part of the claim that gives advice is compared with the stretch of
    the support that says the same thing; None when they agree or either gives no advice."""
    for _, part in parts(claim):
        ours = advice(part)
        if ours is None:
            continue
        theirs = advice(_closest_piece(part, support))
        if ours == FOR and theirs == AGAINST:
            return "the answer recommends what the cited sentence advises against"
        if ours == AGAINST and theirs == FOR:
            return "the answer advises against what the cited sentence recommends"
    return None
