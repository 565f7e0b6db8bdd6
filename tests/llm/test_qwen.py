"""End to end against real instruction models: Qwen2.5-Coder Instruct (0.5B and 1.5B, Q4_K_M)
served by llama.cpp on loopback, assembled from PyPI chunk packages by scripts/test-deps/qwen.sh.

The 0.5B model answers poorly (it replies with citation markers and repeated titles): a real
adversary for "a stored answer says something" (issue 14). The 1.5B model writes fluent
answers and once kept a sentence with every number from its passage and the meaning
reversed (full blockade at 4.5 mg): the dose test asks that question in both modes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.compose import Composed
from assistant.content import contentless, has_content
from assistant.models import AnswerRecord
from assistant.pipeline import Ask, DeltaEvent, FinalEvent, stream_answer
from benchmarks.model_answers import run_summary
from tests.support.data import REPO
from tests.support.llama import llama_server, qwen_model
from tests.support.model_answers import MakeServices, assert_invariants

pytestmark = pytest.mark.llm

ISSUE_14 = [
    "How should oral cefuroxime be adjusted when creatinine clearance is below 30 mL/min?",
    "At what dose does naltrexone change from partial to full opioid receptor blockade?",
]
DOSE_QUESTIONS = [
    "At what dose does naltrexone change from partial to full opioid receptor blockade?",
    # The seed article's own wording ("endorphin blockade"), as a clinician typed it.
    "At what doses does naltrexone change from partial to full endorphin blockade in an adult "
    "patient with a history of fibromyalgia or Complex Regional Pain Syndrome (CRPS)?",
]
# The short CI version of the per-mode model eval (issue 10): a dose question, a follow-up with
# its history turn, and a question the corpus does not answer, from the conversations set.
SHORT_EVAL = ("ldn-partial-full", "meb-followup-3day", "oos-statin")
CONVERSATIONS = REPO / "evals" / "datasets" / "conversations.jsonl"
_MG = re.compile(r"(\d+(?:\.\d+)?)(?:\s*(?:to|-|–)\s*(\d+(?:\.\d+)?))?\s*mg\b", re.IGNORECASE)
_FULL = re.compile(r"\bfull(?:y)?\b", re.IGNORECASE)
LOW_DOSE_MG = 10.0


@pytest.fixture(scope="session")
def qwen05_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_dir = tmp_path_factory.mktemp("qwen05")
    with llama_server(qwen_model("0.5b"), "qwen-coder-0.5b", log_dir, n_ctx=4096) as url:
        yield url


@pytest.fixture(scope="session")
def qwen15_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Opt-in: ~4 answers of ~40 s each and a 1.1 GB model are more than CI's budget allows.
    # Fetch it with `QWEN_MODELS="0.5b 1.5b" bash scripts/test-deps/qwen.sh`.
    if os.environ.get("FOLLOWUP_LARGE_MODEL_TESTS") != "1":
        pytest.skip("1.5B model tests are opt-in: set FOLLOWUP_LARGE_MODEL_TESTS=1")
    log_dir = tmp_path_factory.mktemp("qwen15")
    with llama_server(qwen_model("1.5b"), "qwen-coder-1.5b", log_dir, n_ctx=4096) as url:
        yield url


def real_model(make: MakeServices, url: str, model: str, mode: str) -> Composed:
    return make(url, model=model, mode=mode, timeout_s=240.0, max_tokens=200, temperature=0.0)


def ask_streaming(services: Composed, question: str) -> tuple[str, AnswerRecord]:
    events = list(stream_answer(services.pipeline, Ask(question)))
    final = events[-1]
    assert isinstance(final, FinalEvent)
    return "".join(e.text for e in events if isinstance(e, DeltaEvent)), final.record


def assert_says_something(streamed: str, record: AnswerRecord, services: Composed) -> None:
    """Content with grounded citations, or the extractive fallback (saying why), or a refusal;
    and no streamed sentence was only markers or punctuation."""
    assert_invariants(record, services)
    if record.refused:
        assert (
            record.answer in (services.pipeline.decide.wordings.clinician.refusal,)
            or "do not" in record.answer
        )
        return
    titles = [c.title for c in record.citations]
    assert has_content(record.answer, titles), record.answer
    assert contentless(record.answer, titles) == [], record.answer
    assert record.citations
    if record.generator == "extractive":
        assert record.fallback and record.mode == "extractive"
    assert contentless(streamed) == [], streamed


@pytest.mark.parametrize("mode", ["select", "write"])
def test_the_small_model_s_answers_always_say_something(
    qwen05_url: str, make_services: MakeServices, mode: str
) -> None:
    services = real_model(make_services, qwen05_url, "qwen-coder-0.5b", mode)
    for question in ISSUE_14:
        streamed, record = ask_streaming(services, question)
        assert_says_something(streamed, record, services)
        assert record.mode in (mode, "extractive")


def full_blockade_doses(sentence: str) -> list[float]:
    """The mg doses a sentence attaches to full blockade: the first dose after "full", else
    the last one before it ("50 mg ... gives full blockade")."""
    doses: list[float] = []
    for full in _FULL.finditer(sentence):
        after = _MG.search(sentence, full.end())
        before = list(_MG.finditer(sentence, 0, full.start()))
        match = after or (before[-1] if before else None)
        if match:
            doses.append(float(match.group(2) or match.group(1)))
    return doses


def test_the_dose_check_reads_what_a_sentence_says() -> None:
    wrong = "The dose changes from partial to full opioid blockade at 4.5 mg daily [1]."
    right = "At 1 to 5 mg the blockade is partial, while 50 mg gives full blockade [1]."
    label = "Naltrexone at standard oral doses of at least 50 mg acts as a full antagonist [2]."
    assert full_blockade_doses(wrong) == [4.5]
    assert full_blockade_doses(right) == [50.0]
    assert full_blockade_doses(label) == [50.0]


@pytest.mark.parametrize("mode", ["select", "write"])
def test_no_stored_answer_puts_full_blockade_at_a_low_dose(
    qwen15_url: str, make_services: MakeServices, mode: str
) -> None:
    services = real_model(make_services, qwen15_url, "qwen-coder-1.5b", mode)
    for question in DOSE_QUESTIONS:
        streamed, record = ask_streaming(services, question)
        assert_says_something(streamed, record, services)
        for sentence in re.split(r"(?<=[.!?])\s+", record.answer):
            low = [d for d in full_blockade_doses(sentence) if d <= LOW_DOSE_MG]
            assert not low, f"{mode}: full blockade at {low} mg: {sentence!r}"


@pytest.mark.parametrize("mode", ["select", "write"])
def test_a_short_model_eval_runs_in_each_mode(
    qwen05_url: str, sample_index: Path, tmp_path: Path, mode: str
) -> None:
    """`followup eval` with the 0.5B model: every stored answer compliant, the question off the
    corpus refused, and the run's model figures computed (printed for the CI log)."""
    lines = CONVERSATIONS.read_text().splitlines()
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(x for x in lines if json.loads(x)["id"] in SHORT_EVAL) + "\n")
    shutil.copytree(sample_index / "index", tmp_path / "index")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FOLLOWUP_"))}
    env |= {"FOLLOWUP_LLM__BASE_URL": qwen05_url, "FOLLOWUP_LLM__API_KEY": "sk-local-test"}
    env |= {"FOLLOWUP_LLM__MODEL": "qwen-coder-0.5b", "FOLLOWUP_LLM__MODE": mode}
    env |= {"FOLLOWUP_LLM__TIMEOUT_S": "240", "FOLLOWUP_LLM__TEMPERATURE": "0"}
    command = [sys.executable, "-m", "assistant.cli", "eval", str(cases), "--corpus", "corpus"]
    command += ["--index", str(tmp_path / "index"), "--out", str(tmp_path / "out")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: a threshold missed
    summary = run_summary(tmp_path / "out")
    print(mode, json.dumps(summary))
    assert summary["answers"] == len(SHORT_EVAL) + 1  # the follow-up's history turn too
    assert set(summary["compliance"].values()) == {1.0}, summary["compliance"]
    assert summary["refusal_accuracy"] == 1.0
    assert set(summary["modes"]) <= {mode, "extractive", "?"}  # "?": refused before drafting
    assert summary["total_s"]["n"] == summary["answers"]
    stored = [f for f in (tmp_path / "out").rglob("*") if f.is_file()]
    assert stored and not [f for f in stored if b"sk-local-test" in f.read_bytes()]
