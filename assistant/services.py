"""The clients a request needs, built once at the edge (CLI command, app lifespan) and injected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.condense import Condenser
from assistant.config import Settings
from assistant.generate.base import Generator
from assistant.generate.extractive import ExtractiveGenerator
from assistant.generate.model_parts import llm_configured, model_parts, openai_client
from assistant.index.base import Catalog
from assistant.index.embedder import Embedder, open_embedder
from assistant.index.retriever import Retriever
from assistant.judge import ModelJudge
from assistant.language.terminology import Terminology, load_terminology
from assistant.language.terminology.corpus import learn
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.language.tokens import vocabulary_words
from assistant.prompts import Prompt, load_prompt
from assistant.review.store import AnswerStore
from assistant.suggest import Suggester
from assistant.understand import Understander

if TYPE_CHECKING:
    import openai


@dataclass(frozen=True)
class Refusals:
    """The templates of what the pipeline says when it does not answer (or answers in part)."""

    coverage: Prompt  # $missing, $closest
    closest: Prompt  # the closest approved articles are offered as related questions
    partial: Prompt  # $missing
    partial_part: Prompt  # $parts: parts of the question no quoted sentence answers
    term_only: Prompt  # $term, $meaning
    context_only: Prompt
    language: Prompt
    injection: Prompt

    @classmethod
    def load(cls, folder: Path, audience: str = "clinician") -> Refusals:
        """The templates; for patients, the wording written for them where there is one."""
        own = "_patient" if audience == "patient" else ""
        return cls(
            coverage=load_prompt(folder, f"refusal_coverage{own}", expect={"missing", "closest"}),
            closest=load_prompt(folder, "refusal_closest", expect=set()),
            partial=load_prompt(folder, "coverage_partial", expect={"missing"}),
            partial_part=load_prompt(folder, "coverage_partial_part", expect={"parts"}),
            term_only=load_prompt(folder, "clarify_term", expect={"term", "meaning"}),
            context_only=load_prompt(folder, "clarify_context", expect=set()),
            language=load_prompt(folder, "refusal_language", expect=set()),
            injection=load_prompt(folder, "refusal_injection", expect=set()),
        )


@dataclass(frozen=True)
class Wording:
    """What the pipeline says, in code, to one audience: the disclaimer, its refusals and,
    for patients, the framing put before a quoted dose."""

    disclaimer: str
    refusal: str
    refusals: Refusals
    dose_framing: str = ""

    @classmethod
    def load(cls, folder: Path) -> Wording:
        """The patients' wording (the newest ``*_patient`` templates)."""
        return cls(
            disclaimer=load_prompt(folder, "disclaimer_patient", expect=set()).text,
            refusal=load_prompt(folder, "refusal_patient", expect=set()).text,
            refusals=Refusals.load(folder, "patient"),
            dose_framing=load_prompt(folder, "patient_dose", expect=set()).text,
        )


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


@dataclass
class Services:
    settings: Settings
    retriever: Retriever
    generator: Generator
    store: AnswerStore
    disclaimer: str
    refusal: str
    refusals: Refusals
    understander: Understander
    fallback: Generator | None = None  # answers when the model's answer is unusable
    condenser: Condenser | None = None  # model rewrite of follow-ups; rule-based when None
    suggester: Suggester | None = None  # related follow-up questions
    judge: ModelJudge | None = None  # a model's second opinion on each kept sentence
    patient: Wording | None = None  # what is said to patients and carers (audience patient)

    def wording(self, audience: str) -> Wording:
        """The disclaimer and refusals for ``audience`` (clinician unless patient wording
        was loaded and asked for)."""
        if audience == "patient" and self.patient is not None:
            return self.patient
        return Wording(self.disclaimer, self.refusal, self.refusals)

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

    With an LLM endpoint configured (see assistant.generate.model_parts) the model answers and
    the extractive generator is its fallback; ``client`` injects a ready ``openai`` client.
    """
    embedder = embedder or open_embedder(settings.index)
    retriever = Retriever.open(settings.index_dir, embedder, settings.retrieval, settings.index)
    prompts = settings.prompts_dir
    understander = build_understander(settings, retriever)
    extractive = ExtractiveGenerator(embedder, settings.answer, understander.terminology)
    generator: Generator = extractive
    fallback = condenser = judge = None
    if llm_configured(settings, environ):
        parts = model_parts(settings, client or openai_client(settings, environ))
        generator, fallback, condenser = parts.generator, extractive, parts.condenser
        judge = parts.judge
    return Services(
        settings=settings,
        retriever=retriever,
        generator=generator,
        fallback=fallback,
        condenser=condenser,
        judge=judge,
        suggester=Suggester(retriever, embedder, settings.answer.min_evidence),
        store=open_store(settings),
        disclaimer=load_prompt(
            prompts, "disclaimer", settings.answer.disclaimer_version, expect=set()
        ).text,
        refusal=load_prompt(prompts, "refusal", expect=set()).text,
        refusals=Refusals.load(prompts),
        patient=Wording.load(prompts),
        understander=understander,
    )
