"""CI quality gate: the eval subsets must meet the thresholds in evals/datasets/*.json.

Each dataset is built from ../shared/data (or the committed conversations), indexed and run
through the answer pipeline exactly as `followup eval` does; thresholds sit a little under
the values measured when they were set (evals/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.embedder import MiniLMEmbedder
from evals.build import build
from evals.cases import load_cases
from evals.session import EvalOptions, run_eval
from tests.conftest import require_shared_data

pytestmark = pytest.mark.eval

GATED = ("conversations", "pubmedqa-ci", "medquad-ci")
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
