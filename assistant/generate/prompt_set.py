"""The versioned templates a model generation uses, and the passages as the model sees them:
numbered, delimited source blocks that a passage cannot close or forge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.language.sentences import strip_markup
from assistant.prompts import Prompt, load_prompt


@dataclass(frozen=True)
class PromptSet:
    """The versioned templates a model generation uses, loaded and checked once."""

    system: Prompt
    answer: Prompt
    source: Prompt
    audiences: dict[str, Prompt]
    condense: Prompt

    @classmethod
    def load(cls, folder: Path) -> PromptSet:
        audiences = {
            name: load_prompt(folder, f"audience_{name}", expect=set())
            for name in ("clinician", "patient")
        }
        return cls(
            system=load_prompt(folder, "system", expect={"canary"}),
            answer=load_prompt(
                folder,
                "answer",
                expect={"audience_instructions", "sources", "question", "max_sentences"},
            ),
            source=load_prompt(folder, "source", expect={"n", "title", "text"}),
            audiences=audiences,
            condense=load_prompt(folder, "condense", expect={"history", "question"}),
        )

    def version(self, audience: str) -> str:
        """What goes on the record: every template that shaped the answer, with versions."""
        parts = (self.system, self.answer, self.source, self.audiences[audience])
        return "+".join(p.id for p in parts)


def fence(text: str) -> str:
    """Passage text that cannot close its own source block or open a forged one."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def source_blocks(template: Prompt, passages: Sequence[Any]) -> str:
    """The retrieved passages as numbered, delimited blocks (1-based, request order)."""
    blocks = []
    for n, hit in enumerate(passages, start=1):
        chunk = hit.chunk
        title = fence(" ".join(chunk.title.split()))
        blocks.append(template.render(n=str(n), title=title, text=fence(strip_markup(chunk.text))))
    return "\n\n".join(blocks)
