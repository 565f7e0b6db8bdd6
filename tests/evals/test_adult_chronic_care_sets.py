"""The adult chronic care follow-ups and claims sets are what evals/README.md says, and grounded.

Both sets measure first contact: the product is run on them once, before any code changes
for this corpus, so the whole of each set is unseen and there is no held-out split.
Follow-ups (issue 19 item 4): every wording and must-decline kind, every key fact stated by
an approved relevant document. Claims (issue 20 item 6): about 40 % faithful paraphrases and
minimal corruptions of every kind, each citing an approved document, every paraphrase's
numbers stated by what it cites.
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
CORPUS = ROOT / "evals" / "corpora" / "adult-chronic-care"
FOLLOWUPS, CLAIMS = "followups-adult-chronic-care", "claims-adult-chronic-care"
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
# What only the under_review (dabigatran) and submitted (semaglutide) articles state.
UNAPPROVED_WORDS = re.compile(r"dabigatran|pradaxa|semaglutide|ozempic", re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    """document id -> (status, plain text) of the adult chronic care corpus."""
    loaded = load_corpus([CORPUS])
    assert not loaded.errors
    return {d.id: (d.status, answer_text(d.text)) for d in loaded.documents}


def cases() -> list[EvalCase]:
    return load_cases(DATASETS / f"{FOLLOWUPS}.jsonl")


def claims() -> list[Claim]:
    return load_claims(DATASETS / f"{CLAIMS}.jsonl")


def test_the_followups_have_the_size_and_mix_the_issue_asks_for() -> None:
    group = cases()
    declines = [c for c in group if c.must_refuse]
    assert len(group) >= 64 and len(declines) >= 22
    assert 0.2 < len(declines) / len(group) < 0.45
    assert len({c.id for c in group}) == len(group)
    for case in group:
        allowed = DECLINES if case.must_refuse else WORDINGS
        assert case.kind in allowed, f"{case.id}: kind {case.kind!r}"
    kinds = Counter(c.kind or "" for c in group)
    assert set(kinds) >= WORDINGS, WORDINGS - set(kinds)
    assert set(kinds) >= DECLINES, DECLINES - set(kinds)
    neighbours = ("must_decline_population", "must_decline_drug", "must_decline_indication")
    assert all(kinds[k] >= 4 for k in neighbours), kinds
    follow_ups = [c for c in group if c.history]
    assert len(follow_ups) >= len(group) // 8
    assert any(c.must_refuse for c in follow_ups) and not all(c.must_refuse for c in follow_ups)


def test_every_key_fact_is_stated_by_an_approved_relevant_document(
    corpus: dict[str, tuple[str, str]],
) -> None:
    for case in cases():
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


def test_unapproved_cases_name_what_only_the_non_approved_articles_state(
    corpus: dict[str, tuple[str, str]],
) -> None:
    approved = " ".join(text for status, text in corpus.values() if status == "approved")
    assert not UNAPPROVED_WORDS.search(approved)
    for case in cases():
        asked = " ".join([*case.history, case.question])
        if case.kind == "unapproved":
            assert UNAPPROVED_WORDS.search(asked), case.id
        elif not case.must_refuse:
            assert not UNAPPROVED_WORDS.search(asked), case.id


def test_the_config_runs_the_cases_over_the_new_corpus_with_the_issue_9_bars(
    tmp_path: Path,
) -> None:
    built = build(FOLLOWUPS, tmp_path)
    assert built.cases == DATASETS / f"{FOLLOWUPS}.jsonl" and built.cases.is_file()
    assert built.corpus == [CORPUS] and CORPUS.is_dir()
    dev = load_config(DATASETS / "followups-dev.json")
    # dev's answer rules, and floors for answered / declined right under what was measured
    rules = {k: v for k, v in built.config.thresholds.items() if k in dev.thresholds}
    assert rules == dev.thresholds
    assert {"answered_right", "declined_right"} <= set(built.config.thresholds)
    assert built.config.target_thresholds == {"answered_right": 0.85, "declined_right": 0.95}


def test_the_claims_are_faithful_paraphrases_and_minimal_corruptions_of_every_kind() -> None:
    group = claims()
    assert len(group) >= 64 and len({c.id for c in group}) == len(group)
    kinds = Counter(c.kind for c in group)
    assert 0.35 <= kinds["paraphrase"] / len(group) <= 0.45, kinds
    assert all(kinds[k] >= 5 for k in CORRUPTIONS), kinds
    assert set(kinds) == CORRUPTIONS | {"paraphrase"}, kinds
    assert all(c.supported == (c.kind == "paraphrase") for c in group)


def test_a_corrupted_claim_is_never_also_a_paraphrase() -> None:
    group = claims()
    supported = {c.sentence for c in group if c.supported}
    assert not [c.id for c in group if not c.supported and c.sentence in supported]
    assert len({c.sentence for c in group}) == len(group)


def test_claims_cite_approved_documents_with_matching_markers(
    corpus: dict[str, tuple[str, str]],
) -> None:
    for claim in claims():
        markers = set(re.findall(r"\[(\d+)\]", claim.sentence))
        assert markers == set(claim.citations), claim.id
        for doc in claim.citations.values():
            assert doc in corpus and corpus[doc][0] == "approved", f"{claim.id}: {doc}"


def numbers_not_stated(sentence: str, passage: str) -> list[str]:
    """Numbers of ``sentence`` that ``passage`` states neither as written nor in a unit
    a thousand times bigger or smaller (1 g = 1000 mg, 0.5 mg = 500 micrograms)."""
    stated = {float(n) for n in NUMBER.findall(passage)}
    missing = []
    for number in NUMBER.findall(re.sub(r"\[\d+\]", "", sentence)):
        value = float(number)
        if not {value, round(value * 1000, 6), round(value / 1000, 9)} & stated:
            missing.append(number)
    return missing


def test_every_paraphrase_number_is_stated_by_its_cited_document(
    corpus: dict[str, tuple[str, str]],
) -> None:
    for claim in claims():
        if claim.supported:
            cited = " ".join(corpus[doc][1] for doc in claim.citations.values())
            missing = numbers_not_stated(claim.sentence, cited)
            assert not missing, f"{claim.id}: {missing} not in {list(claim.citations.values())}"


def test_every_corruption_changes_its_cited_document_but_keeps_its_numbers_close(
    corpus: dict[str, tuple[str, str]],
) -> None:
    """A corruption is minimal: at most one number its cited document does not state, and
    the sentence is not a copy of one the document states."""
    for claim in claims():
        if not claim.supported:
            cited = " ".join(corpus[doc][1] for doc in claim.citations.values())
            assert len(numbers_not_stated(claim.sentence, cited)) <= 1, claim.id
            bare = re.sub(r"\s*\[\d+\]", "", claim.sentence).rstrip(".")
            assert bare.lower() not in cited.lower(), claim.id


def test_the_paraphrase_number_check_accepts_units_and_catches_new_numbers() -> None:
    passage = "Metformin up to 3 g daily; 1000 mg at a GFR of 30-44 mL/min."
    assert numbers_not_stated("No more than 3000 mg a day, 1 g at 30-44 [1].", passage) == []
    assert numbers_not_stated("No more than 2 g a day, below 45 [1].", passage) == ["2", "45"]
