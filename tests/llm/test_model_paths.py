"""Generator selection, streaming events, follow-up condensation and related questions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.config import LLMSettings, Settings
from assistant.content import contentless
from assistant.generate.extractive import ExtractiveGenerator
from assistant.generate.model_parts import llm_configured, openai_client
from assistant.generate.write_mode import WriteGenerator
from assistant.language.markers import cited_indices
from assistant.language.sentences import answer_sentences as sentences
from assistant.pipeline import Ask, DeltaEvent, FinalEvent, stream_answer
from assistant.warm import probe_question, rehearse
from tests.support.adversary import Adversary, Reply, sources, split
from tests.support.model_answers import (
    QUESTION,
    MakeServices,
    ask,
    assert_invariants,
    best_sentence,
)

pytestmark = pytest.mark.llm


@pytest.mark.parametrize(
    ("llm", "environ", "configured"),
    [
        ({}, {}, False),
        ({}, {"OPENAI_API_KEY": "sk-x"}, True),
        ({}, {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}, True),
        ({"base_url": "http://127.0.0.1:9/v1"}, {}, True),
    ],
)
def test_an_endpoint_is_configured_by_openai_env_or_project_settings(
    llm: dict[str, Any], environ: dict[str, str], configured: bool
) -> None:
    settings = Settings(llm=LLMSettings(**llm))
    assert llm_configured(settings, environ) is configured
    if configured:
        client = openai_client(settings, environ)
        expected = llm.get("base_url") or environ.get("OPENAI_BASE_URL")
        if expected:
            assert str(client.base_url).rstrip("/") == expected.rstrip("/")


def test_without_an_endpoint_the_extractive_generator_answers(
    make_services: MakeServices,
) -> None:
    services = make_services(None)
    assert (
        isinstance(services.pipeline.generate.generator, ExtractiveGenerator)
        and services.pipeline.verify.fallback is None
    )
    _, final = ask(services)
    assert final.record.generator == "extractive" and not final.revised
    assert_invariants(final.record, services)


def test_streamed_deltas_arrive_before_the_persisted_authoritative_final(
    adversary: Adversary, make_services: MakeServices
) -> None:
    def two_sentences(body: dict[str, Any]) -> Reply:
        n, good = best_sentence(body)
        return Reply(split(f"{good} [{n}]. Naltrexone must be taken with 80 mg of zinc [{n}].", 3))

    adversary.script = two_sentences
    services = make_services(adversary.url)
    assert isinstance(services.pipeline.generate.generator, WriteGenerator)
    deltas, final = [], None
    for event in stream_answer(services.pipeline, Ask(QUESTION)):
        if isinstance(event, DeltaEvent):
            deltas.append(event.text)
        elif isinstance(event, FinalEvent):
            final = event
            assert services.store.get_answer(event.record.id) == event.record, "persisted first"
    assert final is not None and len(deltas) > 5
    assert "80 mg" in "".join(deltas), "provisional text streams as written"
    assert "80 mg" not in final.record.answer and "zinc" not in final.record.answer
    assert final.revised and any("'80 mg'" in change for change in final.changes)
    assert final.record.generator == "adversary"
    assert_invariants(final.record, services)


def test_a_model_that_leads_with_markers_and_repeats_itself_is_shown_and_kept_once(
    adversary: Adversary, make_services: MakeServices
) -> None:
    # What Qwen 0.5B wrote on CI: "[1] <passage sentence>" line by line, the answer twice.
    def leading_markers(body: dict[str, Any]) -> Reply:
        n, good = best_sentence(body)
        return Reply(split(f"[{n}] {good}.\n[{n}] {good}.\n", 3))

    adversary.script = leading_markers
    services = make_services(adversary.url)
    streamed, final = ask(services)
    assert contentless(streamed) == [], streamed
    record = final.record
    assert record.generator == "adversary" and not record.fallback
    assert len(sentences(record.answer)) == 1 and record.answer.endswith(" [1].")
    assert any("repeated sentence" in f for f in record.findings)
    assert_invariants(record, services)


def test_markers_that_open_lines_stay_with_their_own_sentences(
    adversary: Adversary, make_services: MakeServices
) -> None:
    # What Qwen 1.5B wrote in the issue-10 eval: "[n] <sentence of passage n>" line by line.
    # Joined on one line, "[2]" would read as the citation of the sentence before it, whose
    # doses passage 2 does not hold.
    def line_per_passage(body: dict[str, Any]) -> Reply:
        quoted = {}
        for n, text in sorted(sources(body).items()):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                if re.search(r"\d", sentence) and len(sentence.split()) > 6:
                    quoted.setdefault(n, sentence.rstrip("."))
        lines = [f"[{n}] {sentence}." for n, sentence in list(quoted.items())[:2]]
        assert len(lines) == 2, quoted
        return Reply(split("\n".join(lines) + "\n", 4))

    adversary.script = line_per_passage
    services = make_services(adversary.url)
    record = ask(services)[1].record
    assert record.generator == "adversary" and not record.fallback
    assert [cited_indices(s) for s in sentences(record.answer)] == [[1], [2]]
    assert not record.answer.startswith("[")
    assert_invariants(record, services)  # every number cited to a passage that holds it


def test_a_follow_up_is_condensed_by_the_model(
    adversary: Adversary, make_services: MakeServices
) -> None:
    rewrite = "At what dose does naltrexone 50 mg give full opioid receptor blockade?"

    def script(body: dict[str, Any]) -> Reply:
        prompt = body["messages"][-1]["content"]
        if "Follow-up question:" in prompt:
            return Reply([rewrite])
        n, good = best_sentence(body)
        return Reply([f"{good} [{n}]."])

    adversary.script = script
    services = make_services(adversary.url)
    _, first = ask(services)
    _, second = ask(services, "and at 50 mg?", conversation_id=first.record.conversation_id)
    assert second.record.standalone_question == rewrite
    condense_prompt = adversary.requests[-2]["messages"][-1]["content"]
    assert QUESTION in condense_prompt and "and at 50 mg?" in condense_prompt


@pytest.mark.parametrize(
    "reply", ["<script>alert(1)</script>", "", "Fish " * 400, "NO_ANSWER"], ids=repr
)
def test_an_unusable_model_rewrite_falls_back_to_the_rule(
    adversary: Adversary, make_services: MakeServices, reply: str
) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if "Follow-up question:" in body["messages"][-1]["content"]:
            return Reply([reply])
        n, good = best_sentence(body)
        return Reply([f"{good} [{n}]."])

    adversary.script = script
    services = make_services(adversary.url)
    _, first = ask(services)
    _, second = ask(services, "and at 50 mg?", conversation_id=first.record.conversation_id)
    assert second.record.standalone_question.startswith("At 50 mg? (follow-up to: ")


def test_answers_suggest_related_questions_the_corpus_can_answer(
    make_services: MakeServices,
) -> None:
    services = make_services(None)
    _, final = ask(services)
    record = final.record
    known = set()
    for doc in services.catalog.articles():
        if doc.status == "approved":
            known |= {doc.metadata.get("question"), *doc.metadata.get("related_questions", [])}
    assert 2 <= len(record.related_questions) <= 3
    assert set(record.related_questions) <= known
    assert QUESTION not in record.related_questions
    assert services.store.get_answer(record.id).related_questions == record.related_questions
    for question in record.related_questions:  # each one is answered, not refused
        _, follow = ask(services, question)
        assert not follow.record.refused, question


def test_patient_language_is_asked_for_and_recorded(
    adversary: Adversary, make_services: MakeServices
) -> None:
    def honest(body: dict[str, Any]) -> Reply:
        n, good = best_sentence(body)
        return Reply([f"{good} [{n}]."])

    adversary.script = honest
    services = make_services(adversary.url)
    _, final = ask(services, audience="patient")
    user = adversary.requests[-1]["messages"][-1]["content"]
    assert "Audience: a patient or carer" in user and "Audience: a clinician" not in user
    assert final.record.prompt_version == "system.v2+answer.v2+source.v1+audience_patient.v2"
    assert final.record.mode == "write"
    assert_invariants(final.record, services)


@pytest.mark.parametrize(("mode", "reply"), [("write", "NO_ANSWER"), ("select", "NOT COVERED")])
def test_a_model_that_finds_no_answer_is_replaced_by_the_quoted_answer(
    adversary: Adversary, make_services: MakeServices, mode: str, reply: str
) -> None:
    # The coverage check in code found the question covered before the model was asked.
    adversary.script = lambda body: Reply(split(reply, 3))
    services = make_services(adversary.url, mode=mode)
    streamed, final = ask(services)
    record = final.record
    assert reply not in streamed and reply not in record.answer
    assert not record.refused and record.citations
    assert record.generator == "extractive" and record.mode == "extractive"
    assert record.fallback == "the model said the sources do not answer the question"
    assert_invariants(record, services)


def test_a_warm_up_rehearsal_calls_no_model_and_stores_nothing(
    adversary: Adversary, make_services: MakeServices
) -> None:
    adversary.script = lambda body: Reply(["Naltrexone is an opioid antagonist [1]."])
    services = make_services(adversary.url)
    probe = probe_question(services.catalog)
    assert probe in {d.metadata.get("question") for d in services.catalog.articles()}
    assert rehearse(services.pipeline, services.catalog) > 0
    assert adversary.requests == [], "the rehearsal answers extractively"
    assert services.store.list_answers() == []
    assert services.store.verify_chain().entries == 0
