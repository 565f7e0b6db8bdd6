"""The ``followup`` command: ingest, ask, chat, articles."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from assistant.config import Settings
from assistant.errors import FollowupError

if TYPE_CHECKING:
    from assistant.compose import Composed
    from assistant.index.indexer import IngestPlan, IngestReport

app = typer.Typer(
    help="Followup: cited, disclaimed, review-pending answers from an approved clinical corpus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ArticleOpt = Annotated[
    str | None, typer.Option("--article", help="Start from this approved article (its id).")
]
ConversationOpt = Annotated[
    str | None, typer.Option("--conversation", help="Continue this conversation (its id).")
]
AudienceOpt = Annotated[str, typer.Option("--audience", help="clinician or patient.")]


def _fail(exc: FollowupError) -> NoReturn:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def _is_whole_corpus(paths: list[Path] | None, settings: Settings) -> bool:
    """No PATHS, or exactly the configured corpus paths: an ingest of the whole corpus."""
    if not paths:
        return True
    return {p.resolve() for p in paths} == {p.resolve() for p in settings.corpus_paths}


def _show_plan(plan: IngestPlan) -> None:
    """Say what will be removed (and what is kept) before anything is written."""
    if plan.problems:
        typer.echo("the index needs repair: " + "; ".join(plan.problems))
    if plan.remove:
        typer.echo(f"will remove {len(plan.remove)} documents: {', '.join(plan.remove)}")
    if plan.keep:
        typer.echo(
            f"keeping {len(plan.keep)} indexed documents not under PATHS "
            "(ingest the whole corpus or pass --prune to remove them)"
        )


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Corpus files or folders (default: corpus/).")
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also remove indexed documents PATHS do not hold (implied for the whole corpus).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; write nothing.")
    ] = False,
) -> None:
    """Index the approved documents under PATHS; unchanged documents are not re-embedded.

    PATHS add or update their documents only; documents elsewhere stay indexed unless the
    whole corpus is ingested (no PATHS, or the configured corpus paths) or --prune is given.
    """
    from assistant.cli_evidence import after_ingest
    from assistant.index.embedder import MiniLMEmbedder, ensure_fast_embedder
    from assistant.index.indexer import ingest as run_ingest

    settings = Settings()
    embedder = MiniLMEmbedder(settings.index.embed_batch_size)
    recheck_failed: list[str] = []  # answers whose evidence changed are re-checked after it
    try:
        report = run_ingest(
            paths or settings.corpus_paths,
            settings.index_dir,
            embedder,
            settings.index,
            prune=prune or _is_whole_corpus(paths, settings),
            on_plan=_show_plan,
            dry_run=dry_run,
            after=after_ingest(settings, recheck_failed),
        )
        if not dry_run:  # answering then starts without importing torch
            ensure_fast_embedder(settings.index, embedder)
    except FollowupError as exc:
        _fail(exc)
    _show_report(report, dry_run)
    if recheck_failed:
        raise typer.Exit(1)


def _show_report(report: IngestReport, dry_run: bool) -> None:
    for error in report.errors:
        typer.secho(f"failed: {error}", err=True, fg=typer.colors.RED)
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", err=True, fg=typer.colors.YELLOW)
    for doc_id, status in report.skipped:
        typer.echo(f"skipped (status {status}, not approved): {doc_id}")
    if dry_run:
        typer.echo(f"dry run: would index {len(report.indexed)} documents; nothing written")
    else:
        typer.echo(
            f"indexed {len(report.indexed)} documents ({report.chunks_total} passages; "
            f"{report.chunks_embedded} embedded, {report.chunks_removed} removed), "
            f"removed {len(report.removed)} documents, "
            f"skipped {len(report.skipped)} not approved, failed {len(report.errors)} "
            f"in {report.seconds:.1f}s; corpus version {report.corpus_version}"
        )
    if report.repaired and not dry_run:
        typer.echo("repaired: " + "; ".join(report.repaired))
    if report.errors:
        raise typer.Exit(1)


def _composed() -> Composed:
    from assistant.compose import compose

    return compose(Settings())


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer record as JSON.")
    ] = False,
    article: ArticleOpt = None,
    conversation: ConversationOpt = None,
    audience: AudienceOpt = "clinician",
) -> None:
    """Answer one question from the approved corpus (stored pending human review)."""
    from assistant.cli_stream import stream_to_terminal
    from assistant.pipeline import Ask, answer

    asked = Ask(question, conversation_id=conversation, article_id=article, audience=audience)
    try:
        pipeline = _composed().pipeline
        if not as_json:  # text is streamed as it is generated, then the verified answer
            stream_to_terminal(pipeline, asked)
            return
        record = answer(pipeline, asked)
    except FollowupError as exc:
        _fail(exc)
    typer.echo(record.model_dump_json(indent=2))


def _check_start(composed: Composed, article: str | None, conversation: str | None) -> None:
    """Refuse an unknown article or conversation before any question is read."""
    from assistant.errors import NotFoundError

    if article is not None:
        doc = composed.catalog.document(article)
        if doc is None or not doc.is_article:
            raise NotFoundError(
                f"No approved article {article!r}; list articles with `followup articles`."
            )
    if conversation is not None:
        composed.store.get_conversation(conversation)


@app.command()
def chat(
    article: ArticleOpt = None,
    conversation: ConversationOpt = None,
    audience: AudienceOpt = "clinician",
) -> None:
    """A conversation on the terminal: follow-ups are understood in context. Ctrl-D ends it.

    A question that fails is reported and the conversation goes on; the command then exits 2.
    """
    from assistant.cli_stream import stream_to_terminal
    from assistant.pipeline import Ask

    try:
        composed = _composed()
        _check_start(composed, article, conversation)
    except FollowupError as exc:
        _fail(exc)
    from assistant.safe_text import reconfigure_stdin

    reconfigure_stdin()  # undecodable bytes are refused per line, not a traceback
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Ask a question (Ctrl-D to finish).")
    failed = 0
    while True:
        if interactive:
            typer.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        try:
            asked = Ask(line, conversation_id=conversation, article_id=article, audience=audience)
            record = stream_to_terminal(composed.pipeline, asked)
        except FollowupError as exc:
            typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
            failed += 1
            continue
        conversation = record.conversation_id
        typer.echo("")
    if conversation:
        typer.echo(f"conversation {conversation}")
    if failed:
        typer.secho(f"error: {failed} question(s) failed (see above)", err=True, fg="red")
        raise typer.Exit(2)


@app.command()
def articles() -> None:
    """List the approved articles a conversation can start from."""
    try:
        catalog = _composed().catalog
    except FollowupError as exc:
        _fail(exc)
    from assistant.safe_text import terminal_safe

    for doc in catalog.articles():
        typer.echo(terminal_safe(f"{doc.id}\t{doc.title}"))


import assistant.cli_evidence  # noqa: E402  (registers `review recheck`, `export-cases`)
from assistant.cli_review import review_app  # noqa: E402
from assistant.cli_users import users_app  # noqa: E402

app.add_typer(users_app, name="users")
app.add_typer(review_app, name="review")


import assistant.cli_eval  # noqa: E402, F401  (registers `followup eval`)
from assistant import cli_serve  # noqa: E402, F401  (registers `followup serve`)


def main() -> None:
    # Everything followup writes (answer store, index, catalog, keys) is private to this
    # account: questions and answers are clinical data.
    os.umask(0o077)
    app()


if __name__ == "__main__":
    # Run as `python -m assistant.cli`, this file is `__main__`, while `eval` and `serve` are
    # registered on the app of the imported `assistant.cli`: run that one.
    from assistant.cli import main as main_with_every_command

    main_with_every_command()
