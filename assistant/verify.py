"""Checks in code on what a model wrote, before anyone sees it.

A model is an untrusted author. Its text goes through two steps:

1. :func:`sanitize` turns it into plain text. HTML elements (``<script>`` with its content),
   tags, Markdown images, link targets, bare URLs and formatting are removed; link text is
   kept as words. Nothing the model writes survives as markup.
2. :func:`check_sentences` keeps only supported sentences. Every sentence is treated as a
   claim: it must say something (words beyond its citation markers and the titles and
   headings of its sources), carry a citation ``[n]`` to a passage given to the model, and
   be supported by the cited passages (:mod:`assistant.verify_support`): by a sentence that
   says what it says (:mod:`assistant.meaning`: values by value, bound to the same drug,
   population and direction, negations and advice, named drugs, conditions, ages and
   settings), by two or three adjacent sentences about one subject, or part by part; most of
   its content words, weighted by what they say, must occur in the cited passages (or the
   question).

**Unsupported sentences are removed, not marked.** A clinician reads the answer quickly and
a marked-but-present invented dose is still read; the removed sentences are kept verbatim in
the record's findings so reviewers see exactly what the model wrote and why it went.

Passage lines that read as instructions to an AI ("ignore previous instructions...")
never count as support: a model that obeys a planted instruction cannot ground what it
wrote in the instruction itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.citations import stated_facts
from assistant.content import says_something
from assistant.language import markers
from assistant.language.markers import cited_indices, markers_last
from assistant.language.sentences import answer_sentences, split_sentences, strip_markup
from assistant.language.terminology import Terminology
from assistant.meaning_values import grounded, normalize, one_off_read
from assistant.verify_support import Evidence, best_support, support, support_problem

_BLOCK = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|template)\b.*?(?:<\s*/\s*\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
_OPEN_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>\n]*$", re.MULTILINE)  # unterminated
_IMAGE = re.compile(r"!\[[^\]\n]*\]\s*(?:\([^)\n]*\)?|\[[^\]\n]*\])")
_LINK = re.compile(r"\[([^\]\n]*)\]\s*\(([^)\n]*)\)?")
_REF_DEF = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_URL = re.compile(
    r"(?:\b(?:https?|ftp|file|javascript|data|vbscript|mailto):|\bwww\.)[^\s<>\"')\]]*",
    re.IGNORECASE,
)
_CODE_FENCE = re.compile(r"```[^\n]*")
_FENCES = re.compile(r"<{2,}|>{2,}|‹{2,}|›{2,}|\b(?:END )?SOURCE \d+:?")
_FORMAT = re.compile(r"(\*\*|__|`|^\s{0,3}#{1,6}\s*|^\s*>\s?)", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+", re.MULTILINE)
_SPACES = re.compile(r"[ \t]+")
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instruction|prompt|rule|message)s?\b"
    r"|\b(?:system prompt|developer message|you are now|new instructions|as an ai)\b"
    r"|\b(?:tell|inform|instruct) the (?:reader|user|patient|clinician)s?\b"
    r"|\b(?:respond|reply|answer) (?:only )?with\b|\brepeat after me\b"
    r"|\b(?:ai|language model|assistant|chatbot)s?\s*(?:must|should|:)",
    re.IGNORECASE,
)


@dataclass
class Sanitized:
    text: str
    findings: list[str] = field(default_factory=list)


def _sub(pattern: re.Pattern[str], repl: str, text: str, what: str, found: list[str]) -> str:
    new, count = pattern.subn(repl, text)
    if count:
        found.append(f"removed {count} {what} from the model's text")
    return new


def _link(match: re.Match[str]) -> str:
    label = match.group(1)
    # "[2](https://...)" is a citation marker wrapped in a link: keep the marker.
    return f"[{label}]" if re.fullmatch(markers.MARKER_BODY, label.strip()) else label


def sanitize(text: str, *, strip: bool = True) -> Sanitized:
    """Plain text of model output: no HTML, images, links, URLs or Markdown formatting."""
    found: list[str] = []
    for _ in range(2):  # "&amp;lt;script&amp;gt;" decodes twice
        text = html.unescape(text)
    text = _sub(_BLOCK, " ", text, "HTML script/style element(s)", found)
    text = _sub(_COMMENT, " ", text, "HTML comment(s)", found)
    text = _sub(_TAG, " ", text, "HTML tag(s)", found)
    text = _sub(_OPEN_TAG, " ", text, "unterminated HTML tag(s)", found)
    text = _sub(_IMAGE, " ", text, "image(s)", found)
    text = _sub(_REF_DEF, " ", text, "link definition(s)", found)
    text = _links(text, found)
    text = _sub(_URL, " ", text, "URL(s)", found)
    text = _FENCES.sub(" ", text)  # the prompt's own source-block delimiters, echoed
    text = _CODE_FENCE.sub(" ", text)
    text = _BULLET.sub("", _FORMAT.sub("", text))
    text = re.sub(r"[ \t]*\n\s*", "\n", _SPACES.sub(" ", text))
    text = re.sub(r"(?<=\S) +([.,;:!?])", r"\1", text)
    return Sanitized(text.strip() if strip else text, found)


def _links(text: str, found: list[str]) -> str:
    new, count = _LINK.subn(_link, text)
    if count:
        found.append(f"removed {count} link target(s) from the model's text")
    return new


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


@dataclass
class Checked:
    """The kept text (request-position markers), what was removed and why."""

    text: str
    removed: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    # Each kept sentence with the cited sentence that supports it (for an optional judge).
    supports: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        """Whether anything that says something survived: when False the answer is unusable
        and the extractive fallback answers instead."""
        return bool(self.text.strip())


def cited_evidence(
    sentence: str,
    passages: Sequence[str],
    contexts: Sequence[str] | None,
    terminology: Terminology | None,
) -> list[Evidence]:
    """Every sentence of the passages ``sentence`` cites, with its passage's context."""
    return [
        Evidence(s, contexts[n - 1] if contexts else "", terminology, n, i)
        for n in dict.fromkeys(cited_indices(sentence))
        for i, s in enumerate(supporting_sentences(passages[n - 1]))
    ]


