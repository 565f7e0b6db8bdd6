"""From generator to verified draft: streaming, sanitising, checking, falling back.

The pipeline's generate step, kept apart so the pipeline stays a short list of steps:

- :func:`draft_stream` runs the generator, streaming sanitised text deltas when it can; a
  stretch of text that says nothing (bare citation markers, a passage title repeated,
  punctuation) is held back by :class:`ContentGate` and never shown as an answer;
- :func:`settle` verifies the draft in code (assistant.verify) and, when nothing usable is
  left, substitutes the extractive answer, saying why;
- :func:`revision` says whether and how the final answer differs from what was streamed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace

from assistant.content import has_content, says_something
from assistant.generate.base import Draft, GenerationRequest, StreamingGenerator
from assistant.generate.extractive import NAME as EXTRACTIVE
from assistant.judge import apply_judge
from assistant.language.markers import OPEN_MARKER
from assistant.language.sentences import STREAM_END
from assistant.services import Services
from assistant.verify import (
    StreamSanitizer,
    check_sentences,
    passage_context,
    passage_texts,
    sanitize,
)


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


def draft_stream(
    services: Services, request: GenerationRequest, timings: dict[str, float]
) -> Iterator[str | Draft]:
    """Sanitised text deltas (when the generator streams), then the draft."""
    generator = services.generator
    started = time.perf_counter()
    if not isinstance(generator, StreamingGenerator):
        yield generator.generate(request)
        return
    sanitizer = StreamSanitizer(len(request.passages))
    gate = ContentGate(contexts(request))
    for item in generator.stream(request):
        if isinstance(item, Draft):
            timings["model"] = (time.perf_counter() - started) * 1000
            if item.fallback_reason is None:  # an aborted stream's held-back tail is dropped
                tail = gate.feed(sanitizer.finish()) + gate.finish()
                if tail.strip():
                    yield tail
            yield item
            return
        safe = gate.feed(sanitizer.feed(item))
        if safe.strip():
            timings.setdefault("first_delta", (time.perf_counter() - started) * 1000)
            yield safe
    raise AssertionError(f"{generator.name} stream ended without a draft")


def _verified(services: Services, request: GenerationRequest, draft: Draft) -> Draft:
    clean = sanitize(draft.text)
    checked = check_sentences(
        clean.text,
        passage_texts([hit.chunk.text for hit in request.passages]),
        request.standalone_question,
        services.settings.llm.min_support,
        contexts(request),
        services.understander.terminology,
    )
    if services.judge is not None and draft.generator != EXTRACTIVE:
        checked = apply_judge(checked, *services.judge)
    return replace(
        draft, text=checked.text, findings=draft.findings + clean.findings + checked.findings
    )


def settle(services: Services, request: GenerationRequest, draft: Draft) -> tuple[Draft, list[str]]:
    """The verified draft and the changes verification made; the extractive answer when the
    model's draft is unusable (a model's decline included: see ``MODEL_DECLINED``) or nothing
    of it survives verification."""
    if draft.refused:
        return draft, []
    reason = draft.fallback_reason
    changes: list[str] = []
    if reason is None:
        draft = _verified(services, request, draft)
        removed = [f for f in draft.findings if f.startswith("removed unsupported sentence")]
        changes = [
            f.replace("removed unsupported sentence", "removed a sentence", 1) for f in removed
        ]
        if draft.generator == EXTRACTIVE or has_content(draft.text, contexts(request)):
            return draft, changes
        reason = (
            "what survived verification says nothing (only citation markers, titles or punctuation)"
            if draft.text.strip()
            else "no sentence of the model's answer survived verification"
        )
    fallback = services.fallback
    if fallback is None:
        refused = replace(draft, text="", refused=True, fallback_reason=reason)
        return refused, [*changes, f"the model's answer was withdrawn: {reason}"]
    substitute = _verified(services, request, fallback.generate(request))
    substitute = replace(
        substitute,
        prompt_version=draft.prompt_version,
        findings=[
            *draft.findings,
            f"answered by the extractive generator: {reason}",
            *substitute.findings,
        ],
        fallback_reason=reason,
    )
    return substitute, [
        *changes,
        f"the model's answer was replaced by the extractive answer: {reason}",
    ]


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s+([.,;:!?])", r"\1", text)).strip()


def revision(streamed: list[str], final: str, changes: list[str]) -> tuple[bool, list[str]]:
    """Whether the final answer differs from the streamed text, and what changed."""
    if not streamed:
        return False, []
    if _plain("".join(streamed)) == _plain(final):
        return False, []
    return True, changes or ["the answer was revised after verification"]
