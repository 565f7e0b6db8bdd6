"""`followup eval --claims`: the verifier scored on claims, and the CI gate on the dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from evals.claims import corpus_passages, load_claims, run_claims

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
CLAIMS = [
    {
        "id": "kept",
        "sentence": "For opioid blockade, naltrexone is begun at 25 mg and then taken at "
        "50 mg daily [1].",
        "citations": {"1": "ldn-fibromyalgia-dosing"},
        "supported": True,
        "kind": "paraphrase",
        "reviewer": "an unknown field, ignored",
    },
    {
        "id": "caught",
        "sentence": "Oral cefuroxime is given every 48 hours when creatinine clearance is below "
        "30 mL/min [1].",
        "citations": {"1": "ceftin-prescribing-information::1"},
        "supported": False,
        "kind": "frequency_band",
    },
    {
        "id": "marker-only",
        "sentence": " [1] [2]",
        "citations": {"1": "fda-label-naltrexone", "2": "younger-2014-ldn-review"},
        "supported": False,
        "kind": "marker_only",
    },
]


def test_claims_are_scored_per_kind_with_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in CLAIMS), encoding="utf-8")
    out = tmp_path / "out"
    args = ["eval", "--claims", str(path), "--corpus", str(ROOT / "corpus"), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--min", "keep_rate=1", "--min", "catch_rate=1"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["keep_rate"] == 1.0 and report["catch_rate"] == 1.0
    assert report["per_kind"]["marker_only"] == {"claims": 1, "keep_rate": None, "catch_rate": 1.0}
    assert "keep rate" in (out / "report.md").read_text(encoding="utf-8")
    flipped = [{**c, "supported": not c["supported"]} for c in CLAIMS]
    path.write_text("".join(json.dumps(c) + "\n" for c in flipped), encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--min", "catch_rate=0.5"])
    assert result.exit_code == 1 and "FAIL catch_rate = 0.000" in result.output


def test_a_claim_citing_an_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps({**CLAIMS[0], "citations": {"1": "no-such-doc"}}) + "\n")
    result = CliRunner().invoke(app, ["eval", "--claims", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no-such-doc" in result.output


ACUTE = ROOT / "evals" / "corpora" / "acute-paediatrics"
CHRONIC = ROOT / "evals" / "corpora" / "adult-chronic-care"
MENTAL = ROOT / "evals" / "corpora" / "adult-mental-health"
SKIN = ROOT / "evals" / "corpora" / "adult-skin-bone-gut"
INFECTION = ROOT / "evals" / "corpora" / "adult-infection-womens-health"
NEURO = ROOT / "evals" / "corpora" / "adult-neuro-eye-ent-palliative"
RESPIRATORY = ROOT / "evals" / "corpora" / "adult-respiratory-allergy-blood"
HEART = ROOT / "evals" / "corpora" / "adult-heart-kidney-travel-sexual-health"
RHEUM = ROOT / "evals" / "corpora" / "adult-rheum-endocrine-skin-ent"
BLADDER = ROOT / "evals" / "corpora" / "adult-bladder-bowel-sexual-travel-skin"
TOXICOLOGY = ROOT / "evals" / "corpora" / "adult-toxicology-tb-vascular-trauma"


@pytest.mark.eval
@pytest.mark.parametrize(
    ("name", "corpus", "keep", "catch", "size"),
    # Just under what was measured (evals/README.md, "Claims benchmark"). The holdout sets are
    # not tuned on: their gates guard against regressions, below the targets of issue 20
    # (keep 0.90, catch 0.95) where the verifier does not reach them yet.
    [
        ("claims-dev", ROOT / "corpus", 0.96, 0.98, 300),
        ("claims-holdout", ROOT / "corpus", 0.82, 0.97, 80),
        ("claims-acute-paediatrics", ACUTE, 0.88, 0.97, 60),
        ("claims-acute-paediatrics-holdout", ACUTE, 0.55, 0.78, 25),
        ("claims-adult-chronic-care", CHRONIC, 0.92, 0.95, 60),
        ("claims-adult-mental-health", MENTAL, 0.85, 0.88, 60),
        ("claims-adult-skin-bone-gut", SKIN, 0.78, 0.88, 60),
        ("claims-adult-infection-womens-health", INFECTION, 0.52, 0.92, 60),
        ("claims-adult-neuro-eye-ent-palliative", NEURO, 0.7, 0.9, 60),
        ("claims-adult-respiratory-allergy-blood", RESPIRATORY, 0.52, 0.92, 60),
        ("claims-adult-heart-kidney-travel-sexual-health", HEART, 0.65, 0.78, 60),
        ("claims-adult-rheum-endocrine-skin-ent", RHEUM, 0.7, 0.92, 60),
        ("claims-adult-bladder-bowel-sexual-travel-skin", BLADDER, 0.73, 0.9, 60),
        ("claims-adult-toxicology-tb-vascular-trauma", TOXICOLOGY, 0.63, 0.85, 60),
    ],
)
def test_claims_benchmark_gate(
    name: str, corpus: Path, keep: float, catch: float, size: int
) -> None:
    claims = load_claims(DATASETS / f"{name}.jsonl")
    assert len(claims) >= size
    settings = Settings()
    passages = corpus_passages([corpus], settings)
    report = run_claims(claims, passages, settings.llm.min_support, {})
    assert report["keep_rate"] >= keep, report["misses"][:5]
    assert report["catch_rate"] >= catch, report["misses"][:5]
    empty = ("marker_only", "title_only") if corpus == ROOT / "corpus" else ()
    for kind in empty:  # the sample sets hold claims that say nothing: all caught
        assert report["per_kind"][kind]["catch_rate"] == 1.0
