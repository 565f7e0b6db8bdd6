"""The report as files: report.json, a readable report.md and a per-case plot (per_case.svg)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.report import FORM, RETRIEVAL_METRICS


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_markdown(report: Mapping[str, Any]) -> str:
    """A readable summary: headline metrics, thresholds, latency and the weakest cases."""
    lines = [f"# Eval report: {report.get('dataset', '')}", ""]
    lines += [f"- cases: {report['cases']} (errors: {report['errors']})"]
    lines += [f"- corpus version: {report.get('corpus_version', '')}", ""]
    lines += ["## Retrieval (source level)", "", "| | " + " | ".join(RETRIEVAL_METRICS) + " |"]
    lines += ["|---" * (len(RETRIEVAL_METRICS) + 1) + "|"]
    for variant, values in report["retrieval"].items():
        row = " | ".join(_fmt(values.get(m)) for m in RETRIEVAL_METRICS)
        lines.append(f"| {variant} | {row} |")
    answers = report["answers"]
    lines += ["", "## Answers", ""]
    for name, value in answers["compliance"].items():
        lines.append(f"- {name}: {_fmt(value)}")
    lines.append(
        f"- refusal accuracy: {_fmt(answers['refusal_accuracy'])} "
        f"({answers['refusal_cases']} must-refuse cases); "
        f"false refusals: {_fmt(answers['false_refusal_rate'])}"
    )
    lines.append(
        f"- decision accuracy: {_fmt(answers['decision_accuracy'])} "
        f"(stated in {_fmt(answers['decision_stated_share'])} of {answers['decision_cases']})"
    )
    lines += _outcome_lines(report.get("outcomes", {}), report["per_case"])
    lines += _reviewed_lines(report.get("reviewed", {}))
    lines += _parts_lines(report.get("parts", {}), report["per_case"])
    lines += _form_lines(report.get("form", {}))
    lines += ["", "## Latency (ms)", "", "| stage | p50 | p95 | n |", "|---|---|---|---|"]
    for stage, values in report["latency_ms"].items():
        lines.append(
            f"| {stage} | {_fmt(values['p50'], 1)} | {_fmt(values['p95'], 1)} | {values['n']:.0f} |"
        )
    lines += ["", "## Thresholds", ""]
    for c in report["thresholds"]:
        bound = f">= {c['min']}" if "min" in c else f"<= {c['max']}"
        mark = "pass" if c["passed"] else "FAIL"
        lines.append(f"- {mark}: {c['metric']} = {_fmt(c['value'])} (needs {bound})")
    lines += ["", f"**{'PASSED' if report['passed'] else 'FAILED'}**", ""]
    lines += _weakest(report["per_case"])
    lines += ["", "![per-case nDCG@10](per_case.svg)", ""]
    return "\n".join(lines)


def _outcome_lines(outcomes: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Answered right / declined right, coverage and the per-kind table (when scored)."""
    if not outcomes or not (outcomes["answered_right_cases"] or outcomes["declined_right_cases"]):
        return []
    lines = ["", "## Answered right / declined right", ""]
    lines.append(
        f"- answered right: {_fmt(outcomes['answered_right'])} of "
        f"{outcomes['answered_right_cases']} answerable cases (key fact present: "
        f"{_fmt(outcomes['key_fact'])}, relevant source cited: "
        f"{_fmt(outcomes['relevant_cited'])}, declined: {_fmt(outcomes['declined_answerable'])})"
    )
    lines.append(
        f"- declined right: {_fmt(outcomes['declined_right'])} of "
        f"{outcomes['declined_right_cases']} must-decline cases"
    )
    for group, counts in outcomes["coverage"].items():
        shown = ", ".join(f"{level} {n}" for level, n in counts.items())
        lines.append(f"- coverage ({group}): {shown}")
    lines += ["", "| kind | cases | answered right | declined right |", "|---|---|---|---|"]
    for kind, v in outcomes["by_kind"].items():
        lines.append(
            f"| {kind} | {v['cases']} | {_fmt(v['answered_right'])} | {_fmt(v['declined_right'])} |"
        )
    return lines + _missed(rows)


