"""Named things as concepts, ages by band, advice by polarity, routes and settings (issue 20
items 1 and 4): the claim names what its support names, by any name; a neighbour of it - another
condition, class, age band, route, setting or the opposite advice - is removed with its reason.
"""

from __future__ import annotations

import pytest

from assistant.meaning import meaning_problem
from assistant.meaning.advice import AGAINST, FOR, advice
from assistant.meaning.ages import ages

KEPT = [
    (
        "Calpol can be given for fever after vaccination.",
        "Paracetamol can be given for fever after vaccination.",
    ),
    (
        "Magnesium sulfate is given to women with pre-eclampsia.",
        "Magnesium sulfate is given to women with pre-eclampsia.",
    ),
    (  # a member of the class, in a claim about safety
        "Naltrexone is contraindicated in patients taking oxycodone.",
        "Naltrexone is contraindicated in patients receiving opioid analgesics.",
    ),
    (  # an age group named by a band inside its ages
        "A child aged 5 to under 10 years gets the 7.5 mg syringe.",
        "From 5 years to less than 10 years the dose is the 7.5 mg syringe.",
    ),
    (
        "Infants with bronchiolitis are given oxygen.",
        "Children with bronchiolitis are given oxygen.",
    ),
    (
        "NICE advises against using salbutamol for bronchiolitis.",
        "The guideline says not to use salbutamol to treat bronchiolitis.",
    ),
    (
        "Buccal midazolam is given in the community.",
        "Buccal midazolam or rectal diazepam is given in the community.",
    ),
    (
        "Cross-reactivity is driven by glial inflammation.",
        "Cross-reactivity is driven by glial inflammatory responses.",
    ),
]

REMOVED = [
    (
        "Magnesium sulfate is given to women with eclampsia.",
        "Magnesium sulfate is given to women with pre-eclampsia.",
        "'eclampsia' is not named",
    ),
    (
        "Cefuroxime is contraindicated after hypersensitivity to penicillins.",
        "Cefuroxime is contraindicated after hypersensitivity to cephalosporins.",
        "'penicillins' is not named",
    ),
    (  # a class member outside safety: the class is no dose of its member
        "Oxycodone is given at 5 mg.",
        "Opioid analgesics are given at 5 mg.",
        "'Oxycodone' is not named",
    ),
    (
        "Children aged 6-12 years receive adrenaline 150 micrograms.",
        "Children 6 months to 6 years receive adrenaline 150 micrograms.",
        "'6-12 years'",
    ),
    (
        "In 90% of adolescents the cough resolves within 3 weeks.",
        "In 90% of infants the cough resolves within 3 weeks.",
        "ages",
    ),
    (
        "Children with pharyngitis take cefuroxime axetil 250 mg.",
        "Adult and adolescent patients with pharyngitis take cefuroxime axetil 250 mg.",
        "ages",
    ),
    (
        "Antidiarrhoeal medicines are recommended for gastroenteritis.",
        "Antidiarrhoeal medicines should not be used for gastroenteritis.",
        "",
    ),
    (
        "Buccal lorazepam is given in the community.",
        "Buccal midazolam in the community, or intravenous lorazepam in hospital, is given.",
        "buccal",
    ),
    (
        "Intravenous lorazepam is given in the community.",
        "Intravenous lorazepam is given in hospital.",
        "setting",
    ),
    (  # two drugs' values swapped
        "Seizures stopped in 60% of children given phenytoin and 50% given levetiracetam.",
        "Seizures stopped in 60% of children given levetiracetam and 50% of those given phenytoin.",
        "'levetiracetam' 60%, not 50%",
    ),
    (
        "A history of penicillin anaphylaxis allows cephalosporins.",
        "A history of a non-anaphylactic reaction to penicillin allows cephalosporins.",
        "'anaphylaxis' is not named",
    ),
]


@pytest.mark.parametrize(("claim", "support"), KEPT)
def test_the_same_thing_named_another_way_is_kept(claim: str, support: str) -> None:
    assert meaning_problem(claim, support) is None


@pytest.mark.parametrize(("claim", "support", "why"), REMOVED)
def test_a_neighbouring_thing_is_removed_with_its_reason(
    claim: str, support: str, why: str
) -> None:
    problem = meaning_problem(claim, support)
    assert problem is not None and why in problem, problem


def test_the_titles_one_topic_is_what_its_sentences_are_about() -> None:
    claim = "Fluids are given by nasogastric tube to a child with bronchiolitis who cannot drink."
    support = "Fluids are given by nasogastric tube if the child cannot take enough by mouth."
    assert meaning_problem(claim, support, "Bronchiolitis in children") is None
    swapped = "High-flow oxygen is started when saturation stays below 92%."
    given = "Bilevel NIV is started when saturation stays below 92%."
    title = "CPAP, bilevel NIV and high-flow oxygen"
    assert "names 'Bilevel NIV'" in (meaning_problem(swapped, given, title) or "")


def test_a_condition_named_only_broadly_by_the_title_is_not_named() -> None:
    claim = "After penicillin anaphylaxis, cephalosporins can be given."
    support = "After a penicillin reaction, cephalosporins can be given."
    assert meaning_problem(claim, support, "Drug allergy: a practice parameter") is not None
    assert meaning_problem(claim, support, "Penicillin anaphylaxis") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is not recommended", AGAINST),
        ("advises against using salbutamol", AGAINST),
        ("should be avoided", AGAINST),
        ("is contraindicated", AGAINST),
        ("is not contraindicated", FOR),
        ("is suggested", FOR),
        ("a vaccine against measles", None),
        ("the dose is 4 mg", None),
    ],
)
def test_the_polarity_of_advice(text: str, expected: str | None) -> None:
    assert advice(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("children 6 months to 6 years", [(0.5, 6.0)]),
        ("adults and children over 12 years", [(12.0, 130.0)]),  # adults are over 12 too
        ("any child under 16", [(0.0, 16.0)]),
        ("babies of 35 weeks' gestation", [(0.0, 1.0)]),  # gestation is no age
        ("infants", [(0.0, 1.0)]),
    ],
)
def test_ages_are_bands(text: str, expected: list[tuple[float, float]]) -> None:
    assert sorted(ages(text)) == sorted(expected)


def test_women_who_are_not_pregnant_are_non_pregnant_women() -> None:
    support = "Non-pregnant women are offered nitrofurantoin for lower urinary tract infection."
    kept = (
        "For women who are not pregnant, nitrofurantoin is offered for lower urinary tract "
        "infection."
    )
    assert meaning_problem(kept, support) is None
    wrong = (
        "For women who are pregnant, nitrofurantoin is offered for lower urinary tract infection."
    )
    assert meaning_problem(wrong, support) is not None
