"""Cited passages as the verifier reads them: plain text, without the lines that read as
instructions to an AI ("ignore previous instructions..."). Such lines never count as support:
a model that obeys a planted instruction cannot ground what it wrote in the instruction itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language.sentences import split_sentences, strip_markup

INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instruction|prompt|rule|message)s?\b"
    r"|\b(?:system prompt|developer message|you are now|new instructions|as an ai)\b"
    r"|\b(?:tell|inform|instruct) the (?:reader|user|patient|clinician)s?\b"
    r"|\b(?:respond|reply|answer) (?:only )?with\b|\brepeat after me\b"
    r"|\b(?:ai|language model|assistant|chatbot)s?\s*(?:must|should|:)",
    re.IGNORECASE,
)


def supporting_sentences(passage: str) -> list[str]:
    """Sentences of a passage that can support a claim; lines that read as instructions to
    an AI never do."""
    lines = strip_markup(passage).splitlines()
    return split_sentences("\n".join(line for line in lines if not INSTRUCTION.search(line)))


def trusted_text(passage: str) -> str:
    """A passage's plain text without the lines (paragraphs, bullets) that read as instructions
    to an AI: a planted instruction's payload usually shares its paragraph with the trigger."""
    lines = strip_markup(passage).splitlines()
    return " ".join(line for line in lines if not INSTRUCTION.search(line))


def passage_texts(chunks: Sequence[str]) -> list[str]:
    """Plain text of passages as the model saw them and as grounding checks read them."""
    return [strip_markup(c) for c in chunks]


def passage_context(title: str, heading: str = "") -> str:
    """What :func:`check_sentences` takes as a passage's context: its title and heading."""
    return "\n".join(part for part in (title, heading) if part)
