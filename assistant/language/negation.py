"""Negation cues and what they reach.

Two readings, for two checks:

- :func:`negated_words`: a negation word ("not", "no", "never", "without", "against") reaches
  the first content word after it ("must not be used" negates "used"; "no adjustment is
  needed" negates "adjustment"); a bound is no negation ("no more than 2 doses" is "at most");
- :func:`denials`: a denial (a negation, "without", "rather than", "regardless of", "differs
  from", "fails to", "advises against", a contraindication or "avoid") reaches the words
  after it up to the next comma or clause join - over a whole list for a contraindication
  ("in perforation, ileus and toxic megacolon") - or back over its clause when nothing
  follows ("but fatigue did not").

The cue words are listed in ``data/grammar.v1.yaml`` (``negations``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.language.grammar import grammar
from assistant.language.tokens import STOPWORDS, stem, stems

# Comparatives of size or time: "no sooner than" bounds, "no better than" denies.
_SIZES = (
    "more|less|fewer|greater|higher|lower|later|earlier|sooner|longer|shorter|older|younger|"
    "larger|smaller|bigger|wider"
)
_NO_MORE_OFTEN = r"\b(?:not|never)\s+(?:\w+\s+){0,2}more\s+(?:often|frequently)\s+than\b"
_WITHOUT_WAITING = r"\bwithout\s+(?:waiting|delay)\b"
_PHRASES = (
    (re.compile(r"\bwith or without\b", re.I), "with"),
    (re.compile(r"\brather than\b", re.I), "not"),
    (re.compile(r"n't\b|\bnon-", re.I), " not "),
    # a bound, not a negation: "no more than 2 doses" is "at most 2 doses", "should not exceed
    # 10 mg" is "at most 10 mg"
    # ... as is a comparative of size or time: "no sooner than weekly", "no longer than 4 weeks"
    (re.compile(rf"\b(?:no|not)\s+(?:{_SIZES})\s+than\b", re.I), " "),
    (re.compile(r"\b(?:not|never)\s+(?:to\s+)?exceed(?:s|ed|ing)?\b", re.I), " "),
    # ... as is "not used more often than once a day"
    (re.compile(_NO_MORE_OFTEN, re.I), " "),
    # a time, not a denial: "at once, without waiting for the biopsy", "without delay"
    (re.compile(_WITHOUT_WAITING, re.I), " immediately "),
)
# Words a negation reaches past: "not significantly improve" negates "improve".
_PAST = frozenset(
    {"been", "being", "were", "has", "have", "had", "may", "must", "could", "only", "whether"}
    | {"also", "always", "necessarily", "significantly", "statistically", "yet", "just", "even"}
    | {"usually", "routinely", "generally", "currently"}
)


def negation_tokens(text: str) -> list[str]:
    """The lower-case words and numbers of ``text``, negation phrases read as one word."""
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return re.findall(r"\d+(?:\.\d+)?|[a-z0-9]+", text.lower())


def _content(token: str) -> bool:
    if token[0].isdigit():
        return True  # "was not 0.65"
    return token not in STOPWORDS and len(token) > 2 and token not in _PAST


def negated_words(text: str, same: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """(stems a negation reaches, other stems). Words ``same`` reads as one ("superior":
    "better") count as one."""
    inside: set[str] = set()
    outside: set[str] = set()
    pending = False
    negations = grammar().negations
    for token in negation_tokens(text):
        if token in negations:
            pending = True
        elif _content(token):
            word = stem(same.get(token, token))
            (inside if pending else outside).add(word)
            pending = False
    return inside, outside


_DENIAL = re.compile(
    r"\b(?:not|no|never|cannot|neither|nor|none|nobody|without|rather than|contraindicat\w*|"
    r"(?:advis|recommend|suggest|argu|caution|warn)\w*\s+against|"
    r"avoid\w*|regardless of|irrespective of|independent(?:ly)? of|dissimilar|unlike|unable|"
    r"(?:differs?|differed|different|differing) from|(?:fail|fails|failed|failing) to|"
    r"lacks|lacked|lacking)\b|n't\b",
    re.IGNORECASE,
)
_NOT_DENIALS = re.compile(
    rf"\b(?:no|not)\s+(?:{_SIZES})\s+than\b"
    rf"|{_NO_MORE_OFTEN}|{_WITHOUT_WAITING}"
    r"|\b(?:not|never)\s+(?:to\s+)?exceed\w*"
    r"|\bnot only\b|\bno longer\b|\bwith or without\b",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(r"[,;:()]|\s(?:whereas|while|but|and then)\s", re.IGNORECASE)
# A contraindication reaches over its list ("in perforation, ileus and toxic megacolon").
_LIST_END = re.compile(r"[;:()]|,\s+(?:and|so|but)\s|\s(?:whereas|while|but)\s", re.IGNORECASE)
_LISTING = re.compile(r"contraindicat|avoid", re.IGNORECASE)


@dataclass(frozen=True)
class Denial:
    """What one denial of a text reaches ("did not improve fatigue or sleep": improve,
    fatigue, sleep), and the words of its part. ``double``: another denial shares its part
    ("not contraindicated")."""

    scope: str
    words: frozenset[str]
    part: frozenset[str]
    double: bool = False


def content_stems(text: str) -> set[str]:
    """Stems of the words of ``text`` that are no stopwords."""
    return stems(" ".join(w for w in text.split() if w.lower() not in STOPWORDS))


def denials(text: str) -> list[Denial]:
    """Every denial of a text (a negation, "without", "rather than", a contraindication)."""
    plain = _NOT_DENIALS.sub(" ", text)
    found, regions = [], []
    for match in _DENIAL.finditer(plain):
        rest = plain[match.end() :]
        end = (_LIST_END if _LISTING.match(match.group(0)) else _SCOPE_END).search(rest)
        scope = rest[: end.start()] if end else rest
        head = _SCOPE_END.split(plain[: match.start()])[-1]
        regions.append(match.start() - len(head))
        if not content_stems(scope):  # "but fatigue and sleep did not": it reaches back
            scope = head
        part = content_stems(f"{head} {scope}")
        found.append(Denial(scope, frozenset(content_stems(scope)), frozenset(part)))
    return [
        Denial(d.scope, d.words, d.part, regions.count(region) > 1)
        for d, region in zip(found, regions, strict=True)
    ]


# "every 48 hours without haemodialysis": the case a sentence sets aside, not the one it is on.
_EXCLUSION = re.compile(
    r"\b(?:without|except(?:\s+(?:for|in|with))?|other than|excluding|apart from)\b", re.IGNORECASE
)
_EXCLUDED_WORDS = 3


def excluded_stems(text: str) -> set[str]:
    """Stems of what a text sets aside ("without haemodialysis", "other than in pregnancy"):
    the first few words after an exclusion, up to the end of its phrase; "with or without
    food" sets nothing aside."""
    plain = _NOT_DENIALS.sub(" ", text)
    found: set[str] = set()
    for match in _EXCLUSION.finditer(plain):
        rest = plain[match.end() :]
        end = _SCOPE_END.search(rest)
        scope = rest[: end.start()] if end else rest
        found |= content_stems(" ".join(scope.split()[:_EXCLUDED_WORDS]))
    return found


