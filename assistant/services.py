"""The clients a request needs, built once at the edge (CLI command, app lifespan) and injected."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import Settings
from assistant.generate.base import Generator
from assistant.generate.extractive import ExtractiveGenerator
from assistant.index.embedder import Embedder, MiniLMEmbedder
from assistant.index.retriever import Retriever
from assistant.prompts import Prompt, load_prompt
from assistant.review.store import AnswerStore


@dataclass
class Services:
    settings: Settings
    retriever: Retriever
    generator: Generator
    store: AnswerStore
    disclaimer: str
    refusal: str
    unknown_term_refusal: Prompt

    def close(self) -> None:
        self.store.close()


def open_store(settings: Settings) -> AnswerStore:
    return AnswerStore.from_settings(settings)


def build_services(settings: Settings, embedder: Embedder | None = None) -> Services:
    """Open the index and the store and choose the generator. Raises IndexNotReadyError."""
    embedder = embedder or MiniLMEmbedder(settings.index.embed_batch_size)
    retriever = Retriever.open(settings.index_dir, embedder, settings.retrieval, settings.index)
    prompts = settings.prompts_dir
    return Services(
        settings=settings,
        retriever=retriever,
        generator=ExtractiveGenerator(embedder, settings.answer),
        store=open_store(settings),
        disclaimer=load_prompt(
            prompts, "disclaimer", settings.answer.disclaimer_version, expect=set()
        ).text,
        refusal=load_prompt(prompts, "refusal", expect=set()).text,
        unknown_term_refusal=load_prompt(prompts, "refusal_unknown_term", expect={"terms"}),
    )
