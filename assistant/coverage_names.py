"""How a passage names a concept a question asks about (assistant/coverage.py's reading).

By the terminology (the concept, a narrower condition, a member of the class asked about, or
with ``broader`` its class), never by a broader condition read inside a longer name; a concept
the terminology does not know, by its forms as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.language.terminology import Concept as Term
from assistant.language.terminology import Mention, Terminology
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import stem, stems
from assistant.understand import Concept


@lru_cache(maxsize=4096)
def form_pattern(form: str) -> re.Pattern[str]:
    """A form as a pattern over normalised text, its words joined by spaces or hyphens."""
    body = r"[\s-]+".join(re.escape(p) for p in re.split(r"[\s-]+", form.lower()))
    # Plural and British/American endings of the same word count ("opioid" ~ "opioids").
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es|e)?(?![a-z0-9])")


def names_term(terminology: Terminology, text: str, term: Term, *, broader: bool) -> bool:
    """Whether ``text`` names ``term``: the concept itself, a narrower condition ("otitis
    media" for an ear infection), or with ``broader`` one of its classes or broader
    conditions."""
    for mention in _whole_mentions(terminology.mentions(text)):
        found = mention.concept
        if found.id == term.id or (broader and found.id in term.broader):
            return True
        if term.kind in ("condition", "class") and term.id in found.broader:
            return True  # a narrower condition, or a member of the class asked about
    # An abbreviation's meaning that no dataset names is no name the index reads: matched
    # where the text spells it out.
    return term.source == "abbreviations" and bool(form_pattern(term.name).search(phrase(text)))


def _whole_mentions(found: Sequence[Mention]) -> list[Mention]:
    """The mentions that are not the broader condition inside a longer name: "psoriatic
    arthritis" names psoriatic arthritis (a kind of arthritis), not arthritis of any kind,
    so it does not name rheumatoid arthritis through their shared class."""
    return [m for m in found if not any(_holds(o, m) for o in found)]


def _holds(outer: Mention, inner: Mention) -> bool:
    """Whether ``outer`` is a longer name around ``inner`` that is a kind of it."""
    longer = outer.end - outer.start > inner.end - inner.start
    around = outer.start <= inner.start and inner.end <= outer.end
    return longer and around and inner.concept.id in outer.concept.broader


def mentions(
    terminology: Terminology, text: str, concept: Concept, *, broader: bool = False
) -> bool:
    """Whether ``text`` names ``concept`` by any of its names (or, with ``broader``, by the
    class it belongs to). What a class of conditions says holds for its members."""
    if concept.term is not None:
        wider = broader or concept.term.kind == "condition"
        if names_term(terminology, text, concept.term, broader=wider):
            return True
        return concept.term.kind == "condition" and _same_word(concept.label, text)
    normal = phrase(text)
    return any(form_pattern(form).search(normal) for form in concept.forms)


_SAME_WORD_MIN = 5  # letters of a one-word name matched by its stem


def _same_word(label: str, text: str) -> bool:
    """Whether a one-word condition as the question wrote it is in the text in another form
    of the same word, one the terminology has no entry for ("bruises": "bruising")."""
    words = label.lower().split()
    if len(words) != 1 or len(words[0]) < _SAME_WORD_MIN or not words[0].isalpha():
        return False
    return stem(words[0]) in stems(text)


def names_in(
    terminology: Terminology, concept: Concept, text: str, *, broader: bool = True
) -> bool:
    """Whether ``text`` speaks of ``concept``: by the terminology (with ``broader``, by its
    class too), or by every word of its name ("nicotine patch" in "the 21 mg patch ...
    releases nicotine")."""
    if mentions(terminology, text, concept, broader=broader):
        return True
    own = [w for w in phrase(concept.label).split() if len(w) > 2]
    normal = phrase(text)
    return len(own) > 1 and all(form_pattern(w).search(normal) for w in own)
