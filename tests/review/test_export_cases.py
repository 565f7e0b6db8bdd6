"""Reviewers' decisions become eval cases: ``followup review export-cases`` round-trips through
``followup eval``, and a rejected sentence that comes back fails the eval."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.compose import compose
from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from assistant.pipeline import Ask, answer
from assistant.review import workflow
from assistant.review.cases import expect_any, must_not
from assistant.review.store import AnswerStore
from assistant.review.users import Role, User, add_user
from evals.cases import EvalCase
from evals.scoring import reappeared, score_outcome
from tests.support.data import CORPUS
from tests.support.records import seen

REPO = Path(__file__).resolve().parents[2]
WRONG = "Give mebendazole 900 mg once daily for 10 days [1]."


def test_expected_facts_are_the_numbers_and_key_phrases_of_the_approved_text() -> None:
    text = "Mebendazole is given as a single 500 mg oral dose [1]. Repeat after 3 weeks [2]."
    patterns = expect_any(text)
    assert any(re.fullmatch(p, "500 mg", re.IGNORECASE) for p in patterns)
    assert any(re.fullmatch(p, "3 weeks", re.IGNORECASE) for p in patterns)
    assert any(re.search(p, "a single 500 mg oral dose", re.IGNORECASE) for p in patterns)
    assert any(re.fullmatch(p, "500  MG", re.IGNORECASE) for p in patterns)  # spacing, case


def test_the_rejected_sentences_are_those_the_reason_quotes_else_those_the_edit_added() -> None:
    before = "Mebendazole is given as a single 500 mg oral dose [1]."
    after = f"{before} {WRONG}"
    added = must_not(after, before, "wrong dose")
    assert added == ["Give mebendazole 900 mg once daily for 10 days."]
    quoted = must_not(after, None, "'single 500 mg oral dose' is fine, the rest is not")
    assert quoted == ["Mebendazole is given as a single 500 mg oral dose."]
    assert len(must_not(after, None, "all wrong")) == 2


def test_a_rejected_sentence_in_the_answer_fails_the_case_whatever_its_markers_and_case() -> None:
    case = EvalCase(id="r", question="q", must_not=["Give mebendazole 900 mg once daily."])
    said = "Start here. GIVE mebendazole 900 mg once daily [2]. Then stop."
    assert reappeared(said, case.must_not) == case.must_not
    assert score_outcome(case, refused=False, answer=said, cited=[], coverage="full") == {
        "rejected_reappeared": True
    }
    assert not score_outcome(case, refused=False, answer="Other.", cited=[], coverage="full")[
        "rejected_reappeared"
    ]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )


def _reviewed_store(settings: Settings, embedder: MiniLMEmbedder) -> dict[str, Any]:
    """Answers asked through the real pipeline and decided by two reviewers."""
    services = compose(settings, embedder=embedder, environ={})
    store = services.store
    rita, rita_key = add_user(store, "rita", "reviewer")
    rob, _ = add_user(store, "rob", "reviewer")

    def approve(record_id: str, who: User) -> None:
        workflow.approve(store, record_id, who, **seen(store, record_id))

    dose = answer(
        services.pipeline, Ask("What dose of mebendazole for a 14 kg child with roundworm?")
    )
    approve(dose.id, rita)
    first = answer(
        services.pipeline, Ask("How often is deworming recommended where prevalence is 50%?")
    )
    follow = answer(
        services.pipeline, Ask("And where it is 20%?", conversation_id=first.conversation_id)
    )
    approve(follow.id, rita)
    refusal = answer(services.pipeline, Ask("What is the capital of France?"))
    assert refusal.refused
    approve(refusal.id, rob)
    edited = answer(
        services.pipeline, Ask("What dose of mebendazole for a 14 kg child with roundworm?")
    )
    text = f"{edited.answer} {WRONG}"
    workflow.edit(store, edited.id, rita, **seen(store, edited.id), text=text)
    workflow.reject(store, edited.id, rob, **seen(store, edited.id), reason="Wrong dose added.")
    again = answer(
        services.pipeline, Ask("What dose of mebendazole for a 14 kg child with roundworm?")
    )
    services.close()
    return {"key": rita_key, "follow": follow, "again": again, "first": first}


@pytest.mark.slow
def test_export_cases_round_trips_through_followup_eval(
    tmp_path: Path, sample_index: Path, embedder: MiniLMEmbedder
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(sample_index / "index", data_dir / "index")
    settings = Settings(data_dir=data_dir, corpus_paths=[CORPUS])
    made = _reviewed_store(settings, embedder)
    env = {"FOLLOWUP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    out = tmp_path / "reviewed.jsonl"
    exported = _cli({**env, "FOLLOWUP_API_KEY": made["key"]}, "review", "export-cases", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "wrote 3 regression cases (approved answers) and 1 must-not cases" in exported.stdout
    assert out.stat().st_mode & 0o777 == 0o600  # questions and answers: private to the operator
    cases = [json.loads(line) for line in out.read_text().splitlines()]
    by_kind = {c["kind"]: [x for x in cases if x["kind"] == c["kind"]] for c in cases}
    follow = next(c for c in cases if c["answer_id"] == made["follow"].id)
    assert follow["history"] == [made["first"].question]
    assert set(follow["relevant"]) == {c.source_id for c in made["follow"].citations}
    assert follow["expect_any"] and not follow.get("must_refuse")
    assert any(c.get("must_refuse") for c in by_kind["reviewed-approved"])
    (rejected,) = by_kind["reviewed-rejected"]
    assert rejected["must_not"] == ["Give mebendazole 900 mg once daily for 10 days."]

    index = tmp_path / "eval-index"
    shutil.copytree(sample_index / "index", index)  # the current build's index, not re-embedded
    run = ["eval", str(out), "--corpus", str(CORPUS), "--index", str(index)]
    passed = _cli(env, *run, "--out", str(tmp_path / "out-pass"))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "approved answers still given: 3 of 3; rejected sentences reappearing: 0 of 1" in (
        passed.stdout
    )

    # A reviewer rejects what the build answers today: the same sentences come back.
    store = AnswerStore.from_settings(settings)
    again = made["again"]
    workflow.reject(
        store, again.id, User("rob", Role.REVIEWER), **seen(store, again.id),
        reason="Not the dose our formulary uses.",
    )  # fmt: skip
    store.close()
    exported = _cli({**env, "FOLLOWUP_API_KEY": made["key"]}, "review", "export-cases", str(out))
    assert "and 2 must-not cases" in exported.stdout
    failed = _cli(env, *run, "--out", str(tmp_path / "out-fail"))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "rejected sentences reappearing: 1 of 2" in failed.stdout
    assert "FAIL rejected_reappeared" in failed.stdout
    report = json.loads((tmp_path / "out-fail" / "report.json").read_text())
    assert report["reviewed"]["reappeared_ids"] == [f"rejected-{again.id[:12]}"]
