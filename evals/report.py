"""Aggregate case results into the report (metrics, outcomes, gates checked against a set's
thresholds); :mod:`evals.report_files` writes it out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
