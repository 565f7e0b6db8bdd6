"""Model text as plain text: nothing a model writes survives as markup.

:func:`sanitize` removes HTML elements (``<script>`` with its content), tags, Markdown images,
link targets, bare URLs and formatting; link text is kept as words. :class:`StreamSanitizer`
does the same to streamed text piece by piece, never releasing half a construct.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from assistant.language import markers

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


@dataclass
class Sanitized:
    text: str
    findings: list[str] = field(default_factory=list)


MARKUP_RULE = "markup"  # the id its findings carry (assistant.verify.rules)


def _removed(count: int, what: str) -> str:
    return f"removed {count} {what} from the model's text [rule: {MARKUP_RULE}]"


def _sub(pattern: re.Pattern[str], repl: str, text: str, what: str, found: list[str]) -> str:
    new, count = pattern.subn(repl, text)
    if count:
        found.append(_removed(count, what))
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
        found.append(_removed(count, "link target(s)"))
    return new


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
