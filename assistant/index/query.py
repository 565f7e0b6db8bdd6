"""Focused search queries from chatty consumer messages.

"Hi, hope you're well! My mum was just diagnosed ... What are the treatments for X? Thanks so
much!" searches better as what it asks: greetings, thanks, apologies and sign-offs carry no
evidence and only pull the query vector (and BM25's terms) away from the question.
"""

from __future__ import annotations

import re

from assistant.language.sentences import sentence_spans

# Whole sentences that are pleasantries, not content.
_PLEASANTRY = re.compile(
    r"^\W*(?:hi|hello|hey|dear\b[^.!?]*|good (?:morning|afternoon|evening)|greetings"
    r"|thanks?\b|thank you|many thanks|cheers|regards|best wishes|sorry\b|apologies"
    r"|i hope (?:you|this)\b|hope you\b|any (?:help|advice|info\w*)\b|please help"
    r"|i have a (?:quick )?question|quick question|i appreciate\b|much appreciated)"
    r"\b[^?]*[.!]?\s*$",
    re.IGNORECASE,
)
# Leading pleasantries inside a sentence that goes on to say something.
_LEAD = re.compile(
    r"^\W*(?:(?:hi|hiya|hello|hey|howdy|(?:good )?(?:morning|afternoon|evening))"
    r"(?: (?:there|doctor|doc|dr\.? \w+|all|team|everyone))?|dear \w+)[,!.\s]+",
    re.IGNORECASE,
)
_WONDER = re.compile(r"\bi (?:was|am|'m) wondering (?:if|whether)\s+", re.IGNORECASE)
MIN_WORDS = 12


# The corpus's names for the message's concepts, appended in brackets when it was understood.
_EXPANSIONS = re.compile(r"\s\([^()]*\)$")


def focus_query(message: str) -> str:
    """``message`` without greetings, thanks and sign-offs; short messages are left alone. The
    names appended to it in brackets are kept, whatever sentence they follow."""
    text = " ".join(message.split())
    if len(text.split()) < MIN_WORDS:
        return text
    appended = _EXPANSIONS.search(text)
    if appended:
        return f"{_focused(text[: appended.start()])}{appended.group(0)}"
    return _focused(text)


def _focused(text: str) -> str:
    kept = []
    for sentence in (s.text for s in sentence_spans(text)):
        sentence = _LEAD.sub("", sentence).strip()
        if sentence and not _PLEASANTRY.match(sentence):
            kept.append(_WONDER.sub("", sentence))
    focused = " ".join(kept).strip()
    return focused or text
