"""Publishing an approved answer (or its edited version) as a `submitted` corpus article."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InvalidTransitionError, PermissionDeniedError
from assistant.ingest.articles import read_article
from assistant.models import AnswerRecord
from assistant.review import workflow
from assistant.review.publish import publish
from assistant.review.store import AnswerStore
from assistant.review.users import User
from tests.support.records import seen


def test_only_approved_answers_are_published(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord, tmp_path: Path
) -> None:
    with pytest.raises(InvalidTransitionError, match="is pending_review"):
        publish(store, answer.id, people["rita"], tmp_path)
    workflow.reject(store, answer.id, people["rita"], **seen(store, answer.id), reason="wrong dose")
    with pytest.raises(InvalidTransitionError, match="is rejected"):
        publish(store, answer.id, people["rita"], tmp_path)
    assert not (tmp_path / "articles").exists()


def test_the_edited_version_is_published_citing_its_sources(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord, tmp_path: Path
) -> None:
    text = "A 50 mg dose blocks the effects of 25 mg IV heroin for up to 24 hours [2]."
    workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=text)
    workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id))
    with pytest.raises(PermissionDeniedError):
        publish(store, answer.id, people["cleo"], tmp_path)
    path = publish(store, answer.id, people["rita"], tmp_path)
    article = read_article(path)
    assert (article.status, article.title) == ("submitted", answer.standalone_question)
    assert article.text == "## Direct answer\n" + text.replace("[2]", "[1]")
    assert [(r.id, r.url) for r in article.references] == [
        ("fda-label-naltrexone", "https://example.org/revia")
    ]
    assert article.metadata["question"] == answer.standalone_question
    last = workflow.detail(store, answer.id).audit[-1]
    assert (last.action, last.actor, last.payload["version"]) == ("publish", "rita", 2)
    assert workflow.verify_audit(store, store.audit_key()).ok
    with pytest.raises(InvalidTransitionError, match="already published"):
        publish(store, answer.id, people["rita"], tmp_path)
