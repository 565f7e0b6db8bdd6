"""The ``followup`` command, put together from its groups, in the order ``--help`` lists them.

Each group is a Typer app in its own module that imports nothing from this one, so there is
no import cycle: this module is the only place that knows them all.
"""

from __future__ import annotations

import os

import typer

from assistant.cli import answers, corpus, evaluate, review, review_evidence, serve, users
from assistant.cli.exits import Commands

app = typer.Typer(
    cls=Commands,
    help="Followup: cited, disclaimed, review-pending answers from an approved clinical corpus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(corpus.app)  # ingest
app.add_typer(answers.app)  # ask, chat, articles
app.add_typer(evaluate.app)  # eval
app.add_typer(serve.app)  # serve
app.add_typer(
    users.app,
    name="users",
    help="People who use the assistant and their roles.",
    no_args_is_help=True,
)
review_app = typer.Typer(
    help="Review answers: queue, approve, edit, reject, comment, publish, verify the audit.",
    no_args_is_help=True,
)
review_app.add_typer(review.app)  # list, show, approve, reject, edit, comment, publish, verify
review_app.add_typer(review_evidence.app)  # recheck, export-cases
app.add_typer(review_app, name="review")


def main() -> None:
    """The ``followup`` entry point."""
    # Everything followup writes (answer store, index, catalog, keys) is private to this
    # account: questions and answers are clinical data.
    os.umask(0o077)
    app()
