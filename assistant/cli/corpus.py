"""``followup ingest``: index the approved corpus, then re-check the answers it changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.exits import CHECK_FAILED
from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.index.indexer import IngestPlan, IngestReport

app = typer.Typer()


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
    from assistant.cli.review_evidence import after_ingest
    from assistant.index.embedder import MiniLMEmbedder, ensure_fast_embedder
    from assistant.index.indexer import ingest as run_ingest

    settings = Settings()
    embedder = MiniLMEmbedder(settings.index.embed_batch_size)
    recheck_failed: list[str] = []  # answers whose evidence changed are re-checked after it
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
    _show_report(report, dry_run)
    if recheck_failed:
        raise typer.Exit(CHECK_FAILED)


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
        raise typer.Exit(CHECK_FAILED)
