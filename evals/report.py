"""Aggregate case results into report.json and a readable report.md (with a per-case plot)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.answer_form import FRAGMENT, REPEATED_FACT, UNEXPLAINED_OPENING
from evals.cases import DatasetConfig
from evals.metrics import latency_summary, mean
from evals.runner import CaseResult
from evals.scoring import COVERAGE_LEVELS, VARIANTS

RETRIEVAL_METRICS = ("ndcg@10", "mrr@10", "recall@10", "p@5")
OUTCOMES = ("answered_right", "declined_right", "key_fact", "relevant_cited")
COMPLIANCE = ("disclaimer", "pending_review", "citations_resolve", "numbers_grounded")
# The form of every answer (assistant.answer_form): counts gated at 0 on every set.
FORM = {
    "repeated_facts": REPEATED_FACT,
    "fragments": FRAGMENT,
    "unexplained_openings": UNEXPLAINED_OPENING,
}
FORM_MAXIMUMS = dict.fromkeys(FORM, 0.0)


def _retrieval(results: Sequence[CaseResult]) -> dict[str, dict[str, float | None]]:
    scored = [r.retrieval for r in results if r.retrieval is not None]
    return {
        variant: {m: mean(s[variant][m] for s in scored) for m in RETRIEVAL_METRICS}
        | {"cases": float(len(scored))}
        for variant in VARIANTS
    }


def _answers(results: Sequence[CaseResult]) -> dict[str, Any]:
    answered = [r for r in results if r.compliance]
    compliance = {k: mean(float(r.compliance[k]) for r in answered) for k in COMPLIANCE}
    refuse = [r for r in answered if r.case.must_refuse]
    answerable = [r for r in answered if not r.case.must_refuse and r.case.relevant]
    decided = [r for r in answered if r.case.expected_decision and r.stated_decision]
    with_decision = [r for r in answered if r.case.expected_decision]
    return {
        "answered_cases": len(answered),
        "compliance": compliance,
        "refusal_accuracy": mean(float(bool(r.refused)) for r in refuse),
        "refusal_cases": len(refuse),
        "false_refusal_rate": mean(float(bool(r.refused)) for r in answerable),
        "decision_accuracy": mean(
            float(r.stated_decision == r.case.expected_decision) for r in decided
        ),
        "decision_stated_share": mean(float(r.stated_decision is not None) for r in with_decision),
        "decision_cases": len(with_decision),
    }


def _rate(results: Sequence[CaseResult], metric: str) -> float | None:
    """Share of ``results`` whose outcome has ``metric`` true (a case that errored: false)."""
    return mean(float(r.outcome.get(metric, False)) for r in results)


def _coverage_counts(results: Sequence[CaseResult]) -> dict[str, int]:
    counts = dict.fromkeys(COVERAGE_LEVELS, 0)
    for r in results:
        if r.coverage in counts:
            counts[r.coverage] += 1
    return counts


def _outcomes(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Answered right / declined right overall and per kind, and the coverage distribution."""
    run = [r for r in results if r.refused is not None or r.error]
    answerable = [r for r in run if not r.case.must_refuse and r.case.expect_any]
    refuse = [r for r in run if r.case.must_refuse]
    kinds = sorted({r.case.kind or "unspecified" for r in answerable + refuse})
    by_kind = {}
    for kind in kinds:
        a = [r for r in answerable if (r.case.kind or "unspecified") == kind]
        d = [r for r in refuse if (r.case.kind or "unspecified") == kind]
        by_kind[kind] = {
            "cases": len(a) + len(d),
            "answered_right": _rate(a, "answered_right"),
            "declined_right": _rate(d, "declined_right"),
        }
    return {
        "answered_right": _rate(answerable, "answered_right"),
        "answered_right_cases": len(answerable),
        "key_fact": _rate(answerable, "key_fact"),
        "relevant_cited": _rate(answerable, "relevant_cited"),
        "declined_answerable": _rate(answerable, "declined"),
        "declined_right": _rate(refuse, "declined_right"),
        "declined_right_cases": len(refuse),
        "coverage": {
            "answerable": _coverage_counts(answerable),
            "must_refuse": _coverage_counts(refuse),
            "all": _coverage_counts(run),
        },
        "by_kind": by_kind,
    }


REVIEWED_APPROVED = "reviewed-approved"


