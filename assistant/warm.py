"""Doing once, before the first clinician asks, what a process's first answer would do.

A fresh process's first answer imports the language check's word lists, loads and compiles
the lexicons and the meaning checks, and builds the related-question pool: seconds of work.
On a server, every request that arrives before that is done repeats it at once (twenty
clinicians at the start of a ward round wait tens of seconds). The server therefore answers
a probe question through the whole extractive path before it reports ready, into a
throw-away store, so nothing of the rehearsal reaches the review queue or the audit chain.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.index.base import Catalog
from assistant.pipeline import Ask, Pipeline, answer
from assistant.review.store import AnswerStore

FALLBACK_PROBE = "What is the usual dose?"


def probe_question(catalog: Catalog) -> str:
    """An approved article's own question (it is answered in full), else a generic one."""
    for article in catalog.articles():
        question = article.metadata.get("question")
        if isinstance(question, str) and question.strip():
            return question
    return FALLBACK_PROBE


def rehearsal(pipeline: Pipeline, store: AnswerStore) -> Pipeline:
    """``pipeline`` answering into ``store`` with the extractive generator alone (no model
    call: no condenser, no fallback needed)."""
    extractive = pipeline.verify.fallback or pipeline.generate.generator
    return replace(
        pipeline,
        understand=replace(pipeline.understand, conversations=store, condenser=None),
        generate=replace(pipeline.generate, generator=extractive),
        verify=replace(pipeline.verify, fallback=None),
        persist=replace(pipeline.persist, store=store),
    )


def rehearse(pipeline: Pipeline, catalog: Catalog) -> float:
    """Answer the probe question with the extractive generator into a temporary store;
    return the seconds it took. The model, if one is configured, is not called."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="followup-warm-") as folder:
        store = AnswerStore(Path(folder) / "rehearsal.db")
        try:
            answer(rehearsal(pipeline, store), Ask(probe_question(catalog)))
        finally:
            store.close()
    return time.perf_counter() - started


__all__ = ["probe_question", "rehearsal", "rehearse"]
