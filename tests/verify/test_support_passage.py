"""Support read with the passage around a sentence: a sentence that names no condition or
population is about the one its passage named before it; a drug is never carried over; and
a claim of several parts held by one sentence must find each part there."""

from __future__ import annotations

from tests.support.sample_passages import check_citing_all as check

ACICLOVIR = (
    "Aciclovir for shingles in adults is 800 mg five times a day for 7 days. The dose is "
    "reduced in renal impairment: to 800 mg twice a day when creatinine clearance is below "
    "10 mL/minute.",
    "Aciclovir: dosing (sample passage)",
)
IRON = (
    "Ferrous sulfate 200 mg once a day is usual, and ferrous fumarate or ferrous gluconate "
    "are alternatives if it is not tolerated.",
    "Iron deficiency anaemia: oral iron treatment (sample passage)",
)
TWO_DRUGS = (
    "Hydroxocobalamin is given by intramuscular injection. Cyanocobalamin tablets are taken "
    "by mouth. The dose is 1 mg every 3 months.",
    "Vitamin B12 replacement (sample passage)",
)


def test_a_sentence_naming_no_condition_speaks_of_the_passage_s() -> None:
    claim = "For shingles, aciclovir is reduced to 800 mg twice a day below 10 mL/minute [1]."
    text, findings = check(claim, [ACICLOVIR])
    assert text, findings


def test_a_drug_named_earlier_is_not_carried_to_a_sentence_that_names_none() -> None:
    wrong = "The hydroxocobalamin tablet dose is 1 mg every 3 months [1]."
    text, findings = check(wrong, [TWO_DRUGS])
    assert text == "" and findings


def test_an_added_clause_is_not_hidden_by_the_share_of_the_whole() -> None:
    added = (
        "Ferrous sulfate 200 mg once a day is usual for iron deficiency anaemia, and taking "
        "it with orange juice doubles its absorption [1]."
    )
    text, findings = check(added, [IRON])
    assert text == ""
    assert "orange juice" in " ".join(findings)
    faithful = "Ferrous sulfate 200 mg once a day is usual for iron deficiency anaemia [1]."
    assert check(faithful, [IRON])[0]
