"""Sources in JSONL: one ``{"id","title","text","url","kind","status"}`` object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.models import APPROVED, ARTICLE_STATUSES, Document


def _document(path: Path, line: int, record: Any) -> Document:
    if not isinstance(record, dict):
        raise CorpusError(path, "each line must be a JSON object", line=line)
    for name in ("id", "title", "text"):
        value = record.get(name)
        if not isinstance(value, str) or not value.strip():
            raise CorpusError(
                path, "required text field is missing or empty", line=line, field=name
            )
    status = record.get("status", APPROVED)
    if status not in ARTICLE_STATUSES:
        raise CorpusError(path, f"unknown status {status!r}", line=line, field="status")
    url = record.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise CorpusError(path, f"url must be http(s), got {url!r}", line=line, field="url")
    return Document(
        id=record["id"].strip(),
        title=record["title"].strip(),
        text=record["text"].strip(),
        kind=str(record.get("kind") or "source"),
        status=status,
        origin=f"{path}:{line}",
        url=url,
        citation=record.get("citation"),
    )


def read_jsonl_sources(path: Path) -> Iterator[Document | CorpusError]:
    """Yield one document per good line and one CorpusError per bad line, in file order."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        yield CorpusError(path, f"cannot read file: {exc.strerror}")
        return
    with handle:
        line_no = 0
        while True:
            line_no += 1
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                yield CorpusError(path, f"not valid UTF-8 text ({exc.reason})", line=line_no)
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                yield _document(path, line_no, json.loads(line))
            except json.JSONDecodeError as exc:
                yield CorpusError(
                    path, f"invalid JSON: {exc.msg} at column {exc.colno}", line=line_no
                )
            except RecursionError:  # json.loads of a very deeply nested line
                yield CorpusError(path, "JSON is nested too deeply", line=line_no)
            except CorpusError as exc:
                yield exc
