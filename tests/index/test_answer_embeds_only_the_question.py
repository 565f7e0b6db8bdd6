"""Answering embeds the question once: passages' sentences and the articles' questions were
embedded at ingest and are handed on by retrieval (issue 13)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from assistant.compose import compose
from assistant.generate.extractive import ExtractiveGenerator
from assistant.index.retriever import Retriever
from assistant.pipeline import Ask, answer
from tests.support.data import settings_for
from tests.support.embedders import CountingEmbedder

QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"


def test_an_answer_embeds_nothing_but_the_question(
    sample_index: Path, tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index / "index", data / "index")
    services = compose(settings_for(data), embedder=counting_embedder, environ={})
    try:
        answer(
            services.pipeline, Ask("Is albendazole an alternative?")
        )  # first answer loads the pools
        counting_embedder.embedded.clear()
        record = answer(services.pipeline, Ask(QUESTION))
    finally:
        services.close()
    assert record.citations and "mebendazole" in record.answer.lower()
    assert record.related_questions  # suggestions still come, from the question index
    # One text: the question as searched (with its synonyms); no sentence, no other question.
    assert len(counting_embedder.embedded) == 1
    assert counting_embedder.embedded[0].startswith(QUESTION)


def test_stored_sentence_vectors_rank_as_freshly_embedded_ones(
    sample_index: Path, counting_embedder: CountingEmbedder
) -> None:
    settings = settings_for(sample_index)
    retriever = Retriever.open(
        settings.index_dir, counting_embedder, settings.retrieval, settings.index
    )
    retrieval = retriever.search(QUESTION)
    assert retrieval.sentence_vectors  # handed on for the hits
    from assistant.generate.base import GenerationRequest

    handed = GenerationRequest(
        QUESTION,
        QUESTION,
        retrieval.hits,
        search_question=QUESTION,
        query_vector=retrieval.query_vector,
        sentence_vectors=retrieval.sentence_vectors,
    )
    fresh = GenerationRequest(QUESTION, QUESTION, retrieval.hits, search_question=QUESTION)
    generator = ExtractiveGenerator(counting_embedder, settings.answer)
    counting_embedder.embedded.clear()
    stored = generator.rank(handed)
    assert counting_embedder.embedded == []
    embedded = generator.rank(fresh)
    assert [c.sentence for c in stored][:5] == [c.sentence for c in embedded][:5]
    assert np.allclose([c.score for c in stored], [c.score for c in embedded], atol=1e-4)
    assert generator.generate(handed).text == generator.generate(fresh).text
