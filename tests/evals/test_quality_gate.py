"""CI quality gate: the eval subsets must meet the thresholds in evals/datasets/*.json.

Each dataset is built from ../shared/data (or the committed conversations), indexed and run
through the answer pipeline exactly as `followup eval` does; thresholds sit a little under
the values measured when they were set (evals/README.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from evals.build import DATASETS, build
from evals.cases import DatasetConfig, load_cases, load_config
from evals.report import check
from evals.session import EvalOptions, run_eval
from tests.support.data import require_shared_data

pytestmark = pytest.mark.eval

GATED = (
    "conversations",
    "pubmedqa-ci",
    "medquad-ci",
    "multipart-dev",
    "multipart-holdout",
    "multipart-corpora-dev-B",
    "multipart-corpora-dev-C",
    "multipart-corpora-dev-D",
    "multipart-corpora-dev-E",
    "multipart-adult-neuro-eye-ent-palliative",
    "multipart-adult-respiratory-allergy-blood",
    "multipart-adult-heart-kidney-travel-sexual-health",
    "multipart-adult-rheum-endocrine-skin-ent",
    "multipart-adult-bladder-bowel-sexual-travel-skin",
    "multipart-adult-toxicology-tb-vascular-trauma",
)
REAL_DATA = {"pubmedqa-ci": ("pubmedqa", "pqal_dev.json"), "medquad-ci": ("medquad",)}


@pytest.mark.parametrize("name", GATED)
def test_eval_subset_meets_its_thresholds(
    name: str, embedder: MiniLMEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if name in REAL_DATA:
        require_shared_data(*REAL_DATA[name])
    built = build(name, tmp_path_factory.mktemp("datasets"))
    assert built.config.thresholds, f"{name} has no thresholds to gate on"
    options = EvalOptions(
        corpus=built.corpus,
        out=tmp_path_factory.mktemp(name),
        dataset=name,
        retrieval_only=built.config.retrieval_only,
    )
    report = run_eval(load_cases(built.cases), built.config, options, Settings(), embedder)
    assert report["errors"] == 0, [r["error"] for r in report["per_case"] if r["error"]]
    failed = [c for c in report["thresholds"] if not c["passed"]]
    assert not failed, f"{name}: metrics under their thresholds: {failed}"
    assert (Path(options.out) / "report.md").exists()


# --- follow-ups dev set (issue 9) ----------------------------------------------------------
# The answer rules in the config's "thresholds" (disclaimer, pending review, citations
# resolve, numbers grounded, no errors) and issue 9's bars in its "target_thresholds"
# (answered_right >= 0.85, declined_right >= 0.95). The held-out set is reported, not gated
# (evals/README.md, follow-ups section): it is never tuned on.
FOLLOWUPS = "followups-dev"


@pytest.fixture(scope="module")
def followups_report(
    embedder: MiniLMEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    built = build(FOLLOWUPS, tmp_path_factory.mktemp("datasets"))
    out = tmp_path_factory.mktemp(FOLLOWUPS)
    options = EvalOptions(corpus=built.corpus, out=out, dataset=FOLLOWUPS)
    started = time.perf_counter()
    report = run_eval(load_cases(built.cases), built.config, options, Settings(), embedder)
    print(f"{FOLLOWUPS}: {time.perf_counter() - started:.0f} s")  # CI time the gate adds
    return report


# About 235 answers (cases and their history turns): minutes on a loaded 2-core machine.
@pytest.mark.timeout(1800)
def test_followups_keep_the_answer_rules(followups_report: dict[str, Any]) -> None:
    report = followups_report
    assert report["errors"] == 0, [r["error"] for r in report["per_case"] if r["error"]]
    failed = [c for c in report["thresholds"] if not c["passed"]]
    assert not failed, f"{FOLLOWUPS}: metrics under their thresholds: {failed}"
    outcomes = report["outcomes"]  # every case was scored for answered or declined right
    assert outcomes["answered_right_cases"] + outcomes["declined_right_cases"] == report["cases"]


@pytest.mark.timeout(1800)
def test_followups_meet_the_issue_9_targets(followups_report: dict[str, Any]) -> None:
    config = load_config(DATASETS / f"{FOLLOWUPS}.json")
    targets = DatasetConfig(thresholds=config.target_thresholds)
    failed = [c for c in check(followups_report, targets) if not c["passed"]]
    assert not failed, f"{FOLLOWUPS}: under the issue 9 targets: {failed}"


# --- every other follow-up set (issue 19): the held-out sample set and the new corpora ---
# Each config's "thresholds" gate the answer rules (1.0) and floors a little under what was
# measured for answered right / declined right (evals/README.md gives the figures and how far
# each set is from issue 19's targets, which sit in "target_thresholds").
OTHER_FOLLOWUPS = (
    "followups-holdout",
    "followups-acute-paediatrics",
    "followups-acute-paediatrics-holdout",
    "followups-adult-chronic-care",
    "followups-adult-mental-health",
    "followups-adult-skin-bone-gut",
    "followups-adult-infection-womens-health",
    "followups-adult-neuro-eye-ent-palliative",
    "followups-adult-respiratory-allergy-blood",
    "followups-adult-heart-kidney-travel-sexual-health",
    "followups-adult-rheum-endocrine-skin-ent",
    "followups-adult-bladder-bowel-sexual-travel-skin",
    "followups-adult-toxicology-tb-vascular-trauma",
)


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", OTHER_FOLLOWUPS)
def test_every_follow_up_set_keeps_the_answer_rules_and_its_floors(
    name: str, embedder: MiniLMEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    built = build(name, tmp_path_factory.mktemp("datasets"))
    options = EvalOptions(corpus=built.corpus, out=tmp_path_factory.mktemp(name), dataset=name)
    started = time.perf_counter()
    report = run_eval(load_cases(built.cases), built.config, options, Settings(), embedder)
    print(f"{name}: {time.perf_counter() - started:.0f} s")
    assert report["errors"] == 0, [r["error"] for r in report["per_case"] if r["error"]]
    assert {"answered_right", "declined_right"} <= set(built.config.thresholds), name
    failed = [c for c in report["thresholds"] if not c["passed"]]
    assert not failed, f"{name}: metrics under their thresholds: {failed}"
