"""The form of an answer a clinician reads: no fact said twice, no fragment, no sentence that
opens on a subject it never names.

Three checks over an answer's text (citation markers are ignored), shared by the extractive
generator (which never picks a sentence that would fail them) and the eval report (which
counts what every answer of every eval set fails, gated at 0):

- **repeated fact**: a claim of one sentence is stated again by another ("the tablet can be
  chewed, swallowed whole, or crushed and mixed with food" twice, once from the label and once
  from the article quoting it). A claim repeats another when nearly all its content words (at
  most one, and at least three quarters) are in the other and it adds no number of its own:
  "250 mg every 12 hours for 10 days" for tonsillitis and for sinusitis are two facts. A
  sentence whose three or more numbers earlier sentences gave between them sums them up;
- **fragment**: a sentence cut short (a passage split mid-sentence: "... extubation failure;
  [3].", a list that ends on "and" or a comma) or that starts in lower case mid-sentence;
- **unexplained opening**: a sentence whose subject is a pronoun ("It recommends ...", "They
  found ...", "For pulmonary oedema it recommends ...", "This is ..."), or a document named
  only by its kind ("The review separates ...") with no citation saying which: quoted out of
  its passage it no longer says who or what.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.language import markers, quantities
from assistant.language.sentences import answer_sentences, claim_parts
from assistant.language.tokens import content_stems

REPEATED_FACT = "repeated_fact"
FRAGMENT = "fragment"
UNEXPLAINED_OPENING = "unexplained_opening"
KINDS = (REPEATED_FACT, FRAGMENT, UNEXPLAINED_OPENING)

MIN_CLAIM_STEMS = 4  # shorter claims ("LDN is off-label") may be said again in passing
MAX_NEW_STEMS = 1
MIN_CONTAINED = 0.75
MIN_RESTATED_NUMBERS = 3

_NUMBER = re.compile(r"^\d")
_ENDS = re.compile(r"[.!?][\"'’”)\]]*$")
# What a complete sentence does not end on, before its full stop.
_CUT_END = re.compile(
    r"(?:[;:,\-\u2013(]|\b(?:and|or|but|the|a|an|of|to|with|for|in|on|by|as|than|such as|"
    r"including|e\.g|i\.e|vs|versus))\s*[.!?]?$",
    re.I,
)
_PRONOUN = re.compile(r"^(?:It|Its|They|Them|Their|He|She|His|Her|We|Our)\b")
# "It is recommended that ...", "It is not known whether ...": impersonal, nothing left out.
_IMPERSONAL = re.compile(
    r"^It\s+(?:is|was|has been|may be|remains|seems|appears)\s+(?:not\s+)?(?:\w+ly\s+)?"
    r"(?:recommended|advised|suggested|unclear|uncertain|important|essential|possible|"
    r"likely|unlikely|known|thought|estimated|reasonable|necessary|advisable|safe|"
    r"common|rare)\b"
)
_DEMONSTRATIVE = re.compile(
    r"^(?:This|These|Those|That|Such)\s+(?:is|are|was|were|has|have|had|may|might|can|"
    r"could|should|would|will|suggests?|shows?|means?|includes?|describes?|summari[sz]es?|"
    r"reports?|found|finds|remains?|recommends?|indicates?|gives?)\b"
)
# A document named only by its kind ("The review separates ...") that the answer has not
# introduced: which review?
_BARE_DOCUMENT = re.compile(
    r"^The\s+(?P<kind>authors?|investigators?|researchers?|review(?:ers)?|study|trial|"
    r"guideline|label|report|summary|task force|panel|paper|article|analysis|parameter|SmPC)\s+"
    r"(?:\w+ly\s+)?(?:[a-z]+s|[a-z]+ed|is|are|was|were|has|have|had|did|does|do|may|might|"
    r"can|could|should|would|will|also|found|gave|made|saw|led|took|began)\b"
)


# "For acute respiratory failure ... it recommends either ...": the pronoun is the subject
# even after an opening phrase; unexplained unless the sentence names the document first.
# ("the sources they cite": a plural pronoun inside a sentence is a relative clause.)
_REPORTING_PRONOUN = re.compile(
    r"\bit\s+(?:also\s+|strongly\s+)?(?:recommends?|suggests?|advises?|states?|"
    r"describes?|notes?|concludes?|concluded|reports?|reported|found|finds|explains?|"
    r"emphasi[sz]es|supports?|favours?|cites?|stresses|separates?|summari[sz]es|defines?|"
    r"lists?|warns?|proposes?|makes|made|gives?)\b"
)
_DOCUMENT = re.compile(
    r"\b(?:guideline|review|label|trial|study|report|summary|parameter|SmPC|information|"
    r"authors|investigators|task force|panel|analysis|paper|article)\b",
    re.I,
)


@dataclass(frozen=True)
class FormProblem:
    """One problem of an answer's form, with the sentence it is in (and the one it repeats)."""

    kind: str
    sentence: str
    other: str | None = None

    def __str__(self) -> str:
        extra = f" (again: {self.other[:60]!r})" if self.other else ""
        return f"{self.kind.replace('_', ' ')}: {self.sentence[:80]!r}{extra}"


def _plain(sentence: str) -> str:
    return markers.strip(sentence).strip()


