"""Untrusted text at the edges: what a question may contain, and how text is made safe to show.

Questions arrive from every channel (CLI arguments and stdin, JSON, OpenAI-compatible
clients); corpus text (titles, passages) is printed on terminals and sent to chat front ends.
The rules live here once, so every channel refuses the same questions with the same message
and no channel prints a terminal escape sequence or direction override from a source.
"""

from __future__ import annotations

import sys
import unicodedata

from assistant.errors import InvalidRequestError

# Format characters (Unicode category Cf) render as nothing: zero-width spaces and joiners,
# direction marks and overrides, the byte-order mark, the soft hyphen. A question made only
# of them (and spaces) has no visible text. BMP only, so a JSON Schema pattern can list them.
INVISIBLE = frozenset(
    chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Cf"
)
# Direction controls reorder what a reader (or a reviewer) sees; zero-width characters split
# words invisibly. Both are removed from questions. Joiners (U+200C, U+200D) stay: some
# scripts and emoji need them.
STRIPPED = frozenset("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff") | {
    chr(code) for code in range(0x2066, 0x206A)
}
_KEPT_CONTROLS = "\n\t\r"


def _ranges(chars: frozenset[str]) -> str:
    """``chars`` as a regex character-class body of ``\\uXXXX`` ranges."""
    codes = sorted(ord(c) for c in chars)
    parts: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(f"\\u{start:04x}" + (f"-\\u{prev:04x}" if prev > start else ""))
        start = prev = code
    return "".join(parts)


# The same rules as a JSON Schema pattern, so clients (and schemathesis) can tell a valid
# question from an invalid one: some visible text; no control characters but tab and
# newlines; no lone surrogates.
QUESTION_PATTERN = (
    rf"^(?=[\s\S]*[^\s{_ranges(INVISIBLE)}])"
    r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]*$"
)


def check_question(text: str, max_chars: int) -> str:
    """The question with invisible controls removed and whitespace normalised.

    Raises InvalidRequestError, with a message that never echoes the text, when the question
    holds undecodable bytes or lone surrogates, control characters, no visible text, or is
    longer than ``max_chars``.
    """
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise InvalidRequestError(
            "The question is not valid text (undecodable bytes or a lone UTF-16 surrogate); "
            "retype it as plain UTF-8 text."
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _KEPT_CONTROLS for ch in text):
        raise InvalidRequestError(
            "The question contains control characters; remove them and ask again."
        )
    if not text.strip():
        raise InvalidRequestError("The question is empty; type a question.")
    question = " ".join("".join(ch for ch in text if ch not in STRIPPED).split())
    if all(ch in INVISIBLE for ch in question.replace(" ", "")):
        raise InvalidRequestError(
            "The question has no visible text (only invisible or direction-control "
            "characters); type a question."
        )
    if len(question) > max_chars:
        raise InvalidRequestError(
            f"The question is {len(question)} characters long; the limit is {max_chars}."
        )
    return question


def _shown(ch: str) -> str:
    """A printable stand-in for a character a terminal would act on or reorder text by."""
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with control characters (escape sequences), direction controls and lone
    surrogates written out as visible escapes; newlines and tabs stay."""
    return "".join(
        _shown(ch)
        if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t") or ch in STRIPPED
        else ch
        for ch in text
    )


def reconfigure_stdin() -> None:
    """Read undecodable stdin bytes as surrogates, so check_question refuses them with a
    message instead of the reader raising UnicodeDecodeError."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
