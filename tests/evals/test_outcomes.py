"""Answered right / declined right (issue 9), scored on hand-made answer records."""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest

from evals.cases import DatasetConfig, EvalCase
from evals.report import build_report, check, flatten
from evals.report_files import render_markdown
from evals.runner import CaseResult
from evals.scoring import coverage_level, key_fact_found, score_outcome, uncovered_parts

DOSE = EvalCase(
    id="a",
    kind="typo",
    question="naltrexon dose for fibro?",
    expect_any=["4\\.5 ?mg", "1 to 5 ?mg", "1-5 ?mg"],
    relevant={"ldn-fibromyalgia-dosing": 2, "younger-2014-ldn-review": 1},
)
PREGNANT = EvalCase(
    id="d", kind="must_decline_population", question="LDN at 7 weeks?", must_refuse=True
)


def outcome(case: EvalCase, answer: str, cited: list[str], **kw: Any) -> dict[str, bool]:
    return score_outcome(
        case,
        refused=kw.get("refused", False),
        answer=answer,
        cited=cited,
        coverage=kw.get("coverage", "full"),
    )


@pytest.mark.parametrize(
    "answer",
    ["Most studies use 4.5 mg daily [1].", "LDN is 1–5 mg a day [1, 2].", "**4.5mg** daily [2]"],
)
def test_a_key_fact_matches_through_dashes_markup_and_markers(answer: str) -> None:
    assert key_fact_found(answer, DOSE.expect_any)


def test_a_key_fact_is_a_case_insensitive_regex_and_absent_facts_fail() -> None:
    assert key_fact_found("Contraindicated with opioids [1].", ["contraindicated"])
    assert not key_fact_found("Naltrexone 50 mg gives full blockade [1].", DOSE.expect_any)
    assert not key_fact_found("It is 14.5 mg", ["^4\\.5 ?mg"])


def test_answered_right_needs_the_fact_a_relevant_citation_and_no_refusal() -> None:
    right = outcome(DOSE, "Usually 4.5 mg [1].", ["younger-2014-ldn-review"])
    assert right == {
        "declined": False,
        "key_fact": True,
        "relevant_cited": True,
        "answered_right": True,
    }
    wrong_source = outcome(DOSE, "Usually 4.5 mg [1].", ["movicol-smpc"])
    assert wrong_source["key_fact"] and not wrong_source["answered_right"]
    no_fact = outcome(DOSE, "LDN is off-label [1].", ["ldn-fibromyalgia-dosing"])
    assert no_fact["relevant_cited"] and not no_fact["answered_right"]
    refused = outcome(DOSE, "Usually 4.5 mg [1].", ["ldn-fibromyalgia-dosing"], refused=True)
    assert refused["declined"] and not refused["answered_right"]


def test_coverage_none_is_a_decline_both_ways() -> None:
    assert outcome(PREGNANT, "The sources do not address pregnancy.", [], coverage="none") == {
        "declined_right": True
    }
    assert outcome(PREGNANT, "", [], refused=True) == {"declined_right": True}
    assert outcome(PREGNANT, "LDN is 4.5 mg [1].", ["ldn-fibromyalgia-dosing"]) == {
        "declined_right": False
    }
    partial = outcome(PREGNANT, "Not in pregnancy; LDN is 4.5 mg [1].", ["x"], coverage="partial")
    assert partial == {"declined_right": False}
    hidden = outcome(DOSE, "4.5 mg [1]", ["ldn-fibromyalgia-dosing"], coverage="none")
    assert hidden["declined"] and not hidden["answered_right"]


def test_a_case_without_key_facts_gets_no_outcome() -> None:
    plain = EvalCase(id="p", question="q?", relevant={"s": 1})
    assert outcome(plain, "anything [1]", ["s"]) == {}


class Level(Enum):
    PARTIAL = "partial"


@pytest.mark.parametrize(
    ("record", "level", "parts"),
    [
        (SimpleNamespace(answer="x"), "full", []),  # records from before issue 9
        (SimpleNamespace(coverage="none", uncovered=["pregnancy"]), "none", ["pregnancy"]),
        (SimpleNamespace(coverage=Level.PARTIAL), "partial", []),
        ({"coverage": "x"}, "full", []),
        (
            SimpleNamespace(coverage={"level": "partial", "uncovered": ["dose"]}),
            "partial",
            ["dose"],
        ),
        (SimpleNamespace(coverage=SimpleNamespace(level="none", uncovered=("a",))), "none", ["a"]),
    ],
)
def test_coverage_is_read_from_the_record_and_absent_means_full(
    record: Any, level: str, parts: list[str]
) -> None:
    assert coverage_level(record) == level
    assert uncovered_parts(record) == parts


def result(case: EvalCase, refused: bool, outcome: dict[str, bool], coverage: str) -> CaseResult:
    return CaseResult(case, refused=refused, outcome=outcome, coverage=coverage)


def sample_report(config: DatasetConfig) -> dict[str, Any]:
    lay = DOSE.model_copy(update={"id": "b", "kind": "lay"})
    results = [
        result(DOSE, False, outcome(DOSE, "4.5 mg [1]", ["ldn-fibromyalgia-dosing"]), "full"),
        result(lay, True, outcome(lay, "", [], refused=True), "none"),
        result(PREGNANT, True, outcome(PREGNANT, "", [], refused=True), "none"),
        result(
            PREGNANT.model_copy(update={"id": "e"}), False, {"declined_right": False}, "partial"
        ),
        CaseResult(PREGNANT.model_copy(update={"id": "f", "kind": "drift"}), error="boom"),
    ]
    return build_report(results, config, {"dataset": "t"})


def test_the_report_gives_both_rates_per_kind_and_the_coverage_distribution() -> None:
    report = sample_report(DatasetConfig())
    o = report["outcomes"]
    assert (o["answered_right"], o["answered_right_cases"]) == (0.5, 2)
    assert (o["declined_right"], o["declined_right_cases"]) == (pytest.approx(1 / 3), 3)
    assert o["by_kind"]["typo"] == {"cases": 1, "answered_right": 1.0, "declined_right": None}
    assert o["by_kind"]["lay"]["answered_right"] == 0.0
    assert o["by_kind"]["must_decline_population"]["declined_right"] == 0.5
    assert o["by_kind"]["drift"]["declined_right"] == 0.0  # an errored case is not a decline
    assert o["coverage"]["answerable"] == {"full": 1, "partial": 0, "none": 1}
    assert o["coverage"]["must_refuse"] == {"full": 0, "partial": 1, "none": 1}
    flat = flatten(report)
    assert flat["answered_right"] == 0.5 and flat["declined_right.drift"] == 0.0
    text = render_markdown(report)
    assert "| typo | 1 | 1.000 | n/a |" in text
    assert "`b` (lay, declined)" in text


def test_answered_right_and_declined_right_are_thresholds() -> None:
    config = DatasetConfig(thresholds={"answered_right": 0.5, "declined_right": 0.95})
    checks = {c["metric"]: c["passed"] for c in check(sample_report(config), config)}
    assert checks == {"answered_right": True, "declined_right": False}
