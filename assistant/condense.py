"""Rule-based rewriting of a follow-up into a standalone question.

"and at 50 mg?" means nothing to a search index on its own; joined to the question it
follows ("... (follow-up to: At what doses does naltrexone block fully?)") it does.
The LLM generator may condense better; this is the offline rule.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from typing import Protocol

from assistant.errors import FollowupError
from assistant.language.tokens import content_words
from assistant.prompts import Prompt

log = logging.getLogger(__name__)

_CUE = re.compile(
    r"^\s*(?:and|but|so|also|or|then|ok(?:ay)?|what about|how about|and what about|"
    r"what if|same|in that case|instead|still)\b[\s,]*",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(it|its|it's|this|that|these|those|they|them|their|he|she|him|his|her|there|the same|"
    r"the (?:dose|drug|medicine|medication|treatment|patient|child|baby|infant|woman|mother|man)|"
    r"such|the two|both|either|the (?:first|second|latter|former|other) one|"
    r"what (?:now|next|else)|(?:added|add|try|tried|step up|do) next|next step)\b",
    re.IGNORECASE,
)
_CONTEXT = re.compile(r"\(follow-up to: (.*)\)$")
# "ok thanks. separately - ...": what follows starts a new topic and leans on nothing before.
_NEW_TOPIC = re.compile(
    r"\b(?:separately|unrelated(?: question)?|(?:a )?different (?:question|topic)|"
    r"(?:another|new) question|on another note|chang(?:e|ing) (?:of )?(?:the )?(?:topic|subject))"
    r"\b[\s,:;.-]*",
    re.IGNORECASE,
)
MIN_STANDALONE_WORDS = 4
MIN_CUED_WORDS = 3  # "also, ...": the words after the cue that make a question of its own


def new_topic(question: str) -> str | None:
    """The question after a change-of-topic cue ("separately - ..."), or None without one."""
    match = _NEW_TOPIC.search(question)
    rest = question[match.end() :].strip() if match else ""
    return rest or None


def leans_on(question: str, earlier: Sequence[str], everyday: Collection[str] = ()) -> bool:
    """Whether a question that names no drug or condition of its own picks up the words of
    what came before ("how many women were in the first pilot?" after an answer citing the
    pilot study), unlike a change of subject ("who won the league last year?" after "from 1
    year of age"); ``everyday``: words too common in clinical talk to count."""
    if new_topic(question) is not None:
        return False
    shared = content_words(question) & content_words(" ".join(earlier))
    return needs_context(question) or bool(shared - set(everyday))


def changes_subject(
    question: str, earlier: Sequence[str], everyday: Collection[str], names_concepts: bool
) -> bool:
    """Whether a question opening with a follow-up cue is still a new subject: complete (three
    words or more of its own), naming nothing clinical, referring to nothing before it and
    sharing no word with it. "also, how do I renew my passport online?" after a dose question
    is not about that drug; without a cue, a question like it never leaned on what came
    before (:func:`needs_context`)."""
    cue = _CUE.match(question)
    if names_concepts or cue is None or _ANAPHORA.search(question):
        return False
    words = content_words(question[cue.end() :])
    if len(words) < MIN_CUED_WORDS:
        return False
    return not (words & content_words(" ".join(earlier))) - set(everyday)


def needs_context(question: str) -> bool:
    """Whether a message reads as a follow-up that leans on what came before."""
    if new_topic(question) is not None:
        return False
    if _CUE.match(question) or _ANAPHORA.search(question):
        return True
    return len(content_words(question)) < MIN_STANDALONE_WORDS


def condense(
    question: str, previous: list[str], topic: str | None = None, *, leans: bool = False
) -> str:
    """Standalone form of ``question`` given earlier standalone questions (oldest first).

    ``topic`` (the title of the article a conversation started from) stands in for the
    previous question at the start of an article-anchored conversation. ``leans``: the
    question names no drug or condition of its own, so it leans on what came before whatever
    its wording ("how many women were in the first pilot?").
    """
    question = " ".join(question.split())
    fresh = new_topic(question)
    if fresh is not None:
        return fresh
    context = previous[-1] if previous else topic
    if not context or not (leans or needs_context(question)):
        return question
    # A follow-up to a follow-up keeps the original topic, not the chain of follow-ups.
    nested = _CONTEXT.search(context)
    if nested:
        context = nested.group(1)
    focus = _CUE.sub("", question).strip() or question
    return f"{focus[0].upper()}{focus[1:]} (follow-up to: {context})"


class Condenser(Protocol):
    """Rewrites a follow-up as a standalone question; history is (question, answer) pairs."""

    def __call__(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        topic: str | None = None,
        *,
        leans: bool = False,
    ) -> str: ...


class Completer(Protocol):
    """Anything that turns chat messages into a reply (the model endpoint)."""

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
        timeout: float | None = None,
    ) -> str: ...


_MAX_ANSWER_CHARS = 400  # of each earlier answer shown to the model: enough to resolve "it"
_PREFIX = re.compile(r"^\s*(?:standalone question\s*:|question\s*:)\s*", re.IGNORECASE)


class ModelCondenser:
    """Follow-up condensation by the model, checked, with :func:`condense` as the fallback.

    The model is asked only when the question leans on context; its rewrite is kept only if
    it is one plausible question (not empty, not long, sharing words with the conversation).
    """

    def __init__(self, model: Completer, prompt: Prompt, timeout: float) -> None:
        self._model = model
        self._prompt = prompt
        self._timeout = timeout

    def __call__(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        topic: str | None = None,
        *,
        leans: bool = False,
    ) -> str:
        """Standalone form of ``question``; ``history`` holds (standalone question, answer)."""
        rule_based = condense(question, [q for q, _ in history], topic, leans=leans)
        if not (history or topic) or not (leans or needs_context(question)):
            return rule_based
        try:
            reply = self._model.complete(
                self._messages(question, history, topic), max_tokens=96, timeout=self._timeout
            )
        except FollowupError as exc:
            log.info("model condensation failed (%s); using the rule-based rewrite", exc)
            return rule_based
        rewritten = _clean_rewrite(reply)
        if rewritten is None or not _plausible(rewritten, question, history, topic):
            log.info("model condensation unusable; using the rule-based rewrite")
            return rule_based
        return rewritten

    def _messages(
        self, question: str, history: Sequence[tuple[str, str]], topic: str | None
    ) -> list[dict[str, str]]:
        lines = [f"Topic: {topic}"] if topic else []
        for asked, answered in history[-3:]:
            lines.append(f"Question: {asked}")
            lines.append(f"Answer: {answered[:_MAX_ANSWER_CHARS]}")
        text = self._prompt.render(history="\n".join(lines), question=question)
        return [{"role": "user", "content": text}]


def _clean_rewrite(reply: str) -> str | None:
    from assistant.verify import sanitize

    lines = [line for line in sanitize(reply).text.splitlines() if line.strip()]
    if not lines:
        return None
    line = _PREFIX.sub("", lines[0]).strip().strip("\"'").strip()
    return line or None


def _plausible(
    rewritten: str, question: str, history: Sequence[tuple[str, str]], topic: str | None
) -> bool:
    if len(rewritten) > 2 * len(question) + 300 or "NO_ANSWER" in rewritten:
        return False
    context = " ".join([question, topic or "", *(q for q, _ in history[-3:])])
    words = content_words(rewritten)
    return bool(words) and len(words & content_words(context)) >= max(1, len(words) // 3)
