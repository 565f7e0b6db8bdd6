"""The checks every answer sentence passes, as a registry of named rules.

A rule reads one :class:`Claim` (an answer sentence with the passages it may cite) and says
why the sentence is not supported, or None. :data:`RULES` holds them in the order they run:
the cheap checks first, and the first rule that objects decides; its id goes into the finding
(":func:`tagged`"), so reviewers and evals can count what removed a sentence by rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from assistant.citations import stated_facts
from assistant.content import says_something
from assistant.language.markers import cited_indices, strip
from assistant.language.terminology import Terminology
from assistant.meaning.value_text import normalize
from assistant.meaning.values import grounded, one_off_read
from assistant.verify.markup import MARKUP_RULE
from assistant.verify.passages import supporting_sentences, trusted_text
from assistant.verify.support import Evidence, support, support_problem


@dataclass(frozen=True)
class Claim:
    """One answer sentence (request-position markers) and what it is checked against.
    ``contexts`` are the passages' titles and headings, by position."""

    sentence: str
    passages: Sequence[str]
    question: str
    min_support: float
    contexts: Sequence[str] | None = None
    terminology: Terminology | None = None

    @cached_property
    def cited(self) -> list[int]:
        """The passages the sentence cites, each once, in order."""
        return list(dict.fromkeys(cited_indices(self.sentence)))

    @cached_property
    def titles(self) -> list[str]:
        """The title and heading of each cited passage."""
        return [self.contexts[n - 1] for n in self.cited] if self.contexts else []

    @cached_property
    def grounding(self) -> str:
        """The cited passages' trusted text, normalised, as one string."""
        return normalize(" ".join(trusted_text(self.passages[n - 1]) for n in self.cited))

    @cached_property
    def evidence(self) -> list[Evidence]:
        """Every sentence of the cited passages, with its passage's context."""
        return cited_evidence(self.sentence, self.passages, self.contexts, self.terminology)


def cited_evidence(
    sentence: str,
    passages: Sequence[str],
    contexts: Sequence[str] | None,
    terminology: Terminology | None,
) -> list[Evidence]:
    """Every sentence of the passages ``sentence`` cites, with its passage's context."""
    found = []
    # a document cut into chunks: what its earlier chunk named, a later one speaks of
    before: dict[str, str] = {}
    for n in dict.fromkeys(cited_indices(sentence)):
        context = contexts[n - 1] if contexts else ""
        sentences = supporting_sentences(passages[n - 1])
        shared = before.get(context, "") if context else ""
        for i, text in enumerate(sentences):
            earlier = " ".join([shared, *sentences[:i]]).strip()
            found.append(Evidence(text, context, terminology, n, i, earlier=earlier))
        before[context] = " ".join([shared, *sentences]).strip()
    return found


@dataclass(frozen=True)
class Rule:
    """A named check: ``id`` goes into its findings; ``says`` what it requires."""

    id: str
    says: str
    # None: the rule is applied to the whole text, not sentence by sentence (see OTHER_RULES).
    check: Callable[[Claim], str | None] | None = None


def _says_something(claim: Claim) -> str | None:
    if says_something(claim.sentence, claim.titles):
        return None
    return "it says nothing beyond citation markers and the titles of its sources"


def _cited(claim: Claim) -> str | None:
    return None if claim.cited else "no citation"


def _values_in_passages(claim: Claim) -> str | None:
    for fact in one_off_read(stated_facts(normalize(claim.sentence))):
        if not grounded(fact, [claim.grounding]):
            return f"{fact.text!r} is not in the cited passage(s)"
    return None


def _words_in_passages(claim: Claim) -> str | None:
    share = support(claim.sentence, f"{claim.grounding} {' '.join(claim.titles)}", claim.question)
    if share < claim.min_support:
        return f"only {share:.0%} of its words are in the cited passage(s)"
    return None


def _sentence_support(claim: Claim) -> str | None:
    if _quoted(claim):
        return None
    return support_problem(claim.sentence, claim.evidence, claim.question)


def _quoted(claim: Claim) -> bool:
    """Whether the sentence is one of its cited passages' own sentences, word for word: it
    says what that passage says (a check that splits it into parts and holds each against
    the whole sentence can only misread it)."""
    own = " ".join(_WORDS.findall(strip(claim.sentence).lower()))
    return len(own) > 0 and any(
        own in " ".join(_WORDS.findall(trusted_text(claim.passages[n - 1]).lower()))
        for n in claim.cited
    )


_WORDS = re.compile(r"[a-z0-9]+(?:[.,/%-][a-z0-9]+)*")


RULES: tuple[Rule, ...] = (
    Rule(
        "says-something",
        "it says something beyond its markers and its sources' titles",
        _says_something,
    ),
    Rule("cited", "it cites a passage given to the model", _cited),
    Rule(
        "values-in-passages", "every value it states is in the cited passages", _values_in_passages
    ),
    Rule(
        "words-in-passages",
        "most of its words, weighted by what they say, are in the cited passages",
        _words_in_passages,
    ),
    Rule(
        "sentence-support",
        "a cited sentence (or two or three read together, or one per part) says what it says, "
        "and no other cited sentence says the opposite",
        _sentence_support,
    ),
)
REPEATED = Rule("repeated", "it does not repeat an earlier sentence")
CITED_PASSAGE = Rule("cited-passage", "each citation names a passage given to the model")
MARKUP = Rule(MARKUP_RULE, "the model's text carries no markup, links, images or URLs")
# Rules applied to the text as a whole: markup is removed, citations to no passage dropped and
# a repeated sentence said once, each with a finding carrying the rule's id.
OTHER_RULES: tuple[Rule, ...] = (MARKUP, CITED_PASSAGE, REPEATED)


@dataclass(frozen=True)
class Problem:
    """Why a rule objects to a sentence."""

    rule: str
    why: str

    def tagged(self) -> str:
        """Why, with the rule's id: "WHY [rule: ID]"."""
        return tagged(self.why, self.rule)


def first_problem(claim: Claim, rules: Sequence[Rule] = RULES) -> Problem | None:
    """The first rule that objects to ``claim``, and why; None when every rule passes."""
    for rule in rules:
        if rule.check is None:
            continue
        why = rule.check(claim)
        if why is not None:
            return Problem(rule.id, why)
    return None


def tagged(head: str, rule: str) -> str:
    """A finding's head with the id of the rule that made it: "HEAD [rule: ID]"."""
    return f"{head} [rule: {rule}]"
