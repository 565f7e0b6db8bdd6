"""The optional model judge, behind its injected client: scripted fakes, no network."""

from __future__ import annotations

from assistant.config import PACKAGE_DATA, Settings
from assistant.judge import OpenAIJudgeClient, apply_judge, judge_prompt
from assistant.verify import check_sentences
from evals.claims import Claim, corpus_passages, run_claims
from tests.support.data import CORPUS

PASSAGES = [
    "Naltrexone 50 mg once daily is the recommended dose for alcohol dependence.",
    "Low-dose naltrexone is given at 4.5 mg daily.",
]
TEXT = (
    "Naltrexone 50 mg once daily is recommended for alcohol dependence [1]. "
    "Low-dose naltrexone is given at 4.5 mg daily [2]."
)


class Scripted:
    """A judge that calls a sentence unsupported when its prompt contains ``reject``."""

    def __init__(self, reject: str, reply: str = "NO") -> None:
        self.reject, self.reply, self.prompts = reject, reply, []  # type: ignore[var-annotated]

    def complete(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.reply if self.reject in prompt.split("Claim:")[1] else "YES"


class Broken:
    def complete(self, prompt: str) -> str:
        raise TimeoutError("no answer")


def test_the_judge_sees_each_kept_sentence_with_its_support_and_can_remove_it() -> None:
    checked = check_sentences(TEXT, PASSAGES, "", 0.6)
    assert checked.supports[1] == (
        "Low-dose naltrexone is given at 4.5 mg daily [2].",
        "Low-dose naltrexone is given at 4.5 mg daily.",
    )
    judge = Scripted(reject="4.5 mg")
    judged = apply_judge(checked, judge, judge_prompt(PACKAGE_DATA / "prompts"))
    assert judged.text == "Naltrexone 50 mg once daily is recommended for alcohol dependence [1]."
    assert "Naltrexone 50 mg once daily is the recommended dose" in judge.prompts[0]
    assert any("model judge: not supported" in f for f in judged.findings)
    assert any(f.startswith("model judge: supported") for f in judged.findings)


def test_a_failed_or_unclear_judge_changes_nothing_and_says_so() -> None:
    checked = check_sentences(TEXT, PASSAGES, "", 0.6)
    prompt = judge_prompt(PACKAGE_DATA / "prompts")
    for client in (Broken(), Scripted(reject="4.5 mg", reply="Sure! Here is a poem")):
        judged = apply_judge(checked, client, prompt)
        assert judged.text == checked.text
        assert any("judge unavailable" in f or "no verdict" in f for f in judged.findings)


def test_the_openai_adapter_sends_one_message_at_temperature_zero() -> None:
    calls: list[dict] = []

    class Completions:
        def create(self, **kwargs: object) -> object:
            calls.append(kwargs)
            message = type("M", (), {"content": "SUPPORTED"})
            return type("R", (), {"choices": [type("C", (), {"message": message})]})

    sdk = type("SDK", (), {"chat": type("Chat", (), {"completions": Completions()})})
    assert OpenAIJudgeClient(sdk, "judge-model").complete("p") == "SUPPORTED"
    assert calls[0]["model"] == "judge-model" and calls[0]["temperature"] == 0


def test_claims_can_be_scored_with_the_judge() -> None:
    claims = [
        Claim(
            id="a",
            sentence="Naltrexone 50 mg once daily is the recommended dose for most patients "
            "treated for alcohol dependence [1].",
            citations={"1": "fda-label-naltrexone"},
            supported=False,
            kind="judge_only",
        )
    ]
    settings = Settings()
    passages = corpus_passages([CORPUS], settings)
    prompt = judge_prompt(PACKAGE_DATA / "prompts")
    assert run_claims(claims, passages, 0.6, {})["catch_rate"] == 0.0
    report = run_claims(claims, passages, 0.6, {}, (Scripted(reject="50 mg"), prompt))
    assert report["judge"] is True and report["catch_rate"] == 1.0
