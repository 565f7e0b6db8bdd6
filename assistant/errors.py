"""One exception tree for the whole library.

Every error carries a message that tells the user what to do next. Third-party errors are
translated into these once, at the boundary where they happen (``raise ... from exc``).

The tree has a few categories (the classes in ``CATEGORIES``): bad request, not found,
conflict, unauthorised, forbidden, rate-limited, unavailable, upstream model failure. Every
error belongs to one of them and carries the HTTP status a server answers it with
(``status``) and, where waiting helps, how many seconds to wait (``retry_after``). The server
maps errors with one generic handler (``server.errors``), the CLI maps categories to exit
codes in one table (``assistant.cli.exits``); neither lists the classes below one by one.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar


class FollowupError(Exception):
    """Base class of every error this library raises on purpose.

    Raised bare, it is a request that cannot be served as sent: a 400, never a 500.
    """

    status: ClassVar[int] = 400
    """The HTTP status of a response carrying this error."""
    retry_after: int | None = None
    """Seconds after which the same request may succeed (a ``Retry-After`` header); None when
    waiting does not help."""


# The categories. A subclass may refine ``status`` (422 for malformed input) but stays in its
# category, which decides what a caller does about it (fix the input, wait, sign in...).


class BadRequestError(FollowupError):
    """The input cannot be served as sent; fixing it is the caller's job."""

    status = 400


class NotFoundError(FollowupError):
    """A requested record (answer, conversation, article) does not exist."""

    status = 404


class ConflictError(FollowupError):
    """The change conflicts with the state it would apply to; re-read, then decide again."""

    status = 409


class UnauthorisedError(FollowupError):
    """No valid credentials were presented."""

    status = 401


class ForbiddenError(FollowupError):
    """The credentials are valid but the user's role does not allow this operation."""

    status = 403


class RateLimitedError(FollowupError):
    """Too many requests from one user; ``retry_after`` says how many seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class UnavailableError(FollowupError):
    """A part the request needs (index, store, configuration, a slot) cannot serve it now."""

    status = 503


class UpstreamModelError(FollowupError):
    """The language model behind an answer failed or answered unusably."""

    status = 502


CATEGORIES: tuple[type[FollowupError], ...] = (
    BadRequestError,
    NotFoundError,
    ConflictError,
    UnauthorisedError,
    ForbiddenError,
    RateLimitedError,
    UnavailableError,
    UpstreamModelError,
)


def category(exc: FollowupError) -> type[FollowupError]:
    """The category ``exc`` belongs to; ``FollowupError`` itself for a bare one."""
    for cls in type(exc).__mro__:
        if cls in CATEGORIES:
            return cls
    return FollowupError


# The errors raised by name, each in its category.


class ConfigError(UnavailableError):
    """A setting is missing or invalid."""


class CorpusError(BadRequestError):
    """A corpus file is malformed. Names the file and, where known, the line or field."""

    status = 422

    def __init__(
        self, path: Path | str, problem: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.problem = problem
        where = self.path
        if line is not None:
            where += f":{line}"
        if field is not None:
            where += f" (field '{field}')"
        super().__init__(f"{where}: {problem}")


class IndexNotReadyError(UnavailableError):
    """The search index has not been built yet."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"No search index at {index_dir}. Run `followup ingest` first to index the corpus."
        )


class EvalDataError(BadRequestError):
    """An eval case file or dataset config is malformed. Names the file and the line."""


class InvalidRequestError(BadRequestError):
    """A request is malformed: empty question, question too long, unknown option."""

    status = 422


class StoreError(UnavailableError):
    """The answer store could not complete an operation."""


class StoreConflictError(ConflictError, StoreError):
    """The store refused a change that conflicts with what it holds (a duplicate, a constraint).

    A conflict first (409), and a StoreError still for code that handles every store failure.
    """


class InvalidTransitionError(ConflictError):
    """A review action the answer's current state does not allow (e.g. approving a rejected one)."""


class AuditError(UnavailableError):
    """The audit trail cannot be written or checked (e.g. its HMAC key file is unusable)."""


class GenerationError(UpstreamModelError):
    """An answer generator failed; callers fall back to the extractive generator."""


class AuthenticationError(UnauthorisedError):
    """No valid credentials were presented."""


class PermissionDeniedError(ForbiddenError):
    """The user's role does not allow this operation."""


class BusyError(UnavailableError):
    """Every generation slot stayed busy; the request can be retried shortly."""

    retry_after = 2