def _named_before(sentence: str, earlier: Sequence[str]) -> bool:
    """Whether the kind of document a sentence opens on ("The trial ...") was named just
    before ("The FINAL trial randomised ...")."""
    match = _BARE_DOCUMENT.match(_plain(sentence))
    if match is None or not earlier:
        return False
    return re.search(rf"\b{re.escape(match.group('kind'))}\b", earlier[-1], re.I) is not None


def is_fragment(sentence: str) -> bool:
    """Whether ``sentence`` (markers allowed) is cut short or starts mid-sentence."""
    text = _plain(sentence)
    if not text:
        return False
    body = re.sub(r"[\"'’”)\]]+$", "", text)
    if not _ENDS.search(text) or _CUT_END.search(body.rstrip(".!?").rstrip() + "."):
        return True
    if _QUOTED_TERM.match(text):
        return False  # opens on a term in quotes: “lithium” on its own is not a question ...
    first = text.lstrip("\"'“(‘[")
    return bool(first) and first[0].islower()


_QUOTED_TERM = re.compile(r"^[“\"][^”\"]{1,60}[”\"]\s+\w")


def ends_complete(sentence: str) -> bool:
    """Whether a passage sentence ends as a sentence does (its own full stop, not a cut)."""
    text = sentence.strip()
    return bool(_ENDS.search(text)) and not is_fragment(text)


def unexplained_opening(sentence: str, introduced: bool = False) -> bool:
    """Whether ``sentence`` opens on a subject it does not name. A document named by its kind
    ("The label warns ...") is the one its citation points to; uncited, it is explained only
    when ``introduced`` (an earlier sentence of the answer quotes the same passage)."""
    introduced = introduced or bool(markers.cited_indices(sentence))
    text = _plain(sentence).lstrip("\"'“(‘[")
    if _PRONOUN.match(text):
        return not _IMPERSONAL.match(text)
    if _DEMONSTRATIVE.match(text):
        return True
    pronoun = _REPORTING_PRONOUN.search(text)
    if pronoun is not None and not _DOCUMENT.search(text[: pronoun.start()]):
        return True
    return bool(_BARE_DOCUMENT.match(text)) and not introduced


def _claims(sentence: str) -> list[frozenset[str]]:
    """Content stems of each claim a sentence joins, and of the sentence as a whole."""
    claims = [content_stems(c) for c in claim_parts(sentence)]
    whole = content_stems(markers.strip(sentence))
    return [c for c in [*claims, whole] if c]


def claim_repeats(
    claim: frozenset[str], other: frozenset[str], ignore: frozenset[str] = frozenset()
) -> bool:
    """Whether ``claim`` says again what ``other`` says. ``ignore``: stems a claim may have
    that ``other`` leaves out without saying anything else (the drug's name, which one
    passage gives and another leaves to its title)."""
    if len(claim) < MIN_CLAIM_STEMS:
        return False
    new = claim - other - ignore
    if any(_NUMBER.match(word) for word in new):
        return False  # a number of its own: another dose, interval or result
    weighed = claim - (ignore - other)
    contained = len(claim & other) / len(weighed) if weighed else 0.0
    return len(new) <= MAX_NEW_STEMS and contained >= MIN_CONTAINED


def contains(sentence: str, other: str, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether ``sentence`` says everything ``other`` says (as a whole, :func:`claim_repeats`)."""
    mine = content_stems(markers.strip(sentence))
    return claim_repeats(content_stems(markers.strip(other)), mine, ignore)


def repeats(sentence: str, other: str, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether a claim of one of the two sentences is stated again by the other (``ignore``:
    see :func:`claim_repeats`)."""
    mine, theirs = _claims(sentence), _claims(other)
    return any(claim_repeats(a, b, ignore) for a in mine for b in theirs) or any(
        claim_repeats(b, a, ignore) for a in mine for b in theirs
    )


def restates(sentence: str, earlier: Sequence[str]) -> bool:
    """Whether ``sentence`` sums up results already given: three or more numbers, stated by
    earlier sentences together though by none alone (a summary of two trial results quoted
    after both). One earlier sentence with the same numbers may state them of something else
    (the same dose for another infection): whether that repeats is :func:`repeats`' call."""
    numbers = quantities.numbers(markers.strip(sentence))
    if len(numbers) < MIN_RESTATED_NUMBERS:
        return False
    stated = [quantities.numbers(markers.strip(other)) for other in earlier]
    if any(numbers <= one for one in stated):
        return False
    return numbers <= set().union(*stated)


def problems(text: str) -> list[FormProblem]:
    """Every form problem of an answer text (partial openings and refusals included)."""
    sentences = answer_sentences(text)
    found: list[FormProblem] = []
    for i, sentence in enumerate(sentences):
        if is_fragment(sentence):
            found.append(FormProblem(FRAGMENT, sentence))
        cited = set(markers.cited_indices(sentence))
        earlier = sentences[:i]
        introduced = any(cited & set(markers.cited_indices(s)) for s in earlier)
        introduced = introduced or _named_before(sentence, earlier)
        if unexplained_opening(sentence, introduced):
            found.append(FormProblem(UNEXPLAINED_OPENING, sentence))
        again = next((b for b in earlier if repeats(sentence, b)), None)
        if again is None and restates(sentence, earlier):
            again = "the numbers of the sentences before it"
        if again is not None:
            found.append(FormProblem(REPEATED_FACT, sentence, again))
    return found


def counts(found: Sequence[FormProblem]) -> dict[str, int]:
    """Problems by kind (every kind present, zero when none)."""
    return {kind: sum(1 for p in found if p.kind == kind) for kind in KINDS}
