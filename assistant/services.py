"""The clients a request needs, built once at the edge (CLI command, app lifespan) and injected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import openai

from assistant.condense import Condenser
from assistant.config import Settings
from assistant.generate.base import Generator
from assistant.generate.extractive import ExtractiveGenerator
from assistant.generate.selection import llm_configured, model_parts, openai_client
from assistant.index.base import Catalog
from assistant.index.embedder import Embedder, open_embedder
from assistant.index.retriever import Retriever
from assistant.prompts import Prompt, load_prompt
from assistant.review.store import AnswerStore
from assistant.suggest import Suggester


@dataclass
class Services:
    settings: Settings
    retriever: Retriever
    generator: Generator
    store: AnswerStore
    disclaimer: str
    refusal: str
    unknown_term_refusal: Prompt
    fallback: Generator | None = None  # answers when the model's answer is unusable
    condenser: Condenser | None = None  # model rewrite of follow-ups; rule-based when None
    suggester: Suggester | None = None  # related follow-up questions

    @property
    def catalog(self) -> Catalog:
        """What the serving index holds (articles, sources, chunks, corpus version)."""
        return self.retriever.catalog

    def close(self) -> None:
        self.store.close()
        close_generator = getattr(self.generator, "close", None)
        if close_generator is not None:  # a model client's connection pool
            close_generator()


def open_store(settings: Settings) -> AnswerStore:
    return AnswerStore.from_settings(settings)


def build_services(
    settings: Settings,
    embedder: Embedder | None = None,
    *,
    client: openai.OpenAI | None = None,
    environ: Mapping[str, str] | None = None,
) -> Services:
    """Open the index and the store and choose the generator. Raises IndexNotReadyError.

    With an LLM endpoint configured (see assistant.generate.selection) the model answers and
    the extractive generator is its fallback; ``client`` injects a ready ``openai`` client.
    """
    embedder = embedder or open_embedder(settings.index)
    retriever = Retriever.open(settings.index_dir, embedder, settings.retrieval, settings.index)
    prompts = settings.prompts_dir
    extractive = ExtractiveGenerator(embedder, settings.answer)
    generator: Generator = extractive
    fallback = condenser = None
    if llm_configured(settings, environ):
        parts = model_parts(settings, client or openai_client(settings, environ))
        generator, fallback, condenser = parts.generator, extractive, parts.condenser
    return Services(
        settings=settings,
        retriever=retriever,
        generator=generator,
        fallback=fallback,
        condenser=condenser,
        suggester=Suggester(retriever, embedder, settings.answer.min_evidence),
        store=open_store(settings),
        disclaimer=load_prompt(
            prompts, "disclaimer", settings.answer.disclaimer_version, expect=set()
        ).text,
        refusal=load_prompt(prompts, "refusal", expect=set()).text,
        unknown_term_refusal=load_prompt(prompts, "refusal_unknown_term", expect={"terms"}),
    )
