"""Checks in code on what a model wrote, before anyone sees it.

A model is an untrusted author. Its text goes through two steps:

1. :func:`sanitize` (:mod:`assistant.verify.markup`) turns it into plain text: nothing the
   model writes survives as markup.
2. :func:`check_sentences` (:mod:`assistant.verify.sentences`) keeps only supported sentences:
   each passes the named rules of :mod:`assistant.verify.rules`, reading the cited passages as
   :mod:`assistant.verify.passages` gives them and finding support as
   :mod:`assistant.verify.support` does (by a sentence that says what it says,
   :mod:`assistant.meaning`; by two or three adjacent sentences about one subject,
   :mod:`assistant.verify.runs`; or part by part).

A reply that echoes its system prompt is discarded whole (:mod:`assistant.verify.leak`).
"""

from assistant.verify.leak import prompt_leak
from assistant.verify.markup import Sanitized, StreamSanitizer, sanitize
from assistant.verify.passages import (
    INSTRUCTION,
    passage_context,
    passage_texts,
    supporting_sentences,
    trusted_text,
)
from assistant.verify.rules import OTHER_RULES, RULES, Claim, Problem, Rule, cited_evidence
from assistant.verify.sentences import Checked, check_sentences, sentence_problem

__all__ = [
    "INSTRUCTION",
    "OTHER_RULES",
    "RULES",
    "Checked",
    "Claim",
    "Problem",
    "Rule",
    "Sanitized",
    "StreamSanitizer",
    "check_sentences",
    "cited_evidence",
    "passage_context",
    "passage_texts",
    "prompt_leak",
    "sanitize",
    "sentence_problem",
    "supporting_sentences",
    "trusted_text",
]
