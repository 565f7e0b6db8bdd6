"""Generate: the generator's draft over the retrieved passages, streamed as sanitised text
deltas when the generator streams (see assistant/drafting.py for what is held back)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.drafting import ContentGate, contexts
from assistant.generate.base import Draft, GenerationRequest, Generator, StreamingGenerator
from assistant.index.retriever import Retrieval
from assistant.stages.assess import asked
from assistant.stages.data import Assessment, Turn
from assistant.understand import ConceptKind
from assistant.verify import StreamSanitizer


def generation_request(
    turn: Turn, retrieval: Retrieval, assessment: Assessment
) -> GenerationRequest:
    """What the generator (and verification) are given: the question, its concepts and parts,
    and the retrieved passages."""
    # Parts of one question share its subjects: each concept once.
    understanding = turn.understanding
    named = list(dict.fromkeys(c for q in understanding.questions for c in q.concepts))
    leaned = [c for c in understanding.context if c.is_subject]
    concepts = [
        asked(c, c in leaned) for c in (*named, *leaned) if c.kind is not ConceptKind.NUMBER
    ]
    return GenerationRequest(
        question=turn.question,
        standalone_question=turn.standalone_question,
        passages=retrieval.hits,
        audience=turn.audience,
        history=tuple((a.question, a.answer) for a in turn.history),
        search_question=turn.search_question,
        concepts=tuple(concepts),
        parts=assessment.parts,
        query_vector=retrieval.query_vector,
        sentence_vectors=retrieval.sentence_vectors,
    )


@dataclass(frozen=True)
class Generate:
    generator: Generator

    @property
    def name(self) -> str:
        return self.generator.name

    @property
    def streams(self) -> bool:
        """Whether the draft arrives as text deltas (a model) rather than at once (quoted)."""
        return isinstance(self.generator, StreamingGenerator)

    def __call__(
        self, request: GenerationRequest, timings: dict[str, float]
    ) -> Iterator[str | Draft]:
        """Sanitised text deltas (when the generator streams), then the draft."""
        generator = self.generator
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
