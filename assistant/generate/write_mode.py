"""Answers written by a model ("write" mode): the model writes the answer from numbered
source blocks, streamed through :class:`~assistant.generate.openai_compat.ChatEndpoint`; every
sentence is verified in code afterwards.

Anything that goes wrong (endpoint down, slow, refusing, empty reply, a reply that echoes
the system prompt) yields a Draft with ``fallback_reason`` set; the pipeline then answers
with the extractive generator and the record says why.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

from assistant.errors import GenerationError
from assistant.generate.base import (
    MODEL_DECLINED,
    Draft,
    GenerationRequest,
    discarded,
    final_draft,
)
from assistant.generate.openai_compat import ChatEndpoint, Messages
from assistant.generate.prompt_set import PromptSet, source_blocks

log = logging.getLogger(__name__)

NO_ANSWER = "NO_ANSWER"
MODE = "write"


class WriteGenerator:
    """Streams an answer from the model; the pipeline verifies it in code afterwards."""

    def __init__(
        self, endpoint: ChatEndpoint, prompts: PromptSet, model: str, max_sentences: int = 5
    ) -> None:
        self.name = model
        self._endpoint = endpoint
        self._prompts = prompts
        self._max_sentences = max_sentences

    def messages(self, request: GenerationRequest, canary: str) -> Messages:
        """System and user messages. Nothing secret goes in: the canary is random per request."""
        audience = self._prompts.audiences[request.audience]
        user = self._prompts.answer.render(
            audience_instructions=audience.text,
            sources=source_blocks(self._prompts.source, request.passages),
            question=request.standalone_question,
            max_sentences=str(self._max_sentences),
        )
        return [
            {"role": "system", "content": self._prompts.system.render(canary=canary)},
            {"role": "user", "content": user},
        ]

    def stream(self, request: GenerationRequest) -> Iterator[str | Draft]:
        """Text deltas, then the Draft. A delta that would complete a prompt leak is withheld."""
        canary = f"ref-{secrets.token_hex(6)}"
        messages = self.messages(request, canary)
        version = self._prompts.version(request.audience)
        text = ""
        try:
            for delta in self._endpoint.guarded(messages, canary):
                text += delta
                yield delta
        except GenerationError as exc:
            log.warning("model generation failed: %s", exc)
            yield self._failed(version, str(exc))
            return
        yield self._draft(text.strip(), version)

    def close(self) -> None:
        self._endpoint.close()

    def generate(self, request: GenerationRequest) -> Draft:
        return final_draft(self.stream(request))

    def _draft(self, text: str, version: str) -> Draft:
        if not text:
            return self._failed(version, "the model returned an empty reply")
        if text.upper().startswith(NO_ANSWER):
            return self._failed(version, MODEL_DECLINED)
        return Draft(text=text, generator=self.name, prompt_version=version, mode=MODE)

    def _failed(self, version: str, reason: str) -> Draft:
        return discarded(self.name, version, MODE, reason)
