"""The composition root: every client and stage a process needs, built once at start-up
(a CLI command, the app's lifespan, an evaluation) and handed to whoever needs each part.

:func:`compose` opens the index and the answer store, chooses the generator and builds the
pipeline's stages, each holding only its own dependencies. The edges take what they need
from the result (the pipeline to answer, the store for conversations and reviews, the
retriever for the serving catalog); nothing deeper sees the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.generate.base import Generator
from assistant.generate.extractive import ExtractiveGenerator
from assistant.generate.model_parts import llm_configured, model_parts, openai_client
from assistant.index.base import Catalog
from assistant.index.embedder import Embedder, open_embedder
from assistant.index.retriever import Retriever
from assistant.language.terminology import Terminology, load_terminology
from assistant.language.terminology.corpus import learn
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.language.tokens import vocabulary_words
from assistant.pipeline import Pipeline
from assistant.review.store import AnswerStore
from assistant.stages.assess import Assess
from assistant.stages.decide import Decide
from assistant.stages.generate import Generate
from assistant.stages.persist import Persist
from assistant.stages.retrieve import Retrieve
from assistant.stages.understand import Understand
from assistant.stages.verify import Verify
from assistant.suggest import Suggester
from assistant.understand import Understander
from assistant.wording import Wordings

if TYPE_CHECKING:
    import openai


def build_terminology(settings: Settings, catalog: Catalog, words: set[str]) -> Terminology:
    """The terminology: the datasets' index, the hand lexicon, the aliases approved articles
    declare and the corpus's words (which confirm what an abbreviation stands for)."""
    hand = load_hand_lexicon(settings.lexicons_dir, settings.lexicon_version)
    aliases = [
        tuple(group) for doc in catalog.articles() for group in doc.metadata.get("aliases", [])
    ]
    if aliases:
        hand = hand.with_synonyms(aliases, "aliases")
    return load_terminology(settings.index.terminology_cache, hand, words)


def build_understander(settings: Settings, retriever: Retriever) -> Understander:
    """Question understanding over the approved index's words and the terminology."""
    catalog = retriever.catalog
    words: set[str] = set()
    texts = []
    for chunk in catalog.chunks():
        words.update(vocabulary_words(chunk.embedding_text))
        texts.append(chunk.text)
    terminology = build_terminology(settings, catalog, words)
    learn(terminology, texts)  # the names the corpus gives concepts in brackets
    return Understander(words, terminology)


@dataclass(frozen=True)
class Composed:
    """What :func:`compose` built: the pipeline, and the settings, store and retriever the
    edges use beside it (conversations and reviews; the serving catalog)."""

    settings: Settings
    pipeline: Pipeline
    store: AnswerStore
    retriever: Retriever
    owns_retriever: bool = True  # False when the caller injected it (and closes it)

    @property
    def catalog(self) -> Catalog:
        """What the serving index holds (articles, sources, chunks, corpus version)."""
        return self.retriever.catalog

    def close(self) -> None:
        """Release the answer store, the index and a model client's connection pool."""
        self.store.close()
        if self.owns_retriever:
            self.retriever.close()
        close_generator = getattr(self.pipeline.generate.generator, "close", None)
        if close_generator is not None:  # a model client's connection pool
            close_generator()


def compose(
    settings: Settings,
    embedder: Embedder | None = None,
    *,
    client: openai.OpenAI | None = None,
    environ: Mapping[str, str] | None = None,
    retriever: Retriever | None = None,
) -> Composed:
    """Open the index and the store, choose the generator and build the stages. Raises
    IndexNotReadyError.

    With an LLM endpoint configured (see assistant.generate.model_parts) the model answers and
    the extractive generator is its fallback; ``client`` injects a ready ``openai`` client;
    ``retriever`` one opened over ``settings.index_dir`` (an evaluation's recording one).
    """
    embedder = embedder or open_embedder(settings.index)
    owns_retriever = retriever is None
    if retriever is None:
        retriever = Retriever.open(settings.index_dir, embedder, settings.retrieval, settings.index)
    understander = build_understander(settings, retriever)
    terminology = understander.terminology
    extractive = ExtractiveGenerator(embedder, settings.answer, terminology)
    generator: Generator = extractive
    fallback = condenser = judge = None
    if llm_configured(settings, environ):
        parts = model_parts(settings, client or openai_client(settings, environ))
        generator, fallback, condenser = parts.generator, extractive, parts.condenser
        judge = parts.judge
    store = AnswerStore.from_settings(settings)
    answer = settings.answer
    assess = Assess(understander, answer.evidence_floor, answer.min_evidence)
    pipeline = Pipeline(
        understand=Understand(
            store, retriever, understander, settings.max_question_chars, condenser
        ),
        retrieve=Retrieve(retriever, terminology, settings.retrieval.top_k),
        assess=assess,
        generate=Generate(generator),
        verify=Verify(assess, retriever, terminology, settings.llm.min_support, fallback, judge),
        decide=Decide(
            Wordings.load(settings.prompts_dir, answer.disclaimer_version),
            retriever,
            answer.min_evidence,
        ),
        persist=Persist(store, retriever, Suggester(retriever, embedder, answer.min_evidence)),
    )
    return Composed(settings, pipeline, store, retriever, owns_retriever)
