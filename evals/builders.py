"""Build eval cases (DESIGN.md case format) from the shared data sets at run time.

Nothing from ../shared/data is committed: the repository keeps the builders, the seed and
the sampled ids; the cases JSONL is written into a git-ignored folder when an eval runs.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.medquad import read_medquad
from assistant.models import Document

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("FOLLOWUP_SHARED_DATA", REPO.parent / "shared" / "data"))
MEDQUAD = SHARED_DATA / "medquad"
PUBMEDQA = SHARED_DATA / "pubmedqa" / "pqal_dev.json"


def medquad_files(root: Path = MEDQUAD) -> list[Path]:
    """Every MedQuAD XML file, in a stable order."""
    return sorted(root.rglob("*.xml"))


def medquad_pairs(files: Iterable[Path]) -> Iterator[Document]:
    """The good QA pairs of the given files (bad ones are the importer's to report)."""
    seen: set[str] = set()
    for path in files:
        for item in read_medquad(path):
            if isinstance(item, CorpusError) or item.id in seen:
                continue
            seen.add(item.id)
            yield item


def medquad_case(doc: Document) -> dict[str, Any]:
    """A pair's question, with its own source as the one relevant source."""
    return {"id": doc.id, "question": doc.metadata["question"], "relevant": {doc.id: 1}}


def sample_medquad_documents(seed: int, n_files: int, root: Path = MEDQUAD) -> list[str]:
    """A reproducible sample of MedQuAD files (paths relative to ``root``)."""
    files = [str(p.relative_to(root)) for p in medquad_files(root)]
    return sorted(random.Random(seed).sample(files, n_files))


def pubmedqa_cases(
    path: Path = PUBMEDQA, pmids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Question -> its abstract, with the long answer and the decision as references."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    keys = list(pmids) if pmids is not None else list(raw)
    return [
        {
            "id": f"pubmed:{pmid}",
            "question": raw[pmid]["QUESTION"],
            "relevant": {f"pubmed:{pmid}": 1},
            "reference_answer": raw[pmid].get("LONG_ANSWER"),
            "expected_decision": raw[pmid].get("final_decision"),
        }
        for pmid in keys
    ]


def write_jsonl(path: Path, cases: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
            n += 1
    return n
