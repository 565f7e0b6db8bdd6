"""Close the loop: an approved answer becomes a ``submitted`` article in the corpus format.

The article cites the same sources as the answer (renumbered in order of first use), so the
editorial board can promote it to ``approved`` through the normal corpus workflow. Only
``approved`` articles are answered from, so a submitted one changes no answer until then.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InvalidRequestError, InvalidTransitionError
from assistant.language import markers
from assistant.models import AnswerRecord, Citation, ReviewStatus, utc_now
from assistant.review.records import Decision
from assistant.review.store import AnswerStore
from assistant.review.users import Role, User


def article_id(answer_id: str) -> str:
    return f"answer-{answer_id[:12].lower()}"


def renumber(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Markers renumbered to one reference per source, in order of first use in ``text``."""
    by_n = {c.n: c for c in citations}
    order: dict[str, int] = {}
    first: list[Citation] = []

    def number(n: int) -> int:
        source = by_n[n].source_id
        if source not in order:
            order[source] = len(order) + 1
            first.append(by_n[n])
        return order[source]

    def replace(match: re.Match[str]) -> str:
        numbers = sorted({number(n) for n in markers.numbers(match.group(1)) if n in by_n})
        return f"[{', '.join(map(str, numbers))}]" if numbers else ""

    return markers.BRACKETED.sub(replace, text), first


def _reference(c: Citation) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": c.source_id, "citation": c.citation or c.title}
    if c.url:
        ref["url"] = c.url
    return ref


def article_text(record: AnswerRecord, approval: Decision, publisher: str) -> str:
    """The article file: YAML front matter (status ``submitted``) and a direct-answer body."""
    body, cited = renumber(record.answer, record.citations)
    front = {
        "id": article_id(record.id),
        "title": record.standalone_question,
        "status": "submitted",
        "audience": record.audience,
        "last_updated": datetime.now(UTC).date().isoformat(),
        "question": record.standalone_question,
        "references": [_reference(c) for c in cited],
        "provenance": {
            "answer_id": record.id,
            "version": approval.version,
            "version_sha256": approval.version_sha256,
            "approved_by": approval.user,
            "approved_at": approval.at,
            "published_by": publisher,
        },
    }
    meta = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{meta}---\n## Direct answer\n{body.strip()}\n"


def _approval(store: AnswerStore, record: AnswerRecord) -> Decision:
    if record.review_status is not ReviewStatus.APPROVED:
        raise InvalidTransitionError(
            f"Only approved answers can be published; answer {record.id} is "
            f"{record.review_status.value}."
        )
    if record.refused or not record.citations:
        raise InvalidRequestError(
            f"Answer {record.id} cites no sources; there is nothing to publish."
        )
    return store.decisions(record.id, action="approve")[-1]


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)  # fails if the file exists: never overwrite an article
    except FileExistsError as exc:
        raise InvalidTransitionError(f"{path} already exists; answer already published?") from exc
    finally:
        tmp.unlink()


def publish(store: AnswerStore, answer_id: str, user: User, corpus_dir: Path) -> Path:
    """Write the approved answer as ``corpus_dir/articles/<id>.md`` (status submitted)."""
    user.require(Role.REVIEWER)
    record = store.get_answer(answer_id)
    approval = _approval(store, record)
    path = corpus_dir / "articles" / f"{article_id(answer_id)}.md"
    written = False
    try:
        with store.review() as review:
            if review.published(answer_id):
                raise InvalidTransitionError(f"Answer {answer_id} is already published.")
            _write_new(path, article_text(record, approval, user.name))
            written = True
            payload = {
                "article_id": article_id(answer_id),
                "path": str(path),
                "version": approval.version,
                "version_sha256": approval.version_sha256,
            }
            review.audit(
                at=utc_now(),
                actor=user.name,
                action="publish",
                answer_id=answer_id,
                payload=payload,
            )
    except BaseException:
        if written:  # the publication did not commit: take the file back
            path.unlink(missing_ok=True)
        raise
    return path
