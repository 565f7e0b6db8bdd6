"""The multi-part eval sets (issue 22): what they hold, how each part is scored, and the answer
form gates every eval set carries (0 repeated facts, fragments, unexplained openings)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.loader import load_corpus
from evals.cases import CasePart, DatasetConfig, EvalCase, load_cases
from evals.report import build_report, check
from evals.runner import CaseResult
from evals.scoring import answer_text, score_parts

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"


def cases(name: str) -> list[EvalCase]:
    return load_cases(DATASETS / f"multipart-{name}.jsonl")


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    loaded = load_corpus([ROOT / "corpus"])
    assert not loaded.errors
    return {d.id: (d.status, answer_text(d.text)) for d in loaded.documents}


def test_the_sets_hold_forty_multi_part_questions_dev_and_held_out() -> None:
    dev, holdout = cases("dev"), cases("holdout")
    assert len(dev) + len(holdout) >= 40 and len(holdout) >= 15
    for case in (*dev, *holdout):
        assert len(case.parts) >= 2, case.id
        assert not case.must_refuse and case.relevant
    for group in (dev, holdout):
        uncovered = sum(p.not_covered for c in group for p in c.parts)
        assert 3 <= uncovered < sum(len(c.parts) for c in group) / 3
        assert any(c.history for c in group)  # follow-ups too
    assert not {c.id for c in dev} & {c.id for c in holdout}
    assert not {c.question.lower() for c in dev} & {c.question.lower() for c in holdout}


CORPORA = ROOT / "evals" / "corpora"
# Each set with the corpus it is asked over: the sample corpus's two, then one set per eval
# corpus (development sets, and the sixth and seventh corpora's first-contact sets).
SETS = {
    "dev": ROOT / "corpus",
    "holdout": ROOT / "corpus",
    "corpora-dev-B": CORPORA / "adult-chronic-care",
    "corpora-dev-C": CORPORA / "adult-mental-health",
    "corpora-dev-D": CORPORA / "adult-skin-bone-gut",
    "corpora-dev-E": CORPORA / "adult-infection-womens-health",
    "adult-neuro-eye-ent-palliative": CORPORA / "adult-neuro-eye-ent-palliative",
    "adult-respiratory-allergy-blood": CORPORA / "adult-respiratory-allergy-blood",
    "adult-heart-kidney-travel-sexual-health": CORPORA / "adult-heart-kidney-travel-sexual-health",
    "adult-rheum-endocrine-skin-ent": CORPORA / "adult-rheum-endocrine-skin-ent",
    "adult-bladder-bowel-sexual-travel-skin": CORPORA / "adult-bladder-bowel-sexual-travel-skin",
    "adult-toxicology-tb-vascular-trauma": CORPORA / "adult-toxicology-tb-vascular-trauma",
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_part_s_key_fact_is_stated_by_an_approved_relevant_document(name: str) -> None:
    loaded = load_corpus([SETS[name]])
    assert not loaded.errors
    corpus = {d.id: (d.status, answer_text(d.text)) for d in loaded.documents}
    for case in cases(name):
        assert all(corpus[s][0] == "approved" for s in case.relevant), case.id
        texts = [corpus[s][1] for s in case.relevant]
        for part in case.parts:
            if part.not_covered:
                continue
            grounded = [a for a in part.expect_any if any(re.search(a, t, re.I) for t in texts)]
            assert grounded, f"{case.id}: no key fact of {part.part!r} in its relevant sources"


CASE = EvalCase(
    id="x",
    question="Can it be crushed, and how long does it take to work?",
    parts=[
        CasePart(part="crushed", expect_any=["crushed and mixed"]),
        CasePart(part="how long", not_covered=True, named_any=["take to work"]),
    ],
)


@pytest.mark.parametrize(
    ("answer", "coverage", "uncovered", "refused", "expected"),
    [
        (
            "It can be crushed and mixed with food [1].",
            "partial",
            ["how long does it take to work"],
            False,
            [True, True],
        ),
        ("It can be crushed and mixed with food [1].", "full", [], False, [True, False]),
        (
            "The tablet is chewed [1].",
            "partial",
            ["how long does it take to work"],
            False,
            [False, True],
        ),
        (
            "I cannot answer: crushed and mixed.",
            "none",
            ["how long does it take to work"],
            True,
            [False, True],
        ),
    ],
)
def test_each_part_is_right_when_answered_or_named_not_covered(
    answer: str, coverage: str, uncovered: list[str], refused: bool, expected: list[bool]
) -> None:
    scored = score_parts(
        CASE, refused=refused, answer=answer, coverage=coverage, uncovered=uncovered
    )
    assert scored == expected


def test_a_part_needs_its_key_facts_or_how_it_is_named() -> None:
    with pytest.raises(ValueError, match="named_any"):
        CasePart(part="x", not_covered=True)
    with pytest.raises(ValueError, match="expect_any"):
        CasePart(part="x")


def result(form: list[str], parts: list[bool] | None = None) -> CaseResult:
    r = CaseResult(CASE, refused=False, answers_checked=1, form=form, parts=parts or [True, True])
    r.outcome = {"all_parts_right": all(r.parts), "relevant_cited": True}
    return r


def report(*results: CaseResult) -> dict[str, Any]:
    return build_report(list(results), DatasetConfig(), {"dataset": "t"})


def test_every_answering_set_is_gated_at_zero_form_problems() -> None:
    clean = report(result([]), result([], [True, False]))
    assert clean["parts"]["all_parts_right"] == 0.5 and clean["parts"]["part_right"] == 0.75
    assert clean["form"]["answers_checked"] == 2
    assert all(c["passed"] for c in clean["thresholds"])
    gated = {c["metric"] for c in clean["thresholds"]}
    assert {"repeated_facts", "fragments", "unexplained_openings"} <= gated
    flawed = report(result(["repeated fact: 'The 100 mg tablet can be crushed' (again: ...)"]))
    failed = [c["metric"] for c in flawed["thresholds"] if not c["passed"]]
    assert failed == ["repeated_facts"] and flawed["form"]["repeated_facts"] == 1
    target = DatasetConfig(thresholds={"all_parts_right": 0.85})
    assert not check(clean, target)[0]["passed"]  # 0.5 under the bar


def test_a_retrieval_only_report_has_no_form_gate() -> None:
    quiet = CaseResult(CASE)
    built = report(quiet)
    assert not {c["metric"] for c in built["thresholds"]} & {"repeated_facts", "fragments"}