def sentence_problem(
    sentence: str,
    passages: Sequence[str],
    question: str,
    min_support: float,
    contexts: Sequence[str] | None = None,
    terminology: Terminology | None = None,
) -> str | None:
    """Why a sentence (with request-position markers) is unsupported, or None if it is fine.
    ``contexts`` are the passages' titles and headings, by position."""
    cited = list(dict.fromkeys(cited_indices(sentence)))
    titles = [contexts[n - 1] for n in cited] if contexts else []
    if not says_something(sentence, titles):
        return "it says nothing beyond citation markers and the titles of its sources"
    if not cited:
        return "no citation"
    grounding = normalize(" ".join(trusted_text(passages[n - 1]) for n in cited))
    for fact in one_off_read(stated_facts(normalize(sentence))):
        if not grounded(fact, [grounding]):
            return f"{fact.text!r} is not in the cited passage(s)"
    share = support(sentence, f"{grounding} {' '.join(titles)}", question)
    if share < min_support:
        return f"only {share:.0%} of its words are in the cited passage(s)"
    return support_problem(
        sentence, cited_evidence(sentence, passages, contexts, terminology), question
    )


def check_sentences(
    text: str,
    passages: Sequence[str],
    question: str,
    min_support: float,
    contexts: Sequence[str] | None = None,
    terminology: Terminology | None = None,
) -> Checked:
    """Keep the sentences of ``text`` that its cited passages support; report the rest.
    ``contexts`` (title and heading of each passage, by position) let a sentence name a drug
    its passage's title names, and mark a repeated title as saying nothing."""
    result = Checked(text="")
    kept: list[str] = []
    for raw in answer_sentences(text):
        sentence = markers_last(markers.keep_valid(raw, len(passages), result.findings).strip())
        if sentence.strip() in kept:  # a model that repeats itself says it once
            result.findings.append(f"removed a repeated sentence: {raw[:200]!r}")
            continue
        problem = sentence_problem(sentence, passages, question, min_support, contexts, terminology)
        if problem is None:
            kept.append(sentence.strip())
            support = _support_of(sentence, passages, contexts, terminology)
            result.supports.append((sentence.strip(), support))
            continue
        result.removed.append(raw)
        result.findings.append(f"removed unsupported sentence ({problem}): {raw[:200]!r}")
    result.text = " ".join(kept)
    return result


