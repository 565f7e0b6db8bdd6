"""Which generator answers: a model when an endpoint is configured, else the extractive one.

An endpoint is configured the way the ``openai`` client itself reads it — ``OPENAI_API_KEY``
and ``OPENAI_BASE_URL`` in the environment — or by the project's own settings
(``FOLLOWUP_LLM__BASE_URL``, ``FOLLOWUP_LLM__API_KEY``), which win when both are set. The
model name and limits always come from the project's settings (``FOLLOWUP_LLM__MODEL`` ...).
The key is handed to the client only: it is never logged, stored or put in a prompt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.condense import ModelCondenser
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.generate.base import StreamingGenerator
from assistant.judge import ModelJudge, model_judge
from assistant.prompts import load_prompt

if TYPE_CHECKING:  # the SDK takes a second to import: only a configured endpoint needs it
    import openai

    from assistant.generate.prompt_set import PromptSet
    from assistant.generate.select_mode import SelectPrompts

# Local servers (llama.cpp, vLLM, Ollama) ignore the key, but the client insists on one.
LOCAL_KEY_PLACEHOLDER = "no-key-needed"


def llm_configured(settings: Settings, environ: Mapping[str, str] | None = None) -> bool:
    """Whether an OpenAI-compatible endpoint is configured by settings or environment."""
    env = os.environ if environ is None else environ
    llm = settings.llm
    return bool(
        llm.base_url or llm.api_key or env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL")
    )


def openai_client(settings: Settings, environ: Mapping[str, str] | None = None) -> openai.OpenAI:
    """The SDK client for the configured endpoint (no network traffic until a request)."""
    env = os.environ if environ is None else environ
    llm = settings.llm
    key = llm.api_key.get_secret_value() if llm.api_key else env.get("OPENAI_API_KEY")
    base_url = llm.base_url or env.get("OPENAI_BASE_URL") or None
    if not key and base_url:
        key = LOCAL_KEY_PLACEHOLDER
    if not key:
        raise ConfigError("An LLM endpoint needs OPENAI_API_KEY or FOLLOWUP_LLM__API_KEY.")
    import openai

    try:
        return openai.OpenAI(api_key=key, base_url=base_url, timeout=llm.timeout_s, max_retries=0)
    except openai.OpenAIError as exc:
        raise ConfigError(f"cannot configure the LLM endpoint: {type(exc).__name__}") from exc


@dataclass
class ModelParts:
    """What a configured endpoint contributes to the composition (assistant/compose.py)."""

    generator: StreamingGenerator
    condenser: ModelCondenser | None
    judge: ModelJudge | None = None  # a second call judging each kept sentence (llm.judge)


def model_parts(settings: Settings, client: openai.OpenAI) -> ModelParts:
    """Generator in the configured mode (and follow-up condenser) over an injected client."""
    from assistant.generate.openai_compat import ChatEndpoint
    from assistant.generate.prompt_set import PromptSet
    from assistant.generate.select_mode import SelectGenerator
    from assistant.generate.write_mode import WriteGenerator

    prompts = PromptSet.load(settings.prompts_dir)
    endpoint = ChatEndpoint(client, settings.llm)
    generator: StreamingGenerator
    if settings.llm.mode == "select":
        generator = SelectGenerator(
            endpoint,
            select_prompts(settings, prompts),
            settings.llm.model,
            max_sentences=settings.answer.max_sentences,
            min_support=settings.llm.min_support,
        )
    else:
        generator = WriteGenerator(
            endpoint, prompts, settings.llm.model, max_sentences=settings.answer.max_sentences
        )
    condenser = None
    if settings.llm.condense:
        # A follow-up rewrite is short: a third of the deadline leaves the rest to the answer.
        condenser = ModelCondenser(endpoint, prompts.condense, timeout=settings.llm.timeout_s / 3)
    judge = model_judge(client, settings) if settings.llm.judge else None
    return ModelParts(generator, condenser, judge)


def select_prompts(settings: Settings, prompts: PromptSet) -> SelectPrompts:
    """The templates of select mode, checked when loaded."""
    from assistant.generate.select_mode import SelectPrompts

    folder = settings.prompts_dir
    return SelectPrompts(
        system=load_prompt(folder, "select_system", expect={"canary"}),
        answer=load_prompt(
            folder, "select_answer", expect={"sources", "question", "max_sentences"}
        ),
        source=prompts.source,
    )
