"""Source-level retrieval metrics and the case format."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.errors import EvalDataError
from evals.cases import load_cases, parse_threshold
from evals.metrics import (
    mrr,
    ndcg,
    percentile,
    precision,
    recall,
    relevance_cutoff,
    retrieval_scores,
    source_ranking,
)


def test_a_source_counts_at_its_best_ranked_chunk() -> None:
    assert source_ranking(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]


def test_ndcg_uses_graded_gains_and_the_ideal_order() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg(["a", "b", "x"], grades) == pytest.approx(1.0)
    swapped = (1 / 1 + 3 / math.log2(3)) / (3 / 1 + 1 / math.log2(3))
    assert ndcg(["b", "a"], grades) == pytest.approx(swapped)
    assert ndcg(["x"] * 10 + ["a"], grades) == 0.0  # past depth 10 counts for nothing


def test_rank_metrics_at_their_depths() -> None:
    ranking = ["x", "y", "a", "z", "q", "b"]
    relevant = {"a", "b"}
    assert mrr(ranking, relevant) == pytest.approx(1 / 3)
    assert recall(ranking, relevant) == 1.0
    assert precision(ranking, relevant) == pytest.approx(1 / 5)  # b is 6th, outside P@5
    assert mrr(["x"] * 10 + ["a"], relevant) == 0.0


def test_relevance_cutoff_rises_to_two_when_grades_go_above_one() -> None:
    assert relevance_cutoff([{"a": 1}, {"b": 1}]) == 1
    assert relevance_cutoff([{"a": 1}, {"b": 2}]) == 2
    scores = retrieval_scores(["a", "b"], {"a": 1, "b": 2}, cutoff=2)
    assert scores["mrr@10"] == pytest.approx(0.5)  # a (grade 1) is not relevant at cutoff 2


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 95) is None


def test_cases_keep_the_design_format_and_ignore_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    rows = [
        {"id": "1", "question": "q?", "relevant": {"s": 2}, "extra": {"anything": 1}},
        {"id": "2", "question": "and then?", "history": ["first?", {"question": "second?"}]},
        {"id": "3", "question": "x?", "must_refuse": True, "expected_decision": "Yes"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    cases = load_cases(path)
    assert [c.id for c in cases] == ["1", "2", "3"]
    assert cases[0].relevant == {"s": 2}
    assert cases[1].history == ["first?", "second?"]
    assert cases[2].must_refuse and cases[2].expected_decision == "yes"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "1"}', "question"),
        ('{"id": "1", "question": "q", "relevant": {"s": "high"}}', "relevant"),
        ('{"id": "1", "question": "q", "expected_decision": "perhaps"}', "expected_decision"),
        ("{not json", "invalid JSON"),
    ],
)
def test_a_bad_case_line_is_named(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "0", "question": "fine?"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=rf"cases.jsonl:2: .*{problem}"):
        load_cases(path)


def test_thresholds_parse_or_say_what_is_wrong() -> None:
    assert parse_threshold("ndcg@10=0.8") == ("ndcg@10", 0.8)
    with pytest.raises(EvalDataError, match="METRIC=NUMBER"):
        parse_threshold("ndcg@10>0.8")
