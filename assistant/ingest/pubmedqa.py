"""PubMedQA importer (``ori_pqal`` layout): one source per abstract, id ``pubmed:<PMID>``.

The passage is the abstract's labelled sections (``CONTEXTS``). The research question and the
conclusion (``LONG_ANSWER``) are left out of the indexed text: they are what an evaluation asks
and what it compares the answer with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.models import APPROVED, ARTICLE_STATUSES, Document

KIND = "pubmed"


def _text(record: dict[str, Any]) -> str:
    contexts = record.get("CONTEXTS")
    if not isinstance(contexts, list) or not contexts:
        raise ValueError("CONTEXTS must be a non-empty list of strings")
    labels = record.get("LABELS")
    labels = labels if isinstance(labels, list) and len(labels) == len(contexts) else None
    parts = []
    for i, context in enumerate(contexts):
        if not isinstance(context, str) or not context.strip():
            raise ValueError(f"CONTEXTS[{i}] is empty or not a string")
        label = str(labels[i]).strip().capitalize() if labels else ""
        parts.append(f"{label}: {context.strip()}" if label else context.strip())
    return "\n\n".join(parts)


def _document(path: Path, position: int, pmid: str, record: Any) -> Document:
    where = f"record {position} (PMID {pmid})"
    if not pmid.isdigit():
        raise CorpusError(path, f"key {pmid!r} is not a PMID", field=where)
    if not isinstance(record, dict):
        raise CorpusError(path, "record must be a JSON object", field=where)
    try:
        text = _text(record)
    except ValueError as exc:
        raise CorpusError(path, str(exc), field=where) from exc
    status = record.get("status", APPROVED)
    if status not in ARTICLE_STATUSES:
        raise CorpusError(path, f"unknown status {status!r}", field=where)
    year = record.get("YEAR")
    return Document(
        id=f"pubmed:{pmid}",
        title=f"PubMed {pmid}" + (f" ({year})" if year else ""),
        text=text,
        kind=KIND,
        status=status,
        origin=f"{path}#{where}",
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        citation=f"PubMed abstract PMID {pmid}" + (f", {year}" if year else "") + ".",
        metadata={"meshes": list(record.get("MESHES") or []), "year": year},
    )


def read_pubmedqa(path: Path) -> Iterator[Document | CorpusError]:
    """Yield one document per good record and one CorpusError per bad record, in file order."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        yield CorpusError(path, f"invalid JSON: {exc.msg} at column {exc.colno}", line=exc.lineno)
        return
    except (OSError, UnicodeDecodeError) as exc:
        yield CorpusError(path, f"cannot read file: {exc}")
        return
    except RecursionError:
        yield CorpusError(path, "JSON is nested too deeply")
        return
    if not isinstance(payload, dict):
        yield CorpusError(path, "expected a JSON object keyed by PMID (PubMedQA ori_pqal layout)")
        return
    for position, (pmid, record) in enumerate(payload.items(), start=1):
        try:
            yield _document(path, position, str(pmid).strip(), record)
        except CorpusError as exc:
            yield exc
