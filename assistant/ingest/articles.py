"""Articles: Markdown files with YAML front matter (see DESIGN.md, "Contracts")."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CorpusError
from assistant.language import markers
from assistant.models import ARTICLE_STATUSES, Document, Reference

_REQUIRED = ("id", "title", "status", "references")
_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]*$")


def _split_front_matter(path: Path, text: str) -> tuple[str, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise CorpusError(
            path, "article must start with a '---' line opening YAML front matter", line=1
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise CorpusError(path, "front matter is not closed by a '---' line", line=1)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> CorpusError:
    """The error at the file line where the bad YAML construct starts.

    PyYAML marks both where a construct began (``context_mark``) and where it noticed the
    problem (``problem_mark``), which for an unclosed quote or bracket is the end of the
    front matter; the start is what the author has to fix. Marks count lines from 0 inside
    the front matter, which begins on line 2 of the file.
    """
    context = str(getattr(exc, "context", None) or "")
    # "while scanning a quoted scalar", "while parsing a flow sequence": the context mark is
    # the unclosed construct. "while parsing a block mapping" marks the mapping's first key.
    starts = context.startswith(("while scanning", "while parsing a flow"))
    mark = getattr(exc, "context_mark", None) if starts else None
    mark = mark or getattr(exc, "problem_mark", None)
    parts = [context, getattr(exc, "problem", None)]
    detail = ", ".join(str(p) for p in parts if p) or str(exc)
    if mark is None:
        return CorpusError(path, f"front matter is not valid YAML: {detail}")
    return CorpusError(
        path,
        f"front matter is not valid YAML (column {mark.column + 1}): {detail}",
        line=mark.line + 2,
    )


def _parse_yaml(path: Path, front: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from exc
    except RecursionError as exc:
        raise CorpusError(path, "front matter is nested too deeply", line=2) from exc
    if not isinstance(meta, dict):
        raise CorpusError(path, "front matter must be a YAML mapping", line=2)
    return meta


def _field_line(front: str, name: str) -> int | None:
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{name}:"):
            return number
    return None


def _references(path: Path, front: str, raw: Any) -> tuple[Reference, ...]:
    line = _field_line(front, "references")
    if not isinstance(raw, list):
        raise CorpusError(
            path, "must be a list of {id, citation, url?}", line=line, field="references"
        )
    refs = []
    for position, item in enumerate(raw, start=1):
        where = f"references[{position}]"
        if not isinstance(item, dict) or not item.get("id") or not item.get("citation"):
            raise CorpusError(
                path, "each reference needs an id and a citation", line=line, field=where
            )
        url = item.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            raise CorpusError(path, f"url must be http(s), got {url!r}", line=line, field=where)
        refs.append(Reference(id=str(item["id"]), citation=str(item["citation"]), url=url))
    return tuple(refs)


def _check_citations(path: Path, body: str, body_line: int, n_refs: int) -> None:
    for offset, line in enumerate(body.splitlines()):
        for match in markers.BRACKETED.finditer(line):
            for n in markers.numbers(match.group(1)):
                if not 1 <= n <= n_refs:
                    raise CorpusError(
                        path,
                        f"citation [{n}] has no entry in references (there are {n_refs})",
                        line=body_line + offset,
                    )


def _check_fields(path: Path, front: str, meta: dict[str, Any]) -> None:
    for name in _REQUIRED:
        if meta.get(name) in (None, ""):
            raise CorpusError(path, "required field is missing", line=2, field=name)
    if not _ID.match(str(meta["id"])):
        raise CorpusError(
            path,
            "id must be lowercase letters, digits, '.', '_', ':' or '-'",
            line=_field_line(front, "id"),
            field="id",
        )
    if meta["status"] not in ARTICLE_STATUSES:
        allowed = ", ".join(sorted(ARTICLE_STATUSES))
        raise CorpusError(
            path,
            f"status must be one of {allowed}, got {meta['status']!r}",
            line=_field_line(front, "status"),
            field="status",
        )


def _aliases(path: Path, front: str, raw: Any) -> list[list[str]]:
    """Optional synonym groups for the article's terms: ``[[polyethylene glycol, Miralax]]``."""
    if raw is None:
        return []
    line = _field_line(front, "aliases")
    if not isinstance(raw, list):
        raise CorpusError(path, "must be a list of synonym lists", line=line, field="aliases")
    groups = []
    for position, group in enumerate(raw, start=1):
        if not (
            isinstance(group, list)
            and len(group) >= 2
            and all(isinstance(t, str) and t.strip() for t in group)
        ):
            raise CorpusError(
                path,
                "each alias entry must list two or more non-empty terms that mean the same",
                line=line,
                field=f"aliases[{position}]",
            )
        groups.append([t.strip() for t in group])
    return groups


def parse_article(path: Path, text: str) -> Document:
    """Parse one article file. Raises CorpusError naming the file and the line or field."""
    front, body, body_line = _split_front_matter(path, text)
    meta = _parse_yaml(path, front)
    _check_fields(path, front, meta)
    references = _references(path, front, meta["references"])
    if not body.strip():
        raise CorpusError(path, "article body is empty", line=body_line)
    _check_citations(path, body, body_line, len(references))
    updated = meta.get("last_updated")
    metadata = {
        "audience": str(meta.get("audience", "clinician")),
        "last_updated": updated.isoformat() if isinstance(updated, date) else updated,
        "question": meta.get("question"),
        "related_questions": list(meta.get("related_questions") or []),
    }
    aliases = _aliases(path, front, meta.get("aliases"))
    if aliases:  # only when declared, so other articles' content hashes stay as they were
        metadata["aliases"] = aliases
    provenance = meta.get("provenance")
    if isinstance(provenance, dict):  # a published answer's approval (review/publish.py)
        metadata["provenance"] = {str(k): str(v) for k, v in provenance.items()}
    return Document(
        id=str(meta["id"]),
        title=str(meta["title"]),
        text=body.strip(),
        kind="article",
        status=str(meta["status"]),
        origin=str(path),
        citation=f"{meta['title']}. Followup sample article, updated {metadata['last_updated']}.",
        references=references,
        metadata=metadata,
    )


def read_article(path: Path) -> Document:
    """Read and parse an article file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(path, f"not valid UTF-8 text ({exc.reason})") from exc
    return parse_article(path, text)
