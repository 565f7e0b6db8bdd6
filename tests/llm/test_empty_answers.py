"""Issue 14: a model reply that says nothing (bare citation markers, a passage title repeated,
whitespace and punctuation) is never stored or shown as an answer, on any channel."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant.pipeline import Ask, DeltaEvent, FinalEvent, stream_answer
from tests.support.adversary import Adversary, Reply, sources, split
from tests.support.model_answers import MakeServices, assert_invariants

pytestmark = pytest.mark.llm

QUESTIONS = [
    "How should oral cefuroxime be adjusted when creatinine clearance is below 30 mL/min?",
    "At what dose does naltrexone change from partial to full opioid receptor blockade?",
]


def titles(body: dict[str, Any]) -> list[str]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return [line.split(": ", 1)[1].rstrip(">") for line in user.splitlines() if "<<<SOURCE" in line]


def markers(body: dict[str, Any]) -> str:
    return " [1] [2, 3] [4, 5]"


def title_only(body: dict[str, Any]) -> str:
    names = titles(body) or ["Untitled"]
    return " ".join(f"[{n}] {names[(n - 1) % len(names)]}" for n in sources(body)) + " [2, 3]"


def punctuation(body: dict[str, Any]) -> str:
    return " \n . , ;  ...\n\n !? — [1]. "


SCRIPTS = {"markers": markers, "titles": title_only, "punctuation": punctuation}


@pytest.mark.parametrize("kind", SCRIPTS)
def test_a_reply_with_nothing_in_it_is_replaced_by_the_extractive_answer(
    adversary: Adversary, make_services: MakeServices, kind: str
) -> None:
    adversary.script = lambda body: Reply(split(SCRIPTS[kind](body), 3))
    services = make_services(adversary.url)  # write mode: the model's text is the answer
    for question in QUESTIONS:
        events = list(stream_answer(services.pipeline, Ask(question)))
        final = events[-1]
        assert isinstance(final, FinalEvent)
        record = final.record
        deltas = "".join(e.text for e in events if isinstance(e, DeltaEvent))
        # Nothing the model wrote was shown: the only text streamed is the final answer.
        assert deltas.strip() == record.answer.strip()
        assert record.refused or record.generator == "extractive", record.answer
        if not record.refused:
            assert record.mode == "extractive" and record.fallback, "a fallback says why"
            assert any("answered by the extractive generator" in f for f in record.findings)
        assert_invariants(record, services)


def test_content_streams_but_a_trailing_run_of_markers_does_not(
    adversary: Adversary, make_services: MakeServices
) -> None:
    def script(body: dict[str, Any]) -> Reply:
        n, text = next(iter(sorted(sources(body).items())))
        sentence = text.split(". ")[0].rstrip(".")
        return Reply(split(f"{sentence} [{n}]. [2] [3, 4] [5]", 3))

    adversary.script = script
    services = make_services(adversary.url)
    events = list(stream_answer(services.pipeline, Ask(QUESTIONS[1])))
    deltas = [e.text for e in events[:-1] if isinstance(e, DeltaEvent)]
    assert len(deltas) > 1, "the sentence streamed as it came"
    assert not "".join(deltas).rstrip().endswith("]"), "".join(deltas)
    final = events[-1]
    assert isinstance(final, FinalEvent)
    assert_invariants(final.record, services)


def test_the_http_channels_store_no_empty_model_answer(
    adversary: Adversary, live_with_model: Any
) -> None:
    """One live-server check: the JSON API and the OpenAI-compatible stream go through the
    same pipeline, so a marker-only reply reaches neither as an answer."""
    adversary.script = lambda body: Reply(split(markers(body), 3))
    server = live_with_model
    # The first answer loads the embedder in the server: minutes on a busy 2-core machine.
    headers = server.headers("alice")
    with httpx.Client(base_url=server.url, headers=headers, timeout=300) as http:
        conversation = http.post("/api/conversations", json={}).json()
        reply = http.post(
            f"/api/conversations/{conversation['id']}/messages", json={"question": QUESTIONS[0]}
        )
        assert reply.status_code == 200, reply.text
        record = reply.json()
    assert record["generator"] == "extractive" and record["fallback"], record
    assert record["answer"].strip() not in ("", "[1] [2, 3] [4, 5]")
    body = {"model": "followup", "stream": True}
    body["messages"] = [{"role": "user", "content": QUESTIONS[0]}]
    with httpx.stream(
        "POST", f"{server.url}/v1/chat/completions", json=body, headers=headers, timeout=300
    ) as response:
        text = "".join(response.iter_text())
    assert response.status_code == 200
    assert "[1] [2, 3] [4, 5]" not in text and "Professional medical disclaimer" in text
