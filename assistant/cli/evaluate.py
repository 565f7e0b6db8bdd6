"""``followup eval``: score retrieval, answers, refusals and latency on a set of eval cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli.exits import CHECK_FAILED, ERROR
from assistant.config import Settings

app = typer.Typer()


@app.command("eval")
def eval_cases(
    cases: Annotated[
        Path | None, typer.Argument(help="Eval cases, JSONL (format in DESIGN.md).")
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus", help="Corpus file or folder to index (repeatable; default corpus/)."
        ),
    ] = None,
    index: Annotated[
        Path | None,
        typer.Option("--index", help="Index folder to build or reuse (default OUT/index)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default evals/out/<cases name>).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Dataset config JSON with thresholds.")
    ] = None,
    minimum: Annotated[
        list[str] | None,
        typer.Option("--min", help="Threshold METRIC=VALUE, e.g. ndcg@10=0.8 (repeatable)."),
    ] = None,
    max_p95: Annotated[
        list[str] | None,
        typer.Option("--max-p95", help="Latency bound STAGE=MS on the p95 (repeatable)."),
    ] = None,
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="Score retrieval only; generate no answers.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Run the first N cases.")
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            "--claims",
            help="Claims JSONL: score the verifier (keep_rate, catch_rate) instead of CASES.",
        ),
    ] = None,
    judge: Annotated[
        bool,
        typer.Option("--judge", help="With --claims: also ask the configured model to judge."),
    ] = False,
) -> None:
    """Run CASES through the answer pipeline; exit 1 when a metric is under its threshold.

    With --claims FILE, run each claim sentence through the verifier against the passages it
    cites instead (thresholds: --min keep_rate=0.9 --min catch_rate=0.95)."""
    if claims is not None:
        _eval_claims(claims, corpus, out, minimum, limit, judge)
        return
    if cases is None:
        typer.secho("error: give CASES or --claims FILE", err=True, fg=typer.colors.RED)
        raise typer.Exit(ERROR)
    from assistant.index.embedder import MiniLMEmbedder
    from evals.cases import DatasetConfig, load_cases, load_config, parse_threshold
    from evals.session import EvalOptions, run_eval

    settings = Settings()
    loaded = load_cases(cases)[:limit]
    dataset = load_config(config) if config else DatasetConfig(name=cases.stem)
    dataset.thresholds.update(parse_threshold(t) for t in minimum or [])
    dataset.max_p95_ms.update(parse_threshold(t) for t in max_p95 or [])
    options = EvalOptions(
        corpus=corpus or settings.corpus_paths,
        out=out or Path("evals") / "out" / cases.stem,
        index=index,
        retrieval_only=retrieval_only or dataset.retrieval_only,
        dataset=dataset.name or cases.stem,
    )
    embedder = MiniLMEmbedder(settings.index.embed_batch_size)
    report = run_eval(loaded, dataset, options, settings, embedder)
    _summary(report)
    typer.echo(f"report: {options.out / 'report.md'}")
    if report["errors"]:  # a case that failed to run fails the run, thresholds or not
        typer.secho(f"error: {report['errors']} case(s) failed to run", err=True, fg="red")
        raise typer.Exit(CHECK_FAILED)
    if not report["passed"]:
        raise typer.Exit(CHECK_FAILED)


def _eval_claims(
    path: Path,
    corpus: list[Path] | None,
    out: Path | None,
    minimum: list[str] | None,
    limit: int | None,
    judge: bool,
) -> None:
    from evals.cases import parse_threshold
    from evals.claims import corpus_passages, load_claims, run_claims, write_report

    settings = Settings()
    target = out or Path("evals") / "out" / path.stem
    loaded = load_claims(path)[:limit]
    thresholds = dict(parse_threshold(t) for t in minimum or [])
    passages = corpus_passages(corpus or settings.corpus_paths, settings)
    judged = _judge(settings) if judge or settings.llm.judge else None
    report = run_claims(loaded, passages, settings.llm.min_support, thresholds, judged)
    write_report(report, target)
    _claims_summary(report)
    typer.echo(f"report: {target / 'report.md'}")
    if not report["passed"]:
        raise typer.Exit(CHECK_FAILED)


def _judge(settings: Settings) -> Any:
    from assistant.generate.model_parts import openai_client
    from assistant.judge import model_judge

    return model_judge(openai_client(settings), settings)


def _claims_summary(report: dict[str, Any]) -> None:
    typer.echo(f"{report['claims']} claims ({report['supported']} supported)")
    for name in ("keep_rate", "catch_rate"):
        value = report[name]
        typer.echo(f"{name}={'n/a' if value is None else f'{value:.3f}'}")
    for check in report["thresholds"]:
        mark = "ok  " if check["passed"] else "FAIL"
        value = "n/a" if check["value"] is None else f"{check['value']:.3f}"
        typer.echo(f"{mark} {check['metric']} = {value}")


def _summary(report: dict[str, object]) -> None:
    from evals.report import flatten

    flat = flatten(report)
    shown = ("ndcg@10", "mrr@10", "recall@10", "p@5", "bm25.ndcg@10", "dense.ndcg@10")
    typer.echo(f"{report['cases']} cases, {report['errors']} errors")
    typer.echo("  ".join(f"{k}={flat[k]:.3f}" for k in shown if flat.get(k) is not None))
    reviewed: Any = report.get("reviewed") or {}
    if reviewed.get("approved_cases") or reviewed.get("rejected_cases"):
        typer.echo(
            f"approved answers still given: {reviewed['approved_still_given']} of "
            f"{reviewed['approved_cases']}; rejected sentences reappearing: "
            f"{reviewed['rejected_reappeared']} of {reviewed['rejected_cases']}"
        )
    for check in report["thresholds"]:  # type: ignore[attr-defined]
        mark = "ok  " if check["passed"] else "FAIL"
        value = "n/a" if check["value"] is None else f"{check['value']:.3f}"
        typer.echo(f"{mark} {check['metric']} = {value}")
