"""The approved sample chunks as the verifier sees them, for tests of the meaning checks."""

from __future__ import annotations

from assistant.config import Settings
from assistant.verify import check_sentences, passage_context
from evals.claims import corpus_passages
from tests.support.data import CORPUS


def approved_sample_passages() -> dict[str, list[tuple[str, str]]]:
    """Document id -> (chunk text, title/heading) of every approved sample chunk."""
    loaded = corpus_passages([CORPUS], Settings())
    return {
        doc: [(c.text, passage_context(c.title, c.heading)) for c in chunks]
        for doc, chunks in loaded.by_doc.items()
    }


def check_citing_all(sentence: str, chunks: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The kept text and the findings of one sentence citing [1] = every (text, context)
    chunk given (the marker rewritten to their positions)."""
    markers = ", ".join(str(n) for n in range(1, len(chunks) + 1))
    checked = check_sentences(
        sentence.replace("[1]", f"[{markers}]"),
        [text for text, _ in chunks],
        "",
        0.6,
        contexts=[context for _, context in chunks],
    )
    return checked.text, checked.findings
