"""Eval cases in the DESIGN.md format, and dataset configs with thresholds.

Case (one JSON object per line): ``{"id", "question", "history"?, "relevant"?: {source_id:
grade}, "reference_answer"?, "expected_decision"?, "must_refuse"?}``, plus for the follow-ups
sets ``"kind"`` (how the question is worded, or why it must be declined) and ``"expect_any"``
(alternative key facts, case-insensitive regexes, one of which a right answer contains), and
for the multi-part sets ``"parts"`` (each part's key facts, or ``not_covered`` and how the
answer names it). Cases exported from reviewers' decisions (``followup review export-cases``)
add ``"must_not"``: sentences of a rejected answer that must not come back in the answer (the
eval fails if one does). Unknown fields are ignored so other datasets plug in unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import EvalDataError

DECISIONS = ("yes", "no", "maybe")


class CasePart(BaseModel):
    """One part of a multi-part question: the key facts that answer it (alternatives,
    case-insensitive regexes), or ``not_covered`` with the words that name it in the answer's
    uncovered parts (``named_any``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part: str = Field(min_length=1)
    expect_any: list[str] = Field(default_factory=list)
    not_covered: bool = False
    named_any: list[str] = Field(default_factory=list)

    @field_validator("expect_any", "named_any")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _regexes(value)

    @model_validator(mode="after")
    def _one_kind(self) -> CasePart:
        if self.not_covered and not self.named_any:
            raise ValueError("a part not covered needs named_any (how the answer names it)")
        if not self.not_covered and not self.expect_any:
            raise ValueError("a covered part needs expect_any (its key facts)")
        return self


def _regexes(value: list[str]) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regex ({exc})") from exc
    return value


class EvalCase(BaseModel):
    """One question (with the conversation before it) and what a good answer involves."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[str] = Field(default_factory=list)
    relevant: dict[str, int] = Field(default_factory=dict)
    reference_answer: str | None = None
    expected_decision: str | None = None
    must_refuse: bool = False
    kind: str | None = None
    expect_any: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)  # a rejected answer's sentences
    parts: list[CasePart] = Field(default_factory=list)  # multi-part questions (issue 22)

    @field_validator("expect_any")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _regexes(value)

    @field_validator("history", mode="before")
    @classmethod
    def _user_turns(cls, value: Any) -> list[str]:
        """History as earlier user messages: strings, or {"question"} / {"role","content"}."""
        turns: list[str] = []
        for item in value or []:
            if isinstance(item, str):
                turns.append(item)
            elif isinstance(item, dict) and isinstance(item.get("question"), str):
                turns.append(item["question"])
            elif isinstance(item, dict) and item.get("role") == "user":
                turns.append(str(item.get("content", "")))
            elif not (isinstance(item, dict) and item.get("role")):
                raise ValueError("history items are strings or {'question': ...} objects")
        return turns

    @field_validator("expected_decision")
    @classmethod
    def _decision(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in DECISIONS:
            raise ValueError(f"expected_decision must be one of {', '.join(DECISIONS)}")
        return value.lower() if value else None


def load_cases(path: Path) -> list[EvalCase]:
    """Read a cases JSONL file; EvalDataError names the first bad line and what is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"{path}: cannot read eval cases ({exc})") from exc
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = EvalCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalDataError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'case'}: {e['msg']}" for e in exc.errors()
            )
            raise EvalDataError(f"{path}:{number}: {problems}") from exc
        if case.id in seen:
            raise EvalDataError(f"{path}:{number}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise EvalDataError(f"{path}: no eval cases in the file")
    return cases


class DatasetConfig(BaseModel):
    """A dataset: how its cases and corpus are built, and its thresholds.

    ``thresholds``: metric -> minimum; ``max_p95_ms``: stage -> maximum p95 milliseconds.
    ``builder`` is ``medquad`` / ``pubmedqa`` (built from ../shared/data at run time, from the
    sampled ``files`` / ``pmids`` or ``"all"``) or ``file`` (a committed ``cases`` JSONL with
    its ``corpus`` paths relative to the repository root).
    """

    model_config = ConfigDict(extra="ignore")

    name: str = ""
    builder: str = "file"
    seed: int | None = None
    files: list[str] | str = Field(default_factory=list)
    pmids: list[str] | str = Field(default_factory=list)
    cases: str | None = None
    corpus: list[str] = Field(default_factory=list)
    # Score retrieval only (no answers generated): keeps big CI subsets to a minute or two.
    retrieval_only: bool = False
    thresholds: dict[str, float] = Field(default_factory=dict)
    max_p95_ms: dict[str, float] = Field(default_factory=dict)
    # Thresholds a dataset is meant to reach but does not gate yet (CI reports them as xfail).
    target_thresholds: dict[str, float] = Field(default_factory=dict)
    # metric -> maximum (the answer-form counts, gated at 0 on every set by default).
    maximums: dict[str, float] = Field(default_factory=dict)


def load_config(path: Path) -> DatasetConfig:
    try:
        return DatasetConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"{path}: cannot read dataset config ({exc})") from exc
    except ValidationError as exc:
        raise EvalDataError(f"{path}: invalid dataset config: {exc.errors()[0]['msg']}") from exc


def parse_threshold(text: str) -> tuple[str, float]:
    """``"ndcg@10=0.8"`` -> ("ndcg@10", 0.8)."""
    name, sep, value = text.partition("=")
    try:
        if not sep or not name.strip():
            raise ValueError
        return name.strip(), float(value)
    except ValueError as exc:
        raise EvalDataError(f"threshold {text!r} must look like METRIC=NUMBER") from exc
