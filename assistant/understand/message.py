"""The message as a whole: which of its sentences ask and which state, whether it is in another
language, and its instructions to the assistant to drop its rules (removed before anything
else reads it)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.language.sentences import message_sentences

if TYPE_CHECKING:
    from assistant.understand.understander import Understander

TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}\b(?:instructions?|rules?|"
    r"prompts?|guidelines?|polic(?:y|ies)|restrictions?|sources?)\b|\bsystem prompt\b|"
    r"\byou are now\b|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b",
    re.I,
)
ASKS = re.compile(
    r"\?|^\s*(?:(?:and|also|plus|or|but|so|then)\s+)?(?:what|how|when|which|who|whom|why|where|can|could|should|shall|is|are|does|do|"
    r"did|will|would|may|might|any|tell|explain|describe|list|give|advise|recommend|compare)\b|"
    r"\b(?:dose|doses|dosing|dosage|safe|safety|ok|okay|alright|use|used|treat|treatment|"
    r"manage|management|options?|recommend\w*|advice|evidence|interaction|contraindicat\w*|"
    r"side effects?|regimen|how much|how long|how often|mechanism|effective|first[- ]line)\b",
    re.I,
)
STATEMENT = re.compile(r"\.\s*$|\b\d{1,3}\s?[FM]\b|^\s*pt\b", re.I)
# A note that voices a plan or a worry asks about it without a question form ("28F on
# isotretinoin, wants to give blood next week"; "wife says he has been low").
CONCERN = re.compile(
    r"\b(?:wants? to|wanting to|would like to|keen (?:to|on)|plan(?:s|ning)? to|hoping to|"
    r"ask(?:s|ed|ing)? (?:if|whether|about|for)|wants? to know|wonder(?:s|ing)|worried|concerned|"
    r"says|said)\b",
    re.I,
)
COMMON_ZIPF = 3.2  # at or above this (general English), a word is everyday, not a term
FOREIGN_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl")


@lru_cache(maxsize=20000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def without_injection(text: str) -> tuple[str, bool]:
    """``text`` without its sentences that tell the assistant to drop its rules."""
    sentences = message_sentences(text)
    kept = [s for s in sentences if not INJECTION.search(s)]
    if len(kept) == len(sentences):
        return text, False
    # A single sentence may carry both: keep what follows the instruction's clause.
    if not kept:
        tail = re.split(r"[,:;-]\s+", sentences[-1], maxsplit=1)
        rest = tail[1] if len(tail) == 2 and not INJECTION.search(tail[1]) else ""
        return rest.strip(), True
    return " ".join(kept), True


def is_foreign(text: str, understander: Understander) -> bool:
    """Whether ``text`` reads as another language: its words are commoner there than in English
    and are not corpus terms."""
    from wordfreq import zipf_frequency

    words = [w.lower() for w in TOKEN.findall(text) if not understander.knows(w)]
    if len(words) < 3:
        return False
    english = sum(zipf(w) for w in words)
    for language in FOREIGN_LANGUAGES:
        other = sum(zipf_frequency(w, language) for w in words)
        if other > english * 1.3 + 2:
            return True
    return False
