"""The model endpoint wrapper (assistant.generate.openai_compat.ChatEndpoint) against a scripted
model in process: transient failures are retried, refusals are not, and one deadline covers
every attempt (no attempt starts past it; each gets only the time left)."""

from __future__ import annotations

import time

import httpx
import pytest

from assistant.config import LLMSettings
from assistant.errors import GenerationError
from assistant.generate.openai_compat import ChatEndpoint
from tests.support.adversary import Reply, split
from tests.support.scripted_model import ScriptedModel

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Dose?"}]
ANSWER = "Low-dose naltrexone is 1 to 5 mg daily [1]."


def endpoint(model: ScriptedModel, **llm: float) -> ChatEndpoint:
    settings = LLMSettings(base_url="http://unused.test/v1", model="scripted", **llm)
    return ChatEndpoint(model.client(), settings)


def failing_first(failure: Reply | Exception, times: int = 1) -> ScriptedModel:
    model = ScriptedModel()
    model.script = lambda body: failure if len(model.seen) <= times else Reply(split(ANSWER))
    return model


@pytest.mark.parametrize(
    "failure",
    [Reply(status=503), Reply(status=500), Reply(status=429), httpx.ConnectError("refused")],
    ids=["503", "500", "429", "connection"],
)
def test_a_transient_failure_is_retried_and_the_reply_streams(
    failure: Reply | Exception,
) -> None:
    model = failing_first(failure)
    assert endpoint(model, max_retries=1).complete(MESSAGES) == ANSWER
    assert len(model.seen) == 2
    assert model.seen[0].body == model.seen[1].body  # the same request again


def test_retries_stop_after_max_retries_with_the_last_failure_named() -> None:
    model = failing_first(Reply(status=503), times=99)
    with pytest.raises(GenerationError, match=r"unavailable \(InternalServerError\)"):
        endpoint(model, max_retries=1).complete(MESSAGES)
    assert len(model.seen) == 2


def test_without_retries_one_failure_is_final() -> None:
    model = failing_first(httpx.ConnectError("refused"))
    with pytest.raises(GenerationError, match=r"unavailable \(APIConnectionError\)"):
        endpoint(model, max_retries=0).complete(MESSAGES)
    assert len(model.seen) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_refusal_is_final_and_never_retried(status: int) -> None:
    model = failing_first(Reply(status=status), times=99)
    with pytest.raises(GenerationError, match=f"refused: HTTP {status}"):
        endpoint(model, max_retries=3).complete(MESSAGES)
    assert len(model.seen) == 1


def test_no_attempt_starts_past_the_deadline() -> None:
    # The first back-off (0.5 s) is longer than the whole deadline: one attempt, then the
    # wait runs out the deadline and no second attempt starts, whatever max_retries allows.
    model = failing_first(Reply(status=503), times=99)
    started = time.monotonic()
    with pytest.raises(GenerationError, match=r"deadline|unavailable"):
        endpoint(model, max_retries=5, timeout_s=0.3).complete(MESSAGES)
    assert time.monotonic() - started < 0.3 + 2.0  # slack for a busy machine
    time.sleep(1.0)  # long enough for a retry that ignored the deadline to arrive
    assert len(model.seen) == 1


def test_each_attempt_gets_only_the_time_left() -> None:
    model = failing_first(Reply(status=503))
    assert endpoint(model, max_retries=1, timeout_s=5.0).complete(MESSAGES) == ANSWER
    first, second = (seen.read_timeout_s for seen in model.seen)
    assert first is not None and second is not None
    assert first <= 5.0
    assert second <= first - 0.5  # the back-off came out of the same deadline
