"""How a model's answers fared, from the answer store an eval run left behind.

``followup eval`` stores every answer it asked for (history turns included) in
``<out>/data/followup.db`` and writes ``<out>/report.json``. This reads both and prints, for
one run: the share of answers the model wrote (not the extractive fallback), the share of the
model's sentences that verification kept, refusal accuracy and compliance (from the report),
and time to first token and in all (median, p95) as a user sees them.

    python -m benchmarks.model_answers evals/out/select evals/out/write
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

from assistant.language.sentences import answer_sentences
from assistant.models import AnswerRecord
from assistant.review.store import AnswerStore

BEFORE_GENERATION = ("condense", "embed_query", "dense", "lexical", "fuse")
REMOVED = ("removed unsupported sentence", "dropped the model's lead sentence")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _sentences(text: str) -> int:
    return len(answer_sentences(text.strip()))


def latencies(records: list[AnswerRecord]) -> dict[str, dict[str, float]]:
    """First token and total, in seconds, as the user waits for them."""
    first, total = [], []
    for r in records:
        before = sum(r.timings_ms.get(k, 0.0) for k in BEFORE_GENERATION)
        total.append((before + r.timings_ms.get("generate", 0.0)) / 1000)
        if "first_delta" in r.timings_ms:
            first.append((before + r.timings_ms["first_delta"]) / 1000)
    return {
        name: {"median": statistics.median(v), "p95": _p95(v), "n": len(v)}
        for name, v in (("first_token_s", first), ("total_s", total))
        if v
    }


def summarise(records: list[AnswerRecord]) -> dict[str, Any]:
    """Model share, kept-sentence share and latency of one run's stored answers."""
    answered = [r for r in records if not r.refused]
    by_model = [r for r in answered if r.fallback is None and r.generator != "extractive"]
    kept = sum(_sentences(r.answer) for r in by_model)
    removed = sum(1 for r in records for f in r.findings if f.startswith(REMOVED))
    return {
        "answers": len(records),
        "refused": len(records) - len(answered),
        "model_written_share": len(by_model) / len(answered) if answered else None,
        "fallback_reasons": sorted({r.fallback for r in records if r.fallback}),
        "model_sentences_kept_share": kept / (kept + removed) if kept + removed else None,
        "modes": sorted({r.mode or "?" for r in records}),
        **latencies(records),
    }


def run_summary(out: Path) -> dict[str, Any]:
    store = AnswerStore(out / "data" / "followup.db")
    try:
        summary = summarise(store.list_answers(limit=100_000))
    finally:
        store.close()
    report = json.loads((out / "report.json").read_text())
    answers = report.get("answers", {})
    summary["refusal_accuracy"] = answers.get("refusal_accuracy")
    summary["refusal_cases"] = answers.get("refusal_cases")
    summary["compliance"] = answers.get("compliance")
    return summary


if __name__ == "__main__":
    for folder in sys.argv[1:]:
        print(folder, json.dumps(run_summary(Path(folder)), indent=2))
