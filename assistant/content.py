"""Does a sentence say anything? A kept answer sentence must carry a claim.

Content words beyond its citation markers and beyond the titles and headings of the passages
it cites: a marker-only fragment (" [1] [2, 3]"), a repeated article title, whitespace or
punctuation says nothing, and an answer made only of such sentences is unusable. The same
check serves any text meant as an answer (a model's draft, a reviewer's edited version).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.language import markers
from assistant.language.sentences import answer_sentences
from assistant.language.tokens import content_stems

# Words that say nothing on their own: a title repeated with "also" is still only a title.
_FILLER = frozenset({"also", "see", "more", "inform", "follow", "summari", "overview"})


def says_something(sentence: str, titles: Sequence[str] = ()) -> bool:
    """Whether a sentence carries a claim: a content word beyond its citation markers and
    the titles/headings of its sources (a marker-only fragment or a repeated title does not)."""
    words = content_stems(markers.MARKER.sub(" ", sentence)) - content_stems(" ".join(titles))
    return bool(words - _FILLER)


def contentless(text: str, titles: Sequence[str] = ()) -> list[str]:
    """The sentences of ``text`` that say nothing (see :func:`says_something`); for checking
    any text meant as an answer, such as a reviewer's edited version."""
    return [s for s in answer_sentences(text) if not says_something(s, titles)]


def has_content(text: str, titles: Sequence[str] = ()) -> bool:
    """Whether any sentence of ``text`` says something: an answer without one is unusable."""
    return any(says_something(s, titles) for s in answer_sentences(text))


__all__ = ["contentless", "has_content", "says_something"]
