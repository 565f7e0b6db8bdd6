"""Build a dataset's cases (and corpus view) from its config in evals/datasets/.

    python -m evals.build medquad-ci        # -> evals/out/datasets/medquad-ci/{cases.jsonl,corpus/}

MedQuAD and PubMedQA text stays in ../shared/data: the corpus folder holds symbolic links to
the sampled MedQuAD files, or, for PubMedQA, the sampled records of pqal_dev.json; both are
written under the git-ignored evals/out/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import EvalDataError
from evals.builders import (
    MEDQUAD,
    PUBMEDQA,
    REPO,
    medquad_case,
    medquad_files,
    medquad_pairs,
    pubmedqa_cases,
    write_jsonl,
)
from evals.cases import DatasetConfig, load_config

DATASETS = REPO / "evals" / "datasets"
OUT = REPO / "evals" / "out" / "datasets"


@dataclass
class BuiltDataset:
    """Everything ``followup eval`` needs for one dataset."""

    config: DatasetConfig
    config_path: Path
    cases: Path
    corpus: list[Path]


def _medquad(config: DatasetConfig, out: Path) -> tuple[Path, list[Path]]:
    if config.files == "all":
        return _write_cases(out, medquad_files()), [MEDQUAD]
    files = [MEDQUAD / f for f in config.files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise EvalDataError(f"{config.name}: MedQuAD files not found: {', '.join(missing[:3])}")
    corpus = out / "corpus"
    for f in files:
        link = corpus / f.parent.name / f.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f)
    return _write_cases(out, files), [corpus]


def _write_cases(out: Path, files: list[Path]) -> Path:
    path = out / "cases.jsonl"
    write_jsonl(path, (medquad_case(d) for d in medquad_pairs(files)))
    return path


def _pubmedqa(config: DatasetConfig, out: Path) -> tuple[Path, list[Path]]:
    if config.pmids == "all":
        path = out / "cases.jsonl"
        write_jsonl(path, pubmedqa_cases())
        return path, [PUBMEDQA]
    raw = json.loads(PUBMEDQA.read_text(encoding="utf-8"))
    missing = [p for p in config.pmids if p not in raw]
    if missing:
        raise EvalDataError(f"{config.name}: PMIDs not in {PUBMEDQA}: {', '.join(missing[:3])}")
    corpus = out / "corpus" / "pqal_subset.json"
    corpus.parent.mkdir(parents=True)
    corpus.write_text(json.dumps({p: raw[p] for p in config.pmids}), encoding="utf-8")
    path = out / "cases.jsonl"
    write_jsonl(path, pubmedqa_cases(PUBMEDQA, config.pmids))
    return path, [corpus]


def build(name: str, out_root: Path = OUT) -> BuiltDataset:
    """Write the named dataset's cases (and corpus view) under ``out_root/name``."""
    config_path = DATASETS / f"{name}.json"
    if not config_path.is_file():
        known = ", ".join(sorted(p.stem for p in DATASETS.glob("*.json")))
        raise EvalDataError(f"no dataset {name!r}; known: {known}")
    config = load_config(config_path)
    out = out_root / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if config.builder == "medquad":
        cases, corpus = _medquad(config, out)
    elif config.builder == "pubmedqa":
        cases, corpus = _pubmedqa(config, out)
    elif config.builder == "file" and config.cases:
        cases, corpus = DATASETS / config.cases, [REPO / c for c in config.corpus]
    else:
        raise EvalDataError(f"{config_path}: unknown builder {config.builder!r}")
    return BuiltDataset(config, config_path, cases, corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build an eval dataset from its config.")
    parser.add_argument("name", help="a config in evals/datasets/ (without .json)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    built = build(args.name, args.out)
    corpus = " ".join(f"--corpus {p}" for p in built.corpus)
    print(f"followup eval {built.cases} {corpus} --config {built.config_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
