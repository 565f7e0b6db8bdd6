"""What may be shown of a streamed draft, and how the final answer differs from it.

- :class:`ContentGate` holds back a stretch of streamed text that says nothing (bare
  citation markers, a passage title repeated, punctuation): it is never shown as an answer
  (the generate stage, assistant/stages/generate.py, runs the stream through it);
- :func:`revision` says whether and how the final answer differs from what was streamed.
"""

from __future__ import annotations

import re

from assistant.content import says_something
from assistant.generate.base import GenerationRequest
from assistant.language.markers import OPEN_MARKER
from assistant.language.sentences import STREAM_END
from assistant.verify import passage_context


def contexts(request: GenerationRequest) -> list[str]:
    """Title and heading of each passage, by position: repeating them is not a claim."""
    return [passage_context(hit.chunk.title, hit.chunk.heading) for hit in request.passages]


class ContentGate:
    """Holds streamed text until the sentence it belongs to says something.

    A sentence whose text so far is only markers, title words and punctuation is held; once
    a content word arrives the sentence is released and flows on to its end; a sentence that
    ends without content is dropped from the stream (verification removes it from the answer
    too). The final, verified answer stays authoritative.
    """

    def __init__(self, titles: list[str]) -> None:
        self._titles = titles
        self._held = ""
        self._open = False

    def feed(self, text: str) -> str:
        """Add sanitised text; return what may be shown now."""
        self._held += text
        shown = ""
        while self._held:
            end = STREAM_END.search(self._held)
            upto = end.end() if end else len(self._held)
            if not self._open and self._says_something(self._held[:upto], finished=bool(end)):
                self._open = True
            if self._open:
                shown, self._held = shown + self._held[:upto], self._held[upto:]
                self._open = end is None  # a finished sentence closes the gate again
            elif end:
                self._held = self._held[upto:]  # a finished sentence that said nothing
            if end is None:
                break
        return shown

    def finish(self) -> str:
        """The end of the stream: held text that never said anything is dropped."""
        held, self._held = self._held, ""
        return held if self._open or self._says_something(held, finished=True) else ""

    def _says_something(self, text: str, finished: bool) -> bool:
        if not finished:  # the last word may still grow ("dos" -> "dosing", a title word)
            text = OPEN_MARKER.sub("", re.sub(r"\S+$", "", text))
        return says_something(text, self._titles)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s+([.,;:!?])", r"\1", text)).strip()


def revision(streamed: list[str], final: str, changes: list[str]) -> tuple[bool, list[str]]:
    """Whether the final answer differs from the streamed text, and what changed."""
    if not streamed:
        return False, []
    if _plain("".join(streamed)) == _plain(final):
        return False, []
    return True, changes or ["the answer was revised after verification"]