def _reviewed(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Cases exported from reviewers' decisions: approved answers the build still gives, and
    rejected sentences that came back (``followup review export-cases``)."""
    approved = [r for r in results if r.case.kind == REVIEWED_APPROVED]
    kept = [
        r for r in approved if r.outcome.get("answered_right") or r.outcome.get("declined_right")
    ]
    rejected = [r for r in results if r.case.must_not]
    back = [r for r in rejected if r.outcome.get("rejected_reappeared", bool(r.error))]
    return {
        "approved_cases": len(approved),
        "approved_still_given": len(kept),
        "rejected_cases": len(rejected),
        "rejected_reappeared": len(back),
        "reappeared_ids": [r.case.id for r in back],
    }


def _parts(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Multi-part cases: the share of parts right, and of cases with every part right."""
    run = [r for r in results if r.case.parts and (r.refused is not None or r.error)]
    parts = [p for r in run for p in (r.parts or [False] * len(r.case.parts))]
    return {
        "cases": len(run),
        "parts": len(parts),
        "part_right": mean(float(p) for p in parts),
        "all_parts_right": mean(float(r.outcome.get("all_parts_right", False)) for r in run),
        "relevant_cited": mean(float(r.outcome.get("relevant_cited", False)) for r in run),
    }


def _form(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Answers checked for their form and the problems found, by kind, with examples."""
    found = [f for r in results for f in r.form]
    counts = {
        name: sum(1 for f in found if f.startswith(kind.replace("_", " ")))
        for name, kind in FORM.items()
    }
    return {
        "answers_checked": sum(r.answers_checked for r in results),
        **counts,
        "examples": [f"{r.case.id}: {f}" for r in results for f in r.form][:40],
    }


def _latency(results: Sequence[CaseResult]) -> dict[str, dict[str, float | None]]:
    samples: dict[str, list[float]] = {}
    for r in results:
        for stage, ms in r.timings_ms.items():
            samples.setdefault(stage, []).append(ms)
    return latency_summary(samples)


def flatten(report: Mapping[str, Any]) -> dict[str, float | None]:
    """Metric name -> value, the names thresholds use ("ndcg@10", "bm25.mrr@10", ...)."""
    flat: dict[str, float | None] = {}
    for variant, values in report["retrieval"].items():
        for metric, value in values.items():
            flat[f"{variant}.{metric}"] = value
            if variant == "final":
                flat[metric] = value
    answers = report["answers"]
    for name, value in answers["compliance"].items():
        flat[name] = value
    for name in ("refusal_accuracy", "false_refusal_rate", "decision_accuracy"):
        flat[name] = answers[name]
    false_refusals = answers["false_refusal_rate"]
    # Thresholds are minimums, so the share of answerable questions answered is gated.
    flat["answered_rate"] = None if false_refusals is None else 1 - false_refusals
    flat["error_free"] = 1 - report["errors"] / report["cases"] if report["cases"] else None
    outcomes = report.get("outcomes", {})
    for name in OUTCOMES:
        flat[name] = outcomes.get(name)
    for kind, values in outcomes.get("by_kind", {}).items():
        for name in ("answered_right", "declined_right"):
            if values[name] is not None:
                flat[f"{name}.{kind}"] = values[name]
    reviewed = report.get("reviewed", {})
    if reviewed.get("approved_cases"):
        flat["approved_still_given"] = reviewed["approved_still_given"] / reviewed["approved_cases"]
    if reviewed.get("rejected_cases"):
        flat["rejected_absent"] = 1 - reviewed["rejected_reappeared"] / reviewed["rejected_cases"]
    parts = report.get("parts", {})
    for name in ("part_right", "all_parts_right"):
        flat[name] = parts.get(name)
    form = report.get("form", {})
    if form.get("answers_checked"):
        for name in FORM:
            flat[name] = float(form[name])
    return flat


def check(report: Mapping[str, Any], config: DatasetConfig) -> list[dict[str, Any]]:
    """Every threshold with its measured value and whether it passed."""
    flat = flatten(report)
    checks = []
    for name, minimum in sorted(config.thresholds.items()):
        value = flat.get(name)
        checks.append(
            {
                "metric": name,
                "min": minimum,
                "value": value,
                "passed": value is not None and value >= minimum,
            }
        )
    reviewed = report.get("reviewed", {})
    if reviewed.get("rejected_cases"):
        # A rejected sentence coming back is a failure whatever the thresholds say.
        back = reviewed["rejected_reappeared"]
        checks.append(
            {"metric": "rejected_reappeared", "max": 0, "value": back, "passed": not back}
        )
    maximums = dict(config.maximums)
    if report.get("form", {}).get("answers_checked"):
        maximums = FORM_MAXIMUMS | maximums  # every set that answers: no form problem
    for name, maximum in sorted(maximums.items()):
        value = flat.get(name)
        checks.append(
            {
                "metric": name,
                "max": maximum,
                "value": value,
                "passed": value is not None and value <= maximum,
            }
        )
    for stage, maximum in sorted(config.max_p95_ms.items()):
        value = report["latency_ms"].get(stage, {}).get("p95")
        checks.append(
            {
                "metric": f"p95_ms.{stage}",
                "max": maximum,
                "value": value,
                "passed": value is not None and value <= maximum,
            }
        )
    return checks


def build_report(
    results: Sequence[CaseResult], config: DatasetConfig, meta: Mapping[str, Any]
) -> dict[str, Any]:
    report: dict[str, Any] = {
        **meta,
        "cases": len(results),
        "errors": sum(1 for r in results if r.error),
        "retrieval": _retrieval(results),
        "answers": _answers(results),
        "outcomes": _outcomes(results),
        "reviewed": _reviewed(results),
        "parts": _parts(results),
        "form": _form(results),
        "latency_ms": _latency(results),
    }
    report["thresholds"] = check(report, config)
    report["passed"] = all(c["passed"] for c in report["thresholds"])
    report["per_case"] = [_case_row(r) for r in results]
    return report


def _case_row(r: CaseResult) -> dict[str, Any]:
    return {
        "id": r.case.id,
        "question": r.case.question,
        "standalone_question": r.standalone_question,
        "retrieval": r.retrieval,
        "compliance": r.compliance,
        "refused": r.refused,
        "must_refuse": r.case.must_refuse,
        "stated_decision": r.stated_decision,
        "expected_decision": r.case.expected_decision,
        "kind": r.case.kind,
        "cited_sources": r.cited_sources,
        "coverage": r.coverage,
        "uncovered": r.uncovered,
        "outcome": r.outcome,
        "parts": r.parts,
        "form": r.form,
        "answer": r.answer,
        "timings_ms": r.timings_ms,
        "error": r.error,
    }


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
