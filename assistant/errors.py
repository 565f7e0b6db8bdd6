"""One exception tree for the whole library.

Every error carries a message that tells the user what to do next. Third-party errors are
translated into these once, at the boundary where they happen (``raise ... from exc``).
"""

from __future__ import annotations

from pathlib import Path


class FollowupError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigError(FollowupError):
    """A setting is missing or invalid."""


class CorpusError(FollowupError):
    """A corpus file is malformed. Names the file and, where known, the line or field."""

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


class IndexNotReadyError(FollowupError):
    """The search index has not been built yet."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"No search index at {index_dir}. Run `followup ingest` first to index the corpus."
        )


class EvalDataError(FollowupError):
    """An eval case file or dataset config is malformed. Names the file and the line."""


class NotFoundError(FollowupError):
    """A requested record (answer, conversation, article) does not exist."""


class InvalidRequestError(FollowupError):
    """A request is malformed: empty question, question too long, unknown option."""


class StoreError(FollowupError):
    """The answer store could not complete an operation."""


class StoreConflictError(StoreError):
    """The store refused a change that conflicts with what it holds (a duplicate, a constraint)."""


class InvalidTransitionError(FollowupError):
    """A review action the answer's current state does not allow (e.g. approving a rejected one)."""


class AuditError(FollowupError):
    """The audit trail cannot be written or checked (e.g. its HMAC key file is unusable)."""


class GenerationError(FollowupError):
    """An answer generator failed; callers fall back to the extractive generator."""


class AuthenticationError(FollowupError):
    """No valid credentials were presented."""


class PermissionDeniedError(FollowupError):
    """The user's role does not allow this operation."""


class RateLimitedError(FollowupError):
    """Too many requests from one user; ``retry_after`` says how many seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class BusyError(FollowupError):
    """Every generation slot stayed busy; the request can be retried shortly."""
