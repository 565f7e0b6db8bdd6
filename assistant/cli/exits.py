"""What the ``followup`` command exits with, decided here and nowhere else.

- ``OK`` (0): done.
- ``CHECK_FAILED`` (1): the command ran, and what it checked failed: a threshold of
  ``followup eval``, the audit chain of ``followup review verify``, a corpus file or the
  re-check of ``followup ingest``.
- ``ERROR`` (2): the command could not do what was asked: a usage error (click's own code) or a
  library error, reported as ``error: <message>`` on stderr, never as a traceback.

A library error exits with the code of its category (``assistant.errors.CATEGORIES``); every
category is an error today, so all of them exit 2, but a script may be told apart by category
later by changing one line of ``EXIT_CODES``.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from assistant import errors

OK = 0
CHECK_FAILED = 1
ERROR = 2

EXIT_CODES: dict[type[errors.FollowupError], int] = {
    errors.BadRequestError: ERROR,
    errors.NotFoundError: ERROR,
    errors.ConflictError: ERROR,
    errors.UnauthorisedError: ERROR,
    errors.ForbiddenError: ERROR,
    errors.RateLimitedError: ERROR,
    errors.UnavailableError: ERROR,
    errors.UpstreamModelError: ERROR,
    errors.FollowupError: ERROR,  # raised bare, in no category
}


def exit_code(exc: errors.FollowupError) -> int:
    """The exit code for ``exc``, by its category."""
    return EXIT_CODES[errors.category(exc)]


def report(exc: errors.FollowupError) -> None:
    """Say what went wrong, on stderr, without exiting (e.g. one failed question in a chat)."""
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)


def fail(exc: errors.FollowupError) -> NoReturn:
    """Report ``exc`` and exit with its category's code."""
    report(exc)
    raise typer.Exit(exit_code(exc))


class Commands(TyperGroup):
    """A command group that turns a library error raised by any command under it into
    ``fail``: commands call the library and leave the reporting to this one place."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except errors.FollowupError as exc:
            fail(exc)
