"""Whether a model's reply echoes its system prompt (the canary or a long run of its words)."""

from __future__ import annotations

import re
from functools import lru_cache

LEAK_SHINGLE = 8  # words in a row shared with the system prompt that count as echoing it
_WORDS = re.compile(r"[a-z0-9]+")


def prompt_leak(text: str, canary: str, system_prompt: str) -> str | None:
    """Why ``text`` reads as an echo of the system prompt (its canary or a long run of its
    words), or None. Such a reply is discarded whole: a model that repeats its instructions
    is not following them."""
    squeezed = re.sub(r"[\s\-_.]+", "", text.lower())
    if re.sub(r"[\s\-_.]+", "", canary.lower()) in squeezed:
        return "the reply repeats the system prompt's canary"
    words = _WORDS.findall(text.lower())
    shingles = _shingles(system_prompt)
    for i in range(len(words) - LEAK_SHINGLE + 1):
        if tuple(words[i : i + LEAK_SHINGLE]) in shingles:
            return "the reply repeats the system prompt"
    return None


@lru_cache(maxsize=16)
def _shingles(system_prompt: str) -> frozenset[tuple[str, ...]]:
    """Every run of LEAK_SHINGLE words in the prompt (computed once per streamed reply)."""
    words = _WORDS.findall(system_prompt.lower())
    return frozenset(
        tuple(words[i : i + LEAK_SHINGLE]) for i in range(len(words) - LEAK_SHINGLE + 1)
    )
