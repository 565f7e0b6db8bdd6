"""What a cited sentence holds of a claim: its words, each weighted by how much it says
("dexamethasone" or "croup" more than "get" or "cases"), and the names of things it names by
another name ("NIV" for "noninvasive ventilation")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.language.markers import MARKER
from assistant.language.terminology import Terminology, default_terminology
from assistant.language.tokens import content_words, stem
from assistant.meaning.lexicon import entities

# How much a word says: 7 - its Zipf frequency (everyday English ~5-7, clinical names 1-3),
# kept between these; numbers are compared as values, not as words.
_MOST, _LEAST, _NUMBER = 5.0, 0.5, 1.0


@dataclass(frozen=True)
class Evidence:
    """One sentence of a cited passage (or two or three read together, joined by "; "), the title
    and heading of that passage, and the terminology that reads both (the default one when
    None). ``passage`` and ``index`` say where the (first) sentence is."""

    sentence: str
    context: str
    terminology: Terminology | None = None
    passage: int = 0
    index: int = 0
    size: int = 1  # sentences read together
    earlier: str = ""  # the sentences of its passage before it: what "the dose" is the dose of


# "daily" says "day": a claim "each day" is held by "a daily dose".
_PERIODS = {
    "daily": "day",
    "hourly": "hour",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
}


@lru_cache(maxsize=65536)
def _weight(word: str) -> float:
    if word[0].isdigit():
        return _NUMBER
    from wordfreq import zipf_frequency

    return min(_MOST, max(_LEAST, 7.0 - zipf_frequency(word, "en")))


@lru_cache(maxsize=8192)
def weighted_stems(text: str) -> dict[str, float]:
    """The stems of a text's content words, each with how much it says (its rarest word's
    weight)."""
    found: dict[str, float] = {}
    for word in content_words(MARKER.sub(" ", text)):
        key = _PERIODS.get(word) or stem(word)
        found[key] = max(found.get(key, 0.0), _weight(word))
    return found


def share(words: dict[str, float], known: set[str] | dict[str, float]) -> float:
    total = sum(words.values())
    if not total:
        return 1.0
    return sum(w for s, w in words.items() if s in known) / total


def support(sentence: str, grounding: str, question: str = "") -> float:
    """Weighted share of the sentence's content words found in the grounding or question."""
    known = weighted_stems(grounding).keys() | weighted_stems(question).keys()
    return share(weighted_stems(sentence), known)


def shares(claim: str, evidence: Evidence, question: str = "") -> tuple[float, float]:
    """(weighted share of the claim's words in the sentence, its passage's title and heading
    or the question; the same share of the words the title does not hold, in the sentence
    alone: a title lends names, not claims). A name of something the sentence names by
    another name ("NIV" for "noninvasive ventilation") counts as held."""
    words = weighted_stems(claim)
    asked = weighted_stems(question).keys()
    context = weighted_stems(evidence.context).keys()
    held = weighted_stems(evidence.sentence).keys() | asked | _renamed(claim, evidence)
    own = {s: w for s, w in words.items() if s in held or s not in context}
    return share(words, held | context), share(own, held)


def _renamed(claim: str, evidence: Evidence) -> set[str]:
    """Stems of the claim's names of things the evidence names too, by any of their names."""
    terms = evidence.terminology or default_terminology()
    theirs = {m.concept.id for m in terms.mentions(f"{evidence.sentence}\n{evidence.context}")}
    return {
        key
        for m in entities(claim, terms)
        if m.concept.id in theirs
        for key in weighted_stems(m.text)
    }
