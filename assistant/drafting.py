"""From generator to verified draft: streaming, sanitising, checking, falling back.

The pipeline's generate step, kept apart so the pipeline stays a short list of steps:

- :func:`draft_stream` runs the generator, streaming sanitised text deltas when it can;
- :func:`settle` verifies the draft in code (assistant.verify) and, when nothing usable is
  left, substitutes the extractive answer, saying why;
- :func:`revision` says whether and how the final answer differs from what was streamed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace

from assistant.generate.base import Draft, GenerationRequest, StreamingGenerator
from assistant.generate.extractive import NAME as EXTRACTIVE
from assistant.services import Services
from assistant.verify import (
    StreamSanitizer,
    check_sentences,
    passage_context,
    passage_texts,
    sanitize,
)


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
    for item in generator.stream(request):
        if isinstance(item, Draft):
            timings["model"] = (time.perf_counter() - started) * 1000
            if item.fallback_reason is None:  # an aborted stream's held-back tail is dropped
                tail = sanitizer.finish()
                if tail:
                    yield tail
            yield item
            return
        safe = sanitizer.feed(item)
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
        contexts=[passage_context(hit.chunk.title, hit.chunk.heading) for hit in request.passages],
    )
    return replace(
        draft, text=checked.text, findings=draft.findings + clean.findings + checked.findings
    )


def settle(services: Services, request: GenerationRequest, draft: Draft) -> tuple[Draft, list[str]]:
    """The verified draft and the changes verification made; the extractive answer when the
    model's draft is unusable or nothing of it survives verification."""
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
        if draft.text.strip() or draft.generator == EXTRACTIVE:
            return draft, changes
        reason = "no sentence of the model's answer survived verification"
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