def _support_of(
    sentence: str,
    passages: Sequence[str],
    contexts: Sequence[str] | None,
    terminology: Terminology | None,
) -> str:
    return best_support(sentence, cited_evidence(sentence, passages, contexts, terminology))


def passage_texts(chunks: Sequence[str]) -> list[str]:
    """Plain text of passages as the model saw them and as grounding checks read them."""
    return [strip_markup(c) for c in chunks]


def passage_context(title: str, heading: str = "") -> str:
    """What :func:`check_sentences` takes as a passage's context: its title and heading."""
    return "\n".join(part for part in (title, heading) if part)


class StreamSanitizer:
    """Sanitises streamed model text piece by piece, for provisional display.

    Text is released only up to a point where no markup construct can still be open (an
    unclosed ``<``, ``[`` or ``(`` after ``]``, an unfinished word or URL), so a tag split
    across deltas is never shown half-formed. Citation markers are renumbered by first
    appearance, as the final answer is, and markers to no passage are dropped. The final,
    verified answer remains authoritative.
    """

    HOLD_LIMIT = 600  # characters; past this an unclosed construct is treated as text

    def __init__(self, n_passages: int) -> None:
        self._buffer = ""
        self._renumberer = markers.Renumberer(n_passages)
        self._in_block = False

    def feed(self, delta: str) -> str:
        """Add a delta; return the text that is now safe to show (may be empty)."""
        self._buffer += delta
        cut = self._safe_cut(self._buffer)
        head, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return self._clean(head)

    def finish(self) -> str:
        """Release whatever is left at the end of the stream."""
        head, self._buffer = self._buffer, ""
        return self._clean(head).rstrip()

    def _safe_cut(self, buffer: str) -> int:
        spaces = [m.end() for m in re.finditer(r"\s+", buffer)]
        cut = spaces[-1] if spaces else 0
        if len(buffer) > self.HOLD_LIMIT:
            return cut
        # Never cut inside a construct: its halves would be cleaned apart and leak.
        for pattern in (_BLOCK, _COMMENT, _TAG, _BRACKETED, _URL):
            for match in pattern.finditer(buffer):
                if match.start() < cut <= match.end():
                    cut = match.start()
        for pending in (_pending_tag(buffer), _pending_bracket(buffer)):
            if pending is not None:
                cut = min(cut, pending)
        return cut

    def _clean(self, text: str) -> str:
        if not text:
            return ""
        clean = sanitize(text, strip=False).text
        return _SPACES.sub(" ", markers.rewrite(clean, self._renumberer))


_BRACKETED = re.compile(r"!?\[[^\]\n]*\](?:\s*\([^)\n]*\)?)?")


def _pending_tag(buffer: str) -> int | None:
    """Start of a ``<`` that may still become a tag, or None."""
    start = buffer.rfind("<")
    if start == -1 or ">" in buffer[start:] or "\n" in buffer[start:]:
        return None
    rest = buffer[start + 1 :]
    if rest and not re.match(r"\s*[A-Za-z/!?]", rest):
        return None  # "< 5 mg" is a comparison, not a tag
    return start


def _pending_bracket(buffer: str) -> int | None:
    """Start of a ``[`` or ``![`` construct that is not finished yet, or None."""
    start = buffer.rfind("[")
    if start == -1:
        return buffer.rfind("!") if buffer.endswith("!") else None
    if start > 0 and buffer[start - 1] == "!":
        start -= 1
    close = buffer.find("]", start)
    if close == -1:
        return start
    after = buffer[close + 1 :].lstrip()
    if not after:
        return start  # may be followed by "(url)"
    if after.startswith("(") and ")" not in after:
        return start
    return None


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