def _reviewed_lines(reviewed: Mapping[str, Any]) -> list[str]:
    if not reviewed.get("approved_cases") and not reviewed.get("rejected_cases"):
        return []
    lines = ["", "## Reviewers' decisions", ""]
    lines.append(
        f"- approved answers the build still gives: {reviewed['approved_still_given']} of "
        f"{reviewed['approved_cases']}"
    )
    lines.append(
        f"- rejected sentences that reappear: {reviewed['rejected_reappeared']} of "
        f"{reviewed['rejected_cases']} rejected answers"
        + (f" ({', '.join(reviewed['reappeared_ids'])})" if reviewed["reappeared_ids"] else "")
    )
    return lines


def _parts_lines(parts: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Multi-part cases: parts right, cases with every part right, and the misses."""
    if not parts or not parts.get("cases"):
        return []
    lines = ["", "## Multi-part questions", ""]
    lines.append(
        f"- every part answered right or named not covered: {_fmt(parts['all_parts_right'])} "
        f"of {parts['cases']} cases; parts right: {_fmt(parts['part_right'])} of "
        f"{parts['parts']}; a relevant source cited: {_fmt(parts['relevant_cited'])}"
    )
    missed = [
        r
        for r in rows
        if r.get("parts") is not None and r["outcome"].get("all_parts_right") is False
    ]
    for r in missed:
        wrong = [str(i + 1) for i, ok in enumerate(r["parts"]) if not ok] or ["all"]
        lines.append(f"- `{r['id']}` parts {', '.join(wrong)} wrong: {r['question'][:90]}")
    return lines


def _form_lines(form: Mapping[str, Any]) -> list[str]:
    """The form checks over every answer: counts by kind and examples."""
    if not form or not form.get("answers_checked"):
        return []
    counts = ", ".join(f"{name.replace('_', ' ')} {form[name]}" for name in FORM)
    lines = ["", "## Answer form", "", f"- {form['answers_checked']} answers checked: {counts}"]
    lines += [f"- {example}" for example in form.get("examples", [])]
    return lines


def _missed(rows: Sequence[Mapping[str, Any]], n: int = 40) -> list[str]:
    """Answerable cases not answered right, each with the part that failed."""
    missed = [r for r in rows if r["outcome"].get("answered_right") is False]
    if not missed:
        return []
    lines = ["", "### Answerable cases not answered right", ""]
    for r in missed[:n]:
        o = r["outcome"]
        why = "declined" if o.get("declined") else "no key fact" if not o["key_fact"] else ""
        why = why or "no relevant source cited"
        lines.append(f"- `{r['id']}` ({r['kind']}, {why}): {r['question'][:90]}")
    return lines


def _weakest(rows: Sequence[Mapping[str, Any]], n: int = 15) -> list[str]:
    scored = [r for r in rows if r["retrieval"]]
    worst = sorted(scored, key=lambda r: r["retrieval"]["final"]["ndcg@10"])[:n]
    failed = [
        r
        for r in rows
        if r["must_refuse"] and r["refused"] is False and r.get("coverage") != "none"
    ]
    lines = ["## Weakest cases (final nDCG@10)", ""]
    lines += [
        f"- `{r['id']}` {r['retrieval']['final']['ndcg@10']:.2f}: {r['question'][:90]}"
        for r in worst
    ]
    if failed:
        lines += ["", "## Must-refuse cases that were answered", ""]
        lines += [f"- `{r['id']}`: {r['question'][:90]}" for r in failed]
    return lines


def per_case_svg(rows: Sequence[Mapping[str, Any]], width: int = 800, height: int = 200) -> str:
    """Per-case final nDCG@10 as sorted bars (no plotting library needed)."""
    values = sorted(r["retrieval"]["final"]["ndcg@10"] for r in rows if r["retrieval"])
    bars = []
    if values:
        step = width / len(values)
        for i, v in enumerate(values):
            h = v * (height - 20)
            bars.append(
                f'<rect x="{i * step:.2f}" y="{height - h:.2f}" width="{max(step, 0.5):.2f}" '
                f'height="{h:.2f}" fill="#4a7"/>'
            )
    title = f"per-case nDCG@10, sorted ({len(values)} cases)"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<text x="4" y="14" font-size="12">{title}</text>{"".join(bars)}</svg>'
    )


def write_report(report: Mapping[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (out / "per_case.svg").write_text(per_case_svg(report["per_case"]), encoding="utf-8")
