"""Verification time per answer: how long :func:`assistant.verify.check_sentences` takes.

Answers are made from the claim sets (``evals/datasets/claims-*.jsonl``): every run of
``SENTENCES`` consecutive claims of a set becomes one answer of that many sentences, citing
the passages its claims cite (every chunk of a cited document, as the claims benchmark gives
them), supported and unsupported sentences mixed as a model writes them. The terminology is
loaded before timing starts (it is loaded once per process); each answer is verified once, in
order, as a server meets them (what verification remembers of passages it read for earlier
answers helps, as it does in a server; a repeated answer would time the memory). Prints the
median and p95 per answer, per set and overall, in milliseconds; run it several times and
quote the median of the runs with the load average.

    python -m benchmarks.verify_time [OUT.json]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.language.markers import MARKER, format_marker
from assistant.language.markers import numbers as marker_numbers
from assistant.language.terminology import default_terminology
from assistant.models import Chunk
from assistant.verify import check_sentences, passage_context, passage_texts
from evals.claims import Claim, Passages, corpus_passages, load_claims

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "claims-dev": ROOT / "corpus",
    "claims-holdout": ROOT / "corpus",
    "claims-acute-paediatrics": ROOT / "evals" / "corpora" / "acute-paediatrics",
    "claims-acute-paediatrics-holdout": ROOT / "evals" / "corpora" / "acute-paediatrics",
}
SENTENCES = 4  # sentences per answer


def _answer(claims: list[Claim], passages: Passages) -> tuple[str, list[Chunk]]:
    """One answer text from ``claims`` (markers renumbered to request positions) and the
    passages it cites, each cited document once."""
    chunks: list[Chunk] = []
    first: dict[str, int] = {}
    sentences = []
    for claim in claims:
        positions: dict[str, list[int]] = {}
        for key, ref in claim.citations.items():
            resolved = passages.resolve(ref)
            if ref not in first:
                first[ref] = len(chunks) + 1
                chunks.extend(resolved)
            positions[key] = list(range(first[ref], first[ref] + len(resolved)))

        def rewrite(match: Any, positions: dict[str, list[int]] = positions) -> str:
            cited = [p for n in marker_numbers(match.group(1)) for p in positions.get(str(n), [])]
            return " " + format_marker(cited) if cited else ""

        sentences.append(MARKER.sub(rewrite, claim.sentence).strip())
    return " ".join(sentences), chunks


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_set(name: str, corpus: Path, settings: Settings) -> list[float]:
    """Milliseconds per answer for every answer made from a set."""
    claims = load_claims(ROOT / "evals" / "datasets" / f"{name}.jsonl")
    passages = corpus_passages([corpus], settings)
    times = []
    for start in range(0, len(claims), SENTENCES):
        text, chunks = _answer(claims[start : start + SENTENCES], passages)
        texts = passage_texts([c.text for c in chunks])
        contexts = [passage_context(c.title, c.heading) for c in chunks]
        began = time.perf_counter()
        check_sentences(text, texts, "", settings.llm.min_support, contexts)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main(argv: list[str]) -> dict[str, Any]:
    settings = Settings()
    default_terminology().scan("warm the terminology up")
    results: dict[str, Any] = {"sentences_per_answer": SENTENCES}
    every: list[float] = []
    for name, corpus in SETS.items():
        times = time_set(name, corpus, settings)
        every += times
        results[name] = _summary(times)
    results["all"] = _summary(every)
    if argv:
        from benchmarks import publish

        publish(results, Path(argv[0]))
    else:
        print(results)
    return results


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "answers": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(_p95(times), 1),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
