"""The claims benchmark: does the verifier keep supported sentences and catch unsupported ones?

A claim is one answer sentence with ``[n]`` markers and what each marker cites:
``{"id", "sentence", "citations": {"1": "<document or chunk id>"}, "supported": bool,
"kind"?}``. A document id (article or source) stands for all of its passages; a chunk id for
one. Each sentence goes through the verifier (:func:`assistant.verify.check_sentences`)
against exactly those passages of the corpus, chunked as the indexer chunks it, and the
report gives the keep rate on supported claims and the catch rate on unsupported ones,
overall and per ``kind``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.config import Settings
from assistant.errors import EvalDataError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import load_corpus
from assistant.judge import JudgeClient, apply_judge
from assistant.language.markers import MARKER, format_marker
from assistant.language.markers import numbers as marker_numbers
from assistant.models import APPROVED, Chunk
from assistant.prompts import Prompt
from assistant.verify import check_sentences, passage_context, passage_texts

Judge = tuple[JudgeClient, Prompt]  # an optional model judge and its prompt


class Claim(BaseModel):
    """One line of a claims file; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str
    sentence: str
    citations: dict[str, str]
    supported: bool
    kind: str = "unspecified"


def load_claims(path: Path) -> list[Claim]:
    """Read a claims JSONL file; EvalDataError names the bad line and what is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalDataError(f"{path}: cannot read claims file ({exc.strerror})") from exc
    claims = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            claims.append(_claim(path, number, line))
    if not claims:
        raise EvalDataError(f"{path}: no claims in the file")
    return claims


def _claim(path: Path, number: int, line: str) -> Claim:
    try:
        claim = Claim.model_validate(json.loads(line))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise EvalDataError(f"{path}:{number}: not a valid claim ({exc})") from exc
    for key in claim.citations:
        if not key.isdigit():
            raise EvalDataError(f"{path}:{number}: citation key {key!r} is not a number")
    return claim


@dataclass
class Passages:
    """The corpus as the verifier sees it: chunks by id and by document id."""

    chunks: dict[str, Chunk] = field(default_factory=dict)
    by_doc: dict[str, list[Chunk]] = field(default_factory=dict)

    def resolve(self, ref: str) -> list[Chunk]:
        """The chunks an id names: one chunk, or every chunk of a document."""
        if ref in self.chunks:
            return [self.chunks[ref]]
        if ref in self.by_doc:
            return self.by_doc[ref]
        raise EvalDataError(f"citation {ref!r} names no approved document or chunk")


def corpus_passages(paths: Iterable[Path], settings: Settings) -> Passages:
    """Chunks of the approved documents under ``paths``, cut as the indexer cuts them."""
    loaded = load_corpus(paths)
    if loaded.errors:
        raise EvalDataError(f"corpus error: {loaded.errors[0]}")
    passages = Passages()
    for doc in loaded.documents:
        if doc.status != APPROVED:
            continue
        chunks = chunk_document(
            doc, max_tokens=settings.index.chunk_tokens, overlap=settings.index.chunk_overlap
        )
        passages.by_doc[doc.id] = chunks
        passages.chunks.update((c.id, c) for c in chunks)
    return passages


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    kept: bool
    findings: list[str]

    @property
    def correct(self) -> bool:
        return self.kept == self.claim.supported


def _request(claim: Claim, passages: Passages) -> tuple[str, list[Chunk]]:
    """The sentence with markers rewritten to request positions, and the passages in order."""
    positions: dict[str, list[int]] = {}
    chunks: list[Chunk] = []
    for key, ref in claim.citations.items():
        resolved = passages.resolve(ref)
        positions[key] = list(range(len(chunks) + 1, len(chunks) + len(resolved) + 1))
        chunks.extend(resolved)

    def rewrite(match: re.Match[str]) -> str:
        cited = [p for n in marker_numbers(match.group(1)) for p in positions.get(str(n), [])]
        return " " + format_marker(cited) if cited else " [0]"

    return MARKER.sub(rewrite, claim.sentence), chunks


def verify_claim(
    claim: Claim, passages: Passages, min_support: float, judge: Judge | None = None
) -> Outcome:
    """Run one claim through the verifier (and the model judge, when given) against its
    cited passages."""
    sentence, chunks = _request(claim, passages)
    checked = check_sentences(
        sentence,
        passage_texts([c.text for c in chunks]),
        "",
        min_support,
        contexts=[passage_context(c.title, c.heading) for c in chunks],
    )
    if judge is not None:
        checked = apply_judge(checked, *judge)
    kept = checked.has_content and not checked.removed  # the whole sentence, not a piece
    return Outcome(claim, kept=kept, findings=checked.findings)


def _rate(outcomes: Sequence[Outcome], supported: bool) -> float | None:
    picked = [o for o in outcomes if o.claim.supported == supported]
    if not picked:
        return None
    return sum(o.correct for o in picked) / len(picked)


def _per_kind(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.claim.kind].append(outcome)
    return {
        kind: {
            "claims": len(group),
            "keep_rate": _rate(group, True),
            "catch_rate": _rate(group, False),
        }
        for kind, group in sorted(groups.items())
    }


def score(outcomes: Sequence[Outcome], thresholds: Mapping[str, float]) -> dict[str, Any]:
    """The report: keep and catch rates overall and per kind, thresholds, every miss."""
    report: dict[str, Any] = {
        "claims": len(outcomes),
        "supported": sum(o.claim.supported for o in outcomes),
        "keep_rate": _rate(outcomes, True),
        "catch_rate": _rate(outcomes, False),
        "per_kind": _per_kind(outcomes),
    }
    report["thresholds"] = [_check(report, name, low) for name, low in sorted(thresholds.items())]
    report["passed"] = all(c["passed"] for c in report["thresholds"])
    report["misses"] = [_miss(o) for o in outcomes if not o.correct]
    return report


def _check(report: Mapping[str, Any], name: str, minimum: float) -> dict[str, Any]:
    value = report.get(name)
    if "." in name:  # "catch_rate.negation_flip": the rate of one kind
        metric, _, kind = name.partition(".")
        value = report["per_kind"].get(kind, {}).get(metric)
    passed = isinstance(value, float) and value >= minimum
    return {"metric": name, "min": minimum, "value": value, "passed": passed}


def _miss(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.claim.id,
        "kind": outcome.claim.kind,
        "supported": outcome.claim.supported,
        "sentence": outcome.claim.sentence,
        "findings": outcome.findings,
    }


def run_claims(
    claims: Sequence[Claim],
    passages: Passages,
    min_support: float,
    thresholds: Mapping[str, float],
    judge: Judge | None = None,
) -> dict[str, Any]:
    """Verify every claim and score the outcomes."""
    outcomes = [verify_claim(c, passages, min_support, judge) for c in claims]
    return {**score(outcomes, thresholds), "judge": judge is not None}


def render_markdown(report: Mapping[str, Any]) -> str:
    """A readable summary: the two rates, per kind, thresholds and the misses."""
    lines = [
        "# Claims benchmark",
        "",
        f"{report['claims']} claims ({report['supported']} supported)",
        f"- keep rate (supported kept): {_fmt(report['keep_rate'])}",
        f"- catch rate (unsupported removed): {_fmt(report['catch_rate'])}",
        "",
        "| kind | claims | keep rate | catch rate |",
        "|---|---|---|---|",
    ]
    for kind, row in report["per_kind"].items():
        keep, catch = _fmt(row["keep_rate"]), _fmt(row["catch_rate"])
        lines.append(f"| {kind} | {row['claims']} | {keep} | {catch} |")
    lines += ["", "## Thresholds", ""]
    for check in report["thresholds"]:
        mark = "ok" if check["passed"] else "FAIL"
        lines.append(f"- {mark} {check['metric']} = {_fmt(check['value'])} (min {check['min']})")
    lines += ["", "## Misses", ""]
    for miss in report["misses"]:
        why = miss["findings"][-1] if miss["findings"] else "kept"
        lines.append(f"- `{miss['id']}` ({miss['kind']}): {miss['sentence']} — {why}")
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def write_report(report: Mapping[str, Any], out: Path) -> None:
    """report.json and report.md in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
