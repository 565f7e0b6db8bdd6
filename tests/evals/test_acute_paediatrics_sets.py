"""The acute paediatrics follow-ups and claims sets are what evals/README.md says, and grounded.

Follow-ups (issue 19 item 4): a tuning part and a held-out part with the same mix of
wordings and must-decline kinds, every key fact stated by an approved relevant document.
Claims (issue 20 item 6): about 40 % faithful paraphrases and minimal corruptions of every
kind, each citing an approved document, every paraphrase's numbers stated by what it cites.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.ingest.loader import load_corpus
from evals.build import build
from evals.cases import EvalCase, load_cases, load_config
from evals.claims import Claim, load_claims
from evals.scoring import answer_text

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
CORPUS = ROOT / "evals" / "corpora" / "acute-paediatrics"
TUNING, HOLDOUT = "followups-acute-paediatrics", "followups-acute-paediatrics-holdout"
CLAIMS, CLAIMS_HOLDOUT = "claims-acute-paediatrics", "claims-acute-paediatrics-holdout"
WORDINGS = {
    "brand",
    "abbreviation",
    "synonym",
    "lay",
    "terse",
    "typo",
    "chatty",
    "context",
    "multi_question",
    "multi_turn",
}
DECLINES = {
    "must_decline_population",
    "must_decline_drug",
    "must_decline_indication",
    "must_decline_setting",
    "unapproved",
    "drift",
    "nonsense",
    "no_question",
    "injection",
}
CORRUPTIONS = {
    "wrong_drug",
    "wrong_condition",
    "wrong_population",
    "polarity",
    "direction",
    "number",
    "frequency",
    "unsupported_addition",
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    """document id -> (status, plain text) of the acute paediatrics corpus."""
    loaded = load_corpus([CORPUS])
    assert not loaded.errors
    return {d.id: (d.status, answer_text(d.text)) for d in loaded.documents}


def cases(name: str) -> list[EvalCase]:
    return load_cases(DATASETS / f"{name}.jsonl")


def claims(name: str) -> list[Claim]:
    return load_claims(DATASETS / f"{name}.jsonl")


@pytest.mark.parametrize(("name", "size", "declines"), [(TUNING, 60, 20), (HOLDOUT, 24, 8)])
def test_the_followups_have_the_size_and_mix_the_issue_asks_for(
    name: str, size: int, declines: int
) -> None:
    group = cases(name)
    assert len(group) >= size and sum(c.must_refuse for c in group) >= declines
    assert 0.2 < sum(c.must_refuse for c in group) / len(group) < 0.45
    for case in group:
        allowed = DECLINES if case.must_refuse else WORDINGS
        assert case.kind in allowed, f"{case.id}: kind {case.kind!r}"
    kinds = {c.kind or "" for c in group}
    assert kinds >= WORDINGS, WORDINGS - kinds
    assert kinds >= DECLINES, DECLINES - kinds
    follow_ups = [c for c in group if c.history]
    assert len(follow_ups) >= len(group) // 8
    assert any(c.must_refuse for c in follow_ups) and not all(c.must_refuse for c in follow_ups)


def test_the_held_out_part_has_the_tuning_mix_and_no_tuning_case() -> None:
    tuning, holdout = cases(TUNING), cases(HOLDOUT)
    assert {c.kind for c in holdout} == {c.kind for c in tuning}
    assert not {c.id for c in tuning} & {c.id for c in holdout}
    assert not {c.question.lower() for c in tuning} & {c.question.lower() for c in holdout}


@pytest.mark.parametrize("name", [TUNING, HOLDOUT])
def test_every_key_fact_is_stated_by_an_approved_relevant_document(
    name: str, corpus: dict[str, tuple[str, str]]
) -> None:
    for case in cases(name):
        if case.must_refuse:
            assert not case.expect_any and not case.relevant, case.id
            continue
        assert case.expect_any and case.relevant, case.id
        unknown = [s for s in case.relevant if s not in corpus]
        assert not unknown, f"{case.id}: relevant ids not in the corpus: {unknown}"
        assert all(corpus[s][0] == "approved" for s in case.relevant), case.id
        assert all(grade in (1, 2) for grade in case.relevant.values()), case.id
        texts = [corpus[s][1] for s in case.relevant]
        grounded = [a for a in case.expect_any if any(re.search(a, t, re.I) for t in texts)]
        assert grounded, f"{case.id}: no key fact of {case.expect_any} in its relevant sources"


@pytest.mark.parametrize("name", [TUNING, HOLDOUT])
def test_each_config_runs_its_cases_over_the_new_corpus_with_the_issue_9_bars(
    name: str, tmp_path: Path
) -> None:
    built = build(name, tmp_path)
    assert built.cases == DATASETS / f"{name}.jsonl" and built.cases.is_file()
    assert built.corpus == [CORPUS] and CORPUS.is_dir()
    dev = load_config(DATASETS / "followups-dev.json")
    # dev's answer rules, and floors for answered / declined right under what was measured
    rules = {k: v for k, v in built.config.thresholds.items() if k in dev.thresholds}
    assert rules == dev.thresholds
    assert {"answered_right", "declined_right"} <= set(built.config.thresholds)
    assert built.config.target_thresholds == {"answered_right": 0.85, "declined_right": 0.95}


@pytest.mark.parametrize(("name", "size", "each"), [(CLAIMS, 60, 4), (CLAIMS_HOLDOUT, 24, 2)])
def test_the_claims_are_faithful_paraphrases_and_minimal_corruptions_of_every_kind(
    name: str, size: int, each: int
) -> None:
    group = claims(name)
    assert len(group) >= size and len({c.id for c in group}) == len(group)
    kinds = Counter(c.kind for c in group)
    assert 0.35 <= kinds["paraphrase"] / len(group) <= 0.45, kinds
    assert all(kinds[k] >= each for k in CORRUPTIONS), kinds
    assert set(kinds) == CORRUPTIONS | {"paraphrase"}, kinds
    assert all(c.supported == (c.kind == "paraphrase") for c in group)


def test_held_out_claims_are_not_tuning_claims() -> None:
    tuning, holdout = claims(CLAIMS), claims(CLAIMS_HOLDOUT)
    assert not {c.id for c in tuning} & {c.id for c in holdout}
    assert not {c.sentence for c in tuning} & {c.sentence for c in holdout}


def test_a_corrupted_claim_is_never_a_paraphrase_in_the_other_set() -> None:
    both = claims(CLAIMS) + claims(CLAIMS_HOLDOUT)
    supported = {c.sentence for c in both if c.supported}
    assert not [c.id for c in both if not c.supported and c.sentence in supported]


@pytest.mark.parametrize("name", [CLAIMS, CLAIMS_HOLDOUT])
def test_claims_cite_approved_documents_with_matching_markers(
    name: str, corpus: dict[str, tuple[str, str]]
) -> None:
    for claim in claims(name):
        markers = set(re.findall(r"\[(\d+)\]", claim.sentence))
        assert markers == set(claim.citations), claim.id
        for doc in claim.citations.values():
            assert doc in corpus and corpus[doc][0] == "approved", f"{claim.id}: {doc}"


def numbers_not_stated(sentence: str, passage: str) -> list[str]:
    """Numbers of ``sentence`` that ``passage`` states neither as written nor in a unit
    a thousand times bigger or smaller (0.5 mg = 500 micrograms, 1 L = 1000 mL)."""
    stated = {float(n) for n in NUMBER.findall(passage)}
    missing = []
    for number in NUMBER.findall(re.sub(r"\[\d+\]", "", sentence)):
        value = float(number)
        if not {value, round(value * 1000, 6), round(value / 1000, 9)} & stated:
            missing.append(number)
    return missing


@pytest.mark.parametrize("name", [CLAIMS, CLAIMS_HOLDOUT])
def test_every_paraphrase_number_is_stated_by_its_cited_document(
    name: str, corpus: dict[str, tuple[str, str]]
) -> None:
    for claim in claims(name):
        if claim.supported:
            cited = " ".join(corpus[doc][1] for doc in claim.citations.values())
            missing = numbers_not_stated(claim.sentence, cited)
            assert not missing, f"{claim.id}: {missing} not in {list(claim.citations.values())}"


def test_the_paraphrase_number_check_accepts_units_and_catches_new_numbers() -> None:
    passage = "Adrenaline 500 micrograms (0.5 mL); fluids 500-1000 mL for adults."
    assert numbers_not_stated("Adults get 0.5 mg and 500 mL to 1 L [1].", passage) == []
    assert numbers_not_stated("Adults get 300 micrograms, twice in 5 minutes [1].", passage) == [
        "300",
        "5",
    ]
