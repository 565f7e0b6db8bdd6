"""Rule-based rewriting of a follow-up into a standalone question.

"and at 50 mg?" means nothing to a search index on its own; joined to the question it
follows ("... (follow-up to: At what doses does naltrexone block fully?)") it does.
The LLM generator may condense better; this is the offline rule.
"""

from __future__ import annotations

import re

from assistant.text import content_words

_CUE = re.compile(
    r"^\s*(?:and|but|so|also|or|then|ok(?:ay)?|what about|how about|and what about|"
    r"what if|same|in that case|instead)\b[\s,]*",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(it|its|it's|this|that|these|those|they|them|their|he|she|his|her|there|the same|"
    r"the dose|the drug|the patient|such)\b",
    re.IGNORECASE,
)
_CONTEXT = re.compile(r"\(follow-up to: (.*)\)$")
MIN_STANDALONE_WORDS = 4


def needs_context(question: str) -> bool:
    """Whether a message reads as a follow-up that leans on what came before."""
    if _CUE.match(question) or _ANAPHORA.search(question):
        return True
    return len(content_words(question)) < MIN_STANDALONE_WORDS


def condense(question: str, previous: list[str], topic: str | None = None) -> str:
    """Standalone form of ``question`` given earlier standalone questions (oldest first).

    ``topic`` (the title of the article a conversation started from) stands in for the
    previous question at the start of an article-anchored conversation.
    """
    question = " ".join(question.split())
    context = previous[-1] if previous else topic
    if not context or not needs_context(question):
        return question
    # A follow-up to a follow-up keeps the original topic, not the chain of follow-ups.
    nested = _CONTEXT.search(context)
    if nested:
        context = nested.group(1)
    focus = _CUE.sub("", question).strip() or question
    return f"{focus[0].upper()}{focus[1:]} (follow-up to: {context})"
