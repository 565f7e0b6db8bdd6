"""The follow-ups eval sets (issue 9) are what their README says, and grounded in the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest.loader import load_corpus
from evals.cases import EvalCase, load_cases
from evals.scoring import answer_text

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    """document id -> (status, plain text) of the sample corpus."""
    loaded = load_corpus([ROOT / "corpus"])
    assert not loaded.errors
    return {d.id: (d.status, answer_text(d.text)) for d in loaded.documents}


def cases(name: str) -> list[EvalCase]:
    return load_cases(DATASETS / f"followups-{name}.jsonl")


def test_the_sets_have_the_size_and_mix_issue_9_asks_for() -> None:
    dev, holdout = cases("dev"), cases("holdout")
    assert len(dev) >= 120 and len(holdout) >= 40
    assert sum(c.must_refuse for c in dev) >= 40
    assert sum(c.kind == "multi_turn" and bool(c.history) for c in dev) >= 30
    for group in (dev, holdout):
        share = sum(c.must_refuse for c in group) / len(group)
        assert 0.2 < share < 0.45
        assert all(c.kind for c in group)


def test_held_out_cases_are_not_dev_cases() -> None:
    dev, holdout = cases("dev"), cases("holdout")
    assert not {c.id for c in dev} & {c.id for c in holdout}
    assert not {c.question.lower() for c in dev} & {c.question.lower() for c in holdout}


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_every_key_fact_is_stated_by_an_approved_relevant_document(
    name: str, corpus: dict[str, tuple[str, str]]
) -> None:
    for case in cases(name):
        if case.must_refuse:
            assert not case.expect_any, case.id
            continue
        assert case.expect_any and case.relevant, case.id
        assert all(corpus[s][0] == "approved" for s in case.relevant), case.id
        texts = [corpus[s][1] for s in case.relevant]
        grounded = [a for a in case.expect_any if any(re.search(a, t, re.I) for t in texts)]
        assert grounded, f"{case.id}: no key fact of {case.expect_any} in its relevant sources"
