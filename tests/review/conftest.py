"""Fixtures for the review tests: a real on-disk store, users of each role, stored answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.models import AnswerRecord
from assistant.review.store import AnswerStore
from assistant.review.users import User, add_user
from tests.support.pg_server import pg_url  # noqa: F401  (the PostgreSQL server fixture)
from tests.support.records import BACKENDS, open_backend, save_answer


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnswerStore]:
    """The same contract runs on every backend."""
    s = open_backend(request.param, tmp_path, request)
    yield s
    s.close()


@pytest.fixture
def people(store: AnswerStore) -> dict[str, User]:
    made = {}
    for name, role in [
        ("rita", "reviewer"),
        ("rob", "reviewer"),
        ("dr.asker", "reviewer"),
        ("cleo", "clinician"),
        ("ada", "admin"),
    ]:
        made[name], _ = add_user(store, name, role)
    return made


@pytest.fixture
def answer(store: AnswerStore) -> AnswerRecord:
    return save_answer(store)