# What a patient does not have: "no allergies", "no pen allergy", "not pregnant",
# "non-pregnant", "no longer breastfeeding". A preposition or a verb ends what the cue reaches
# ("not safe in pregnancy" says nothing of the patient's pregnancy).
_ABSENT_CUE = re.compile(r"\b(?:no longer|no|not|nil|without|denies|negative for)\s+|\bnon-", re.I)
_ABSENT_WORD = re.compile(r"[A-Za-z][\w'-]*")
_ABSENT_ENDS = frozenset(
    {"for", "in", "with", "of", "to", "on", "at", "by", "from", "and", "but", "so", "then", "if"}
    | {"is", "are", "was", "be", "can", "could", "should", "would", "will", "does", "do", "did"}
    | {"what", "which", "how", "when", "why", "who", "more", "less", "longer", "than", "need"}
)
_ABSENT_WORDS = 3


# Organs said to work normally: "normal kidneys and liver", "normal renal function", "good
# U&Es" say the patient has no renal or hepatic impairment.
_NORMAL_ORGANS = re.compile(
    r"\b(?:normal|good|healthy)\s+(?:(?:renal|kidney|kidneys|liver|hepatic)(?:\s+function)?"
    r"|u&es|lfts|egfr)(?:\s+(?:and|&)\s+(?:(?:renal|kidney|kidneys|liver|hepatic)"
    r"(?:\s+function)?|u&es|lfts))?\b",
    re.I,
)


def absent_spans(text: str) -> list[tuple[int, int]]:
    """Where a text says what the patient has not got ("no known allergies", "not pregnant",
    "normal kidneys"): the few words a cue reaches, up to punctuation, a preposition or a
    verb. A bound ("no more than 2 doses") reaches nothing."""
    spans = [(m.start(), m.end()) for m in _NORMAL_ORGANS.finditer(text)]
    for cue in _ABSENT_CUE.finditer(text):
        start = end = cue.end()
        reach = 1 if cue.group(0).lower() == "non-" else _ABSENT_WORDS  # "non-CRC dMMR"
        for count, word in enumerate(_ABSENT_WORD.finditer(text, cue.end())):
            gap = text[end : word.start()]
            if count >= reach or (count and gap.strip() not in ("", "or")):
                break
            if word.group(0).lower() in _ABSENT_ENDS:
                break
            end = word.end()
        if end > start:
            spans.append((start, end))
    return spans


def without_absent(text: str) -> str:
    """``text`` with what it says a patient has not got blanked out (same length)."""
    for start, end in absent_spans(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text
