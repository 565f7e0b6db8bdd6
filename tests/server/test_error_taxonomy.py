"""Every library error answered by the server's one generic handler: the HTTP status its class
carries, its name and message, Retry-After where waiting helps, WWW-Authenticate on a 401."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import errors
from assistant.index.postgres import PgIndexNotReadyError
from assistant.index.postgres_conn import PgIndexUnavailableError
from server import errors as server_errors

# What each error answered before the taxonomy, written out by hand so a class that moves
# category (or a category that changes status) fails here.
STATUS = {
    errors.FollowupError: 400,
    errors.EvalDataError: 400,
    errors.InvalidRequestError: 422,
    errors.CorpusError: 422,
    errors.NotFoundError: 404,
    errors.StoreConflictError: 409,
    errors.InvalidTransitionError: 409,
    errors.AuthenticationError: 401,
    errors.PermissionDeniedError: 403,
    errors.RateLimitedError: 429,
    errors.BusyError: 503,
    errors.IndexNotReadyError: 503,
    PgIndexNotReadyError: 503,
    PgIndexUnavailableError: 503,
    errors.StoreError: 503,
    errors.ConfigError: 503,
    errors.AuditError: 503,
    errors.GenerationError: 502,
}


def _make(cls: type[errors.FollowupError]) -> errors.FollowupError:
    if issubclass(cls, errors.CorpusError):
        return cls("corpus/a.md", "no title", line=3)
    if cls is errors.IndexNotReadyError:
        return cls(Path("/data/index"))
    if issubclass(cls, errors.RateLimitedError):
        return cls("Slow down.", retry_after=17)
    return cls(f"{cls.__name__} happened.")


def _everything() -> set[type[errors.FollowupError]]:
    found: set[type[errors.FollowupError]] = set()
    todo: list[type[errors.FollowupError]] = [errors.FollowupError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("assistant."):  # not a test's own subclass
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    server_errors.install(app)

    @app.get("/raise/{name}")
    async def _raise(name: str) -> None:
        raise _make(next(c for c in STATUS if c.__name__ == name))

    return TestClient(app)


@pytest.mark.parametrize("cls", list(STATUS), ids=lambda c: c.__name__)
def test_each_error_keeps_its_status_message_and_headers(
    client: TestClient, cls: type[errors.FollowupError]
) -> None:
    exc = _make(cls)
    response = client.get(f"/raise/{cls.__name__}")
    assert response.status_code == STATUS[cls] == exc.status
    assert response.json() == {"error": {"type": cls.__name__, "message": str(exc)}}
    retry = {errors.RateLimitedError: "17", errors.BusyError: "2"}.get(cls)
    assert response.headers.get("Retry-After") == retry
    challenge = 'Bearer realm="followup"' if STATUS[cls] == 401 else None
    assert response.headers.get("WWW-Authenticate") == challenge


def test_every_error_class_has_a_category_and_a_pinned_status() -> None:
    for cls in _everything() - {errors.FollowupError, *errors.CATEGORIES}:
        if cls.__name__.startswith("_"):  # a private refinement of a pinned class
            continue
        assert cls in STATUS, f"{cls.__name__}: pin its status in STATUS"
        assert errors.category(_make(cls)) in errors.CATEGORIES, cls.__name__
        assert 400 <= cls.status < 600 and cls.status != 500, cls.__name__


def test_categories_say_what_a_caller_does_next() -> None:
    assert errors.category(errors.StoreConflictError("dup")) is errors.ConflictError
    assert isinstance(errors.StoreConflictError("dup"), errors.StoreError)  # store handlers
    assert errors.category(errors.BusyError("busy")) is errors.UnavailableError
    assert errors.category(errors.GenerationError("bad")) is errors.UpstreamModelError
    assert errors.category(errors.FollowupError("bare")) is errors.FollowupError
    assert errors.RateLimitedError("wait", retry_after=5).retry_after == 5
    assert errors.NotFoundError("gone").retry_after is None
