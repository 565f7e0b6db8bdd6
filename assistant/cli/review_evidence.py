"""``followup review recheck`` and ``followup review export-cases``, and the re-check that
``followup ingest`` runs once its new generation is served.

The re-check needs no API key: like ingest it is run by whoever operates the deployment, and
it decides nothing a reviewer must (it only puts answers back in the queue). The export writes
questions and answers out of the store, so it needs a reviewer's key and writes a 0600 file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.context import reviewer_session, served_catalog
from assistant.config import Settings
from assistant.errors import FollowupError

if TYPE_CHECKING:
    from assistant.index.base import Catalog
    from assistant.review.recheck import RecheckReport

app = typer.Typer()


def show_recheck(report: RecheckReport) -> None:
    """What the re-check did, in a few lines."""
    states = ", ".join(f"{n} {state}" for state, n in sorted(report.states.items())) or "none"
    typer.echo(
        f"re-checked {report.checked} answers whose evidence changed ({states}); "
        f"{report.requeued} approved answers back in the review queue; "
        f"in {report.seconds:.1f}s against corpus version {report.corpus_version}"
    )
    if report.fingerprinted:
        typer.echo(f"fingerprinted {report.fingerprinted} answers stored before fingerprints")
    for article in report.published:
        typer.secho(
            f"published article {article} was built from an answer whose evidence changed: "
            "review the article too",
            fg=typer.colors.YELLOW,
        )
    if report.skipped:
        typer.echo(f"{report.skipped} answers changed while being re-checked; left for next time")


def run_recheck(settings: Settings, catalog: Catalog) -> RecheckReport:
    """Re-check the store named by ``settings`` against ``catalog``."""
    from assistant.review.recheck import recheck
    from assistant.review.store import AnswerStore

    store = AnswerStore.from_settings(settings)
    try:
        return recheck(store, catalog, min_support=settings.llm.min_support)
    finally:
        store.close()


def after_ingest(settings: Settings, failed: list[str]) -> Callable[[Catalog], None]:
    """The hook ``followup ingest`` runs with the generation it serves: the re-check. A failure
    is reported (in ``failed``) without undoing the ingest; the next ingest resumes."""

    def hook(catalog: Catalog) -> None:
        try:
            show_recheck(run_recheck(settings, catalog))
        except FollowupError as exc:
            failed.append(str(exc))
            typer.secho(
                f"error: the re-check of answers did not finish: {exc} — run `followup ingest` "
                "again or `followup review recheck` to resume it",
                err=True,
                fg=typer.colors.RED,
            )

    return hook


@app.command("recheck")
def recheck_command() -> None:
    """Re-check answers whose cited evidence differs from the index now served (also run by
    every `followup ingest`); resumes an interrupted re-check."""
    from assistant.errors import IndexNotReadyError

    settings = Settings()
    catalog = served_catalog(settings)
    if catalog is None:
        raise IndexNotReadyError(settings.index_dir)
    report = run_recheck(settings, catalog)
    show_recheck(report)


@app.command("export-cases")
def export_cases(
    out: Annotated[Path, typer.Argument(help="Eval cases file to write (JSONL).")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N answers.")] = 10_000,
) -> None:
    """Write approved answers as regression cases and rejected ones as must-not cases, in the
    format `followup eval` reads (the file holds questions and answers: it is made 0600)."""
    from assistant.review.cases import export

    store, _ = reviewer_session()
    counts = export(store, out, limit=limit)
    typer.echo(
        f"wrote {counts['approved']} regression cases (approved answers) and "
        f"{counts['rejected']} must-not cases (rejected answers) to {out}; "
        f"run them with `followup eval {out}`"
    )
