"""Select mode against the scripted server: the model only picks sentence labels, the stored
answer is those passage sentences verbatim with their citations, and nothing the model wrote
in its own words survives unless verification keeps it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.answer_form import repeats, unexplained_opening
from tests.support.adversary import Adversary, Reply, sources, split
from tests.support.model_answers import MakeServices, ask, assert_invariants

pytestmark = pytest.mark.llm

QUESTION = "At what dose does naltrexone change from partial to full opioid blockade?"
LABELLED = re.compile(r"^S(\d+): (.*)$", re.MULTILINE)


def labelled(body: dict[str, Any]) -> dict[int, tuple[int, str]]:
    """label -> (passage number, sentence) as the product showed them to the model."""
    return {
        int(label): (n, sentence)
        for n, block in sources(body).items()
        for label, sentence in LABELLED.findall(block)
    }


def about(body: dict[str, Any], word: str) -> list[int]:
    return [label for label, (_, s) in labelled(body).items() if word in s.lower()]


REVIEW_QUESTION = "What does the 2018 review say about low-dose naltrexone?"


def opening_on_it(body: dict[str, Any]) -> list[int]:
    """The labels of the sentences shown that open on a subject they do not name."""
    bare = [n for n, (_, text) in labelled(body).items() if unexplained_opening(text)]
    assert bare, "the product showed the model a sentence opening on 'it'"
    return bare


def unmarked(text: str) -> list[str]:
    return [re.sub(r" \[\d+(?:, \d+)*\](?=[.!?]$)", "", s) for s in re.split(r"(?<=[.!?]) ", text)]


def test_chosen_sentences_are_quoted_verbatim_with_their_citations(
    adversary: Adversary, make_services: MakeServices
) -> None:
    chosen: list[int] = []

    def script(body: dict[str, Any]) -> Reply:
        chosen[:] = about(body, "naltrexone")[:2]
        assert chosen, "the product showed the model labelled naltrexone sentences"
        labels = ", ".join(f"S{n}" for n in reversed(chosen))
        return Reply(split(f"SENTENCES: {labels}\n", 3))

    adversary.script = script
    services = make_services(adversary.url, mode="select")
    streamed, final = ask(services, QUESTION)
    record = final.record
    assert_invariants(record, services)
    assert record.mode == "select" and record.generator == "adversary" and not record.fallback
    assert record.prompt_version == "select_system.v1+select_answer.v1+source.v1"
    shown = labelled(adversary.requests[-1])
    expected = [shown[n][1] for n in reversed(chosen)]  # the model's order is kept
    assert [s.rstrip(".") for s in unmarked(record.answer)] == [s.rstrip(".") for s in expected]
    assert not final.revised and streamed.strip() == record.answer


def test_a_lead_sentence_is_kept_only_when_it_passes_verification(
    adversary: Adversary, make_services: MakeServices
) -> None:
    leads = iter(
        [
            "LEAD: Naltrexone gives full opioid blockade at 0.5 mg daily.",  # invented dose
            "LEAD: Naltrexone blockade depends on the dose.",
        ]
    )

    def script(body: dict[str, Any]) -> Reply:
        label = about(body, "naltrexone")[0]
        return Reply(split(f"{next(leads)}\nSENTENCES: S{label}", 4))

    adversary.script = script
    services = make_services(adversary.url, mode="select")
    _, invented = ask(services, QUESTION)
    assert "0.5 mg" not in invented.record.answer
    assert any("dropped the model's lead sentence" in f for f in invented.record.findings)
    assert invented.record.mode == "select" and invented.record.citations
    assert_invariants(invented.record, services)

    _, faithful = ask(services, QUESTION)
    assert faithful.record.answer.startswith("Naltrexone blockade depends on the dose [")
    assert_invariants(faithful.record, services)


def test_a_sentence_that_repeats_a_chosen_one_is_said_once(
    adversary: Adversary, make_services: MakeServices
) -> None:
    # The article and its source often say one thing twice; a model that picks both gets it
    # once, and the record says which pick was dropped.
    pair: list[str] = []

    def script(body: dict[str, Any]) -> Reply:
        shown = labelled(body)
        twice = [
            (a, b)
            for a, (_, first) in shown.items()
            for b, (_, second) in shown.items()
            if a < b and repeats(second, first)
        ]
        assert twice, "the product showed the model one fact in two sentences"
        a, b = twice[0]
        pair[:] = [shown[a][1], shown[b][1]]
        return Reply(split(f"SENTENCES: S{a}, S{b}\n", 3))

    adversary.script = script
    services = make_services(adversary.url, mode="select")
    _, final = ask(
        services, "What oral cefuroxime dose is used when creatinine clearance is below 10?"
    )
    record = final.record
    assert_invariants(record, services)
    said = [s.rstrip(".") for s in unmarked(record.answer)]
    assert said == [pair[0].rstrip(".")], record.answer
    assert any(
        "left out" in f and "repeats a sentence already chosen" in f for f in record.findings
    )


def test_a_sentence_that_does_not_name_its_subject_is_left_out(
    adversary: Adversary, make_services: MakeServices
) -> None:
    # "It summarises ..." says nothing of what "it" is once out of its passage.
    left_out: list[str] = []

    def script(body: dict[str, Any]) -> Reply:
        shown = labelled(body)
        bare = opening_on_it(body)
        named = [n for n in shown if n not in bare]
        assert named, "the product showed the model a sentence naming its subject"
        left_out[:] = [shown[bare[0]][1]]
        return Reply(split(f"SENTENCES: S{bare[0]}, S{named[0]}\n", 3))

    adversary.script = script
    services = make_services(adversary.url, mode="select")
    _, final = ask(services, REVIEW_QUESTION)
    record = final.record
    assert_invariants(record, services)
    assert left_out[0].rstrip(".") not in record.answer and record.answer
    assert any("opens on a subject it does not name" in f for f in record.findings)


def test_when_every_pick_is_left_out_the_fallback_says_so(
    adversary: Adversary, make_services: MakeServices
) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply(split(f"SENTENCES: S{opening_on_it(body)[0]}\n", 2))

    adversary.script = script
    services = make_services(adversary.url, mode="select")
    _, final = ask(services, REVIEW_QUESTION)
    record = final.record
    assert_invariants(record, services)
    assert record.fallback is not None and "was left out" in record.fallback
    assert "opens on a subject it does not name" in record.fallback


def test_a_question_the_corpus_does_not_cover_is_refused_before_the_model_is_asked(
    adversary: Adversary, make_services: MakeServices
) -> None:
    adversary.script = lambda body: Reply(["Atorvastatin is usually started at 20 mg [1]."])
    services = make_services(adversary.url, mode="select")
    _, final = ask(services, "What is the starting dose of atorvastatin for high cholesterol?")
    assert final.record.refused and final.record.citations == []
    assert adversary.requests == []


@pytest.mark.parametrize(
    "reply",
    [
        "Naltrexone changes to full blockade at 4.5 mg [1].",  # free text, numbers are not labels
        "SENTENCES: S999, S0",  # labels of no sentence
        " [1] [2, 3] [4, 5]",  # bare citation markers
        "",
    ],
    ids=["free-text", "bad-labels", "markers", "empty"],
)
def test_a_reply_that_selects_nothing_falls_back_and_says_why(
    adversary: Adversary, make_services: MakeServices, reply: str
) -> None:
    adversary.script = lambda body: Reply(split(reply, 3))
    services = make_services(adversary.url, mode="select")
    streamed, final = ask(services, QUESTION)
    record = final.record
    assert record.generator == "extractive" and record.mode == "extractive"
    assert record.fallback and (
        "chose no sentence" in record.fallback or "empty" in record.fallback
    )
    assert "4.5 mg [1]" not in record.answer and streamed.strip() == record.answer
    assert_invariants(record, services)


def test_default_mode_is_select() -> None:
    from assistant.config import LLMSettings

    assert LLMSettings().mode == "select"
