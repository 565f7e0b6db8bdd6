"""Doing once, before the first clinician asks, what a process's first answer would do.

A fresh process's first answer imports the language check's word lists, loads and compiles
the lexicons and the meaning checks, and builds the related-question pool: seconds of work.
On a server, every request that arrives before that is done repeats it at once (twenty
clinicians at the start of a ward round wait tens of seconds). The server therefore answers
a probe question through the whole extractive path before it reports ready, into a
throw-away store, so nothing of the rehearsal reaches the review queue or the audit chain.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

from assistant.pipeline import answer
from assistant.review.store import AnswerStore
from assistant.services import Services

FALLBACK_PROBE = "What is the usual dose?"


def probe_question(services: Services) -> str:
    """An approved article's own question (it is answered in full), else a generic one."""
    for article in services.catalog.articles():
        question = article.metadata.get("question")
        if isinstance(question, str) and question.strip():
            return question
    return FALLBACK_PROBE


def rehearse(services: Services) -> float:
    """Answer the probe question with the extractive generator into a temporary store;
    return the seconds it took. The model, if one is configured, is not called."""
    started = time.perf_counter()
    extractive = services.fallback or services.generator
    with tempfile.TemporaryDirectory(prefix="followup-warm-") as folder:
        store = AnswerStore(Path(folder) / "rehearsal.db")
        try:
            rehearsal = dataclasses.replace(
                services, store=store, generator=extractive, fallback=None, condenser=None
            )
            answer(rehearsal, probe_question(services))
        finally:
            store.close()
    return time.perf_counter() - started


__all__ = ["probe_question", "rehearse"]
