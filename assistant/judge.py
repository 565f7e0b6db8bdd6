"""An optional second opinion: a model judges each kept sentence against its cited sentence.

Off by default (``llm.judge``); the checks in code (:mod:`assistant.verify`) always run first
and the judge only sees sentences they kept, each with the supporting sentence they found.
A sentence the judge calls unsupported is removed like any other, and every verdict is stored
as a finding. The judge is untrusted too: a reply that is not one of the two verdicts, or a
failed call, changes nothing and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from assistant.prompts import Prompt, load_prompt
from assistant.verify import Checked

if TYPE_CHECKING:
    from assistant.config import Settings

JUDGE_PROMPT = "judge"
JUDGE_SYSTEM = "judge_system"
# judge.v1 asks for SUPPORTED / UNSUPPORTED; judge.v2 asks a yes/no question, which Qwen2.5
# 1.5B answers (it called every paraphrase in the claims set UNSUPPORTED under v1).
_VERDICT = re.compile(r"^\W*(UNSUPPORTED|NOT SUPPORTED|SUPPORTED|YES|NO)\b", re.IGNORECASE)
_SUPPORTED = {"SUPPORTED", "YES"}


class JudgeClient(Protocol):
    """What the judge needs from a model: one prompt in, the reply text out."""

    def complete(self, prompt: str) -> str: ...


class OpenAIJudgeClient:
    """A JudgeClient over an injected ``openai.OpenAI`` client (any compatible server)."""

    def __init__(self, client: Any, model: str, system: str = "", max_tokens: int = 5) -> None:
        self._client = client
        self._model = model
        self._system = system
        self._max_tokens = max_tokens

    def complete(self, prompt: str) -> str:
        """The model's reply to one user message (after the system message), at temperature 0."""
        system = [{"role": "system", "content": self._system}] if self._system else []
        response = self._client.chat.completions.create(
            model=self._model,
            messages=[*system, {"role": "user", "content": prompt}],
            temperature=0,
            max_tokens=self._max_tokens,
        )
        return response.choices[0].message.content or ""


@dataclass(frozen=True)
class Verdict:
    supported: bool | None  # None: no usable verdict
    reply: str


def judge_prompt(folder: Any) -> Prompt:
    """The judge's versioned prompt template from the prompts folder."""
    return load_prompt(folder, JUDGE_PROMPT, expect={"sentence", "support"})


def judge_system(folder: Any) -> str:
    """The judge's versioned system message."""
    return load_prompt(folder, JUDGE_SYSTEM, expect=set()).text


class ModelJudge(NamedTuple):
    """A judge: the client that asks the model, and the prompt it asks with."""

    client: JudgeClient
    prompt: Prompt


def model_judge(sdk: Any, settings: Settings) -> ModelJudge:
    """The judge over an ``openai`` client: the configured model, the versioned prompts."""
    system = judge_system(settings.prompts_dir)
    client = OpenAIJudgeClient(sdk, settings.llm.model, system)
    return ModelJudge(client, judge_prompt(settings.prompts_dir))


def verdict(client: JudgeClient, prompt: Prompt, sentence: str, support: str) -> Verdict:
    """The judge's verdict on one sentence against its supporting sentence."""
    try:
        reply = client.complete(prompt.render(sentence=sentence, support=support))
    except Exception as exc:
        return Verdict(None, f"judge unavailable ({type(exc).__name__})")
    match = _VERDICT.match(reply)
    if match is None:
        return Verdict(None, f"no verdict in the judge's reply {reply[:40]!r}")
    word = match.group(1).upper()
    return Verdict(word in _SUPPORTED, "SUPPORTED" if word in _SUPPORTED else "UNSUPPORTED")


def apply_judge(checked: Checked, client: JudgeClient, prompt: Prompt) -> Checked:
    """``checked`` with the sentences the judge calls unsupported removed, verdicts as findings."""
    kept: list[str] = []
    removed, findings = list(checked.removed), list(checked.findings)
    for sentence, support in checked.supports:
        result = verdict(client, prompt, sentence, support)
        if result.supported is False:
            removed.append(sentence)
            findings.append(
                f"removed unsupported sentence (model judge: not supported by {support[:120]!r})"
                f": {sentence[:200]!r}"
            )
            continue
        kept.append(sentence)
        label = "supported" if result.supported else result.reply
        findings.append(f"model judge: {label}: {sentence[:120]!r}")
    supports = [(s, t) for s, t in checked.supports if s in kept]
    return replace(
        checked, text=" ".join(kept), removed=removed, findings=findings, supports=supports
    )
