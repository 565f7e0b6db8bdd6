"""The approved sample chunks as the verifier sees them, for tests of the meaning checks."""

from __future__ import annotations

from assistant.config import Settings
from assistant.verify import passage_context
from evals.claims import corpus_passages
from tests.support.data import CORPUS


def approved_sample_passages() -> dict[str, list[tuple[str, str]]]:
    """Document id -> (chunk text, title/heading) of every approved sample chunk."""
    loaded = corpus_passages([CORPUS], Settings())
    return {
        doc: [(c.text, passage_context(c.title, c.heading)) for c in chunks]
        for doc, chunks in loaded.by_doc.items()
    }
