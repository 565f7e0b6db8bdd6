"""Faithful restatements in other words are kept, minimal corruptions of them removed
(issue 20): each case is one supporting sentence, a faithful claim and a wrong claim that
changes one thing. A check that kept both, or removed both, would be no check.

The sentences are our own, written for these tests, in clinical areas of every kind.
"""

from __future__ import annotations

import pytest

from assistant.config import LLMSettings
from assistant.language.quantities import quantities
from assistant.language.sentences import clauses
from assistant.language.terminology import default_terminology
from assistant.meaning import meaning_problem
from assistant.meaning.lexicon import entities
from assistant.meaning.value_text import normalize
from assistant.meaning.values import claim_facts, grounded, side
from assistant.verify import check_sentences
from assistant.verify.support import Evidence, support_problem

# (supporting sentence, faithful claim, corrupted claim)
CASES = {
    "'without waiting' is a time, not a denial": (
        "Antibiotics are started immediately, before the culture results are known.",
        "Antibiotics are started at once, without waiting for the culture results.",
        "Antibiotics are not started before the culture results are known.",
    ),
    "'lack of' a nutrient is its deficiency": (
        "Oral folic acid is given for folate-deficient anaemia at 5 mg once a day.",
        "Anaemia due to lack of folate is treated with oral folic acid 5 mg once a day.",
        "Anaemia due to lack of folate is treated with oral folic acid 5 mg twice a day.",
    ),
    "'not used more often than' is a maximum": (
        "The drops are not used more often than twice a day, because more frequent use causes "
        "irritation.",
        "The drops go in twice a day only, because using them more often causes irritation.",
        "The drops go in three times a day, because using them more often causes irritation.",
    ),
    "a negated comparative is a maximum": (
        "Topical mometasone is not used on the face for longer than 5 days.",
        "Topical mometasone should be used on the face for no more than 5 days.",
        "Topical mometasone should be used on the face for at least 5 days.",
    ),
    "a comparative of the low end is a bound below": (
        "Surgery is considered when the stone is smaller than 10 mm.",
        "Surgery is considered for a stone of less than 10 mm.",
        "Surgery is considered for a stone of more than 10 mm.",
    ),
    "any comparative before 'than' is a bound": (
        "Referral is advised when the cyst is wider than 5 cm.",
        "Referral is advised for a cyst over 5 cm.",
        "Referral is advised for a cyst under 5 cm.",
    ),
    "a limit set on a value is a maximum": (
        "Salt intake is limited to 6 g a day.",
        "Salt intake should be no more than 6 g a day.",
        "Salt intake should be at least 6 g a day.",
    ),
    "a negation past a verb turns the comparator": (
        "The dose of prednisolone should not go above 60 mg a day.",
        "Prednisolone is given up to a maximum of 60 mg a day.",
        "Prednisolone is given at more than 60 mg a day.",
    ),
    "a maximum named before a list of values": (
        "Maximum daily doses were set at 2 g for adults and 1 g for people with liver disease.",
        "People with liver disease should take no more than 1 g a day.",
        "People with liver disease should take at least 1 g a day.",
    ),
    "values offered as alternatives are stated together": (
        "In mild (eGFR 60-89) or moderate (eGFR 30-59) impairment the dose is 50 mg once daily, "
        "and the drug is avoided when eGFR is below 15.",
        "With an eGFR of 30-59 the dose is 50 mg once a day.",
        "With an eGFR of 30-59 the dose is 100 mg once a day.",
    ),
    "a symptom is named where the support speaks of symptoms": (
        "Ibuprofen 400 mg is taken three times a day until the symptoms have resolved.",
        "Ibuprofen 400 mg is taken three times a day until the pain has resolved.",
        "Ibuprofen 400 mg is taken three times a day until the infection has resolved.",
    ),
    "a negation reaches past a modifier": (
        "After 6 months there was no apparent benefit from vitamin D on fatigue.",
        "Vitamin D gave no benefit on fatigue after 6 months.",
        "Vitamin D gave a benefit on fatigue after 6 months.",
    ),
    "a range of counts written in words": (
        "Paracetamol 1 g is given 3 to 4 times a day.",
        "Paracetamol 1 g is given three to four times a day.",
        "Paracetamol 1 g is given five to six times a day.",
    ),
    "a choice of counts is a range": (
        "Metoprolol is taken at 50 mg 2 to 3 times a day.",
        "Metoprolol is taken at 50 mg two or three times daily.",
        "Metoprolol is taken at 50 mg four or five times daily.",
    ),
    "a rate a week": (
        "Physiotherapy sessions are held 3 times weekly for 6 weeks.",
        "Physiotherapy sessions are held three times a week for 6 weeks.",
        "Physiotherapy sessions are held three times a day for 6 weeks.",
    ),
    "a count written out": (
        "Adults should eat at least five portions of fruit and vegetables a day.",
        "Adults should eat 5 or more portions of fruit and vegetables a day.",
        "Adults should eat 3 or more portions of fruit and vegetables a day.",
    ),
    "a class named by its words in another order": (
        "Diuretics (particularly loop diuretics) can lower plasma potassium.",
        "Loop diuretics can lower plasma potassium.",
        "Thiazide diuretics can lower plasma potassium.",
    ),
    "ages by sex": (
        "Screening is offered to women aged 50 and over and to men aged 60 and over.",
        "Screening is offered to every woman from age 50 and every man from age 60.",
        "Screening is offered to every man from age 50 and every woman from age 60.",
    ),
    "a marker test's result": (
        "The trial enrolled 300 patients with HER2-negative breast cancer.",
        "The trial enrolled 300 people with HER2-negative breast cancer.",
        "The trial enrolled 300 people with HER2-positive breast cancer.",
    ),
    "continued is not stopped": (
        "Metformin is continued during a mild illness if the person is eating.",
        "During a mild illness metformin can be continued if the person is eating.",
        "During a mild illness metformin is stopped if the person is eating.",
    ),
    "rare is not common": (
        "Serious liver injury with terbinafine is rare.",
        "Serious liver injury is a rare effect of terbinafine.",
        "Serious liver injury is a common effect of terbinafine.",
    ),
    "more likely is not less likely": (
        "Falls are more likely in people taking sedatives.",
        "People taking sedatives are more likely to fall.",
        "People taking sedatives are less likely to fall.",
    ),
    "less effective is not more effective": (
        "Oral iron may be less effective when it is taken with tea.",
        "Taking oral iron with tea may make it less effective.",
        "Taking oral iron with tea may make it more effective.",
    ),
    "sooner is not later": (
        "Oseltamivir works best when it is started as soon as possible after symptoms begin.",
        "Oseltamivir is best started as soon as possible once symptoms begin.",
        "Oseltamivir works best when it is started later after symptoms begin.",
    ),
    "a low dose is not a high dose": (
        "Treatment begins at a low dose of 10 mg.",
        "A low dose of 10 mg is used to begin treatment.",
        "A high dose of 10 mg is used to begin treatment.",
    ),
    "unsafe advises against": (
        "Ibuprofen is safe to use while breastfeeding.",
        "Ibuprofen can be used while breastfeeding.",
        "Ibuprofen is unsafe while breastfeeding.",
    ),
    "a rate given as its interval": (
        "The dose of lamotrigine is raised by 25 mg at intervals of at least 2 weeks.",
        "Lamotrigine is raised by 25 mg no sooner than every 2 weeks.",
        "Lamotrigine is raised by 25 mg no sooner than every week.",
    ),
    "a night-time dose": (
        "Amitriptyline 10 mg is taken at night.",
        "Amitriptyline 10 mg is taken each night.",
        "Amitriptyline 10 mg is taken twice a day.",
    ),
    "divided doses counted in words": (
        "Gabapentin 900 mg a day is given in three divided doses.",
        "Gabapentin 900 mg a day is split into 3 doses.",
        "Gabapentin 900 mg a day is split into 2 doses.",
    ),
    "older people are the older age group": (
        "Elderly patients should start on half the usual dose, 5 mg daily.",
        "Older patients should start on 5 mg daily.",
        "Younger patients should start on 5 mg daily.",
    ),
    "the first days of a course": (
        "Oseltamivir 75 mg is given twice daily on days 1 to 5.",
        "Oseltamivir 75 mg is given twice a day for the first 5 days.",
        "Oseltamivir 75 mg is given twice a day for the first 7 days.",
    ),
    "a choice of rates as a range of intervals": (
        "Patients on a stable dose are reviewed every 6 to 12 months.",
        "Patients on a stable dose are reviewed once or twice a year.",
        "Patients on a stable dose are reviewed four times a year.",
    ),
    "the steps of a regimen, each stated together": (
        "Prednisolone is given as 40 mg once daily on days 1 to 5, 20 mg once daily on days 6 "
        "to 10, and then stopped.",
        "Prednisolone is 40 mg once a day for the first 5 days, 20 mg once a day for days 6 to 10.",
        "Prednisolone is 20 mg once a day for the first 5 days, 40 mg once a day for days 6 to 10.",
    ),
    "which treatment comes first": (
        "For hypertension, ACE inhibitors are offered first, and calcium channel blockers only "
        "if ACE inhibitors are not tolerated.",
        "If ACE inhibitors are not tolerated, calcium channel blockers are offered for "
        "hypertension.",
        "If calcium channel blockers are not tolerated, ACE inhibitors are offered for "
        "hypertension.",
    ),
    "an acid is the drug its anion names": (
        "Sodium valproate is started at 600 mg a day in divided doses.",
        "Valproic acid is started at 600 mg a day in divided doses.",
        "Valproic acid is started at 900 mg a day in divided doses.",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_faithful_restatement_is_kept_and_its_corruption_removed(name: str) -> None:
    support, faithful, corrupted = CASES[name]
    assert meaning_problem(faithful, support) is None
    assert meaning_problem(corrupted, support) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("an ulcer no longer than 2 cm", "below"),
        ("an ulcer not larger than 2 cm", "below"),
        ("an ulcer larger than 2 cm", "above"),
        ("a rash lasting shorter than 3 days", "below"),
        ("do not give more than 4 g", "below"),
        ("never more than 4 g", "below"),
        ("no less than 4 weeks", "above"),
        ("prescriptions are restricted to 30 days", "below"),
        ("capped at 20 mg", "below"),
    ],
)
def test_a_comparator_bounds_its_value(text: str, expected: str) -> None:
    plain = normalize(text)
    value = next(f for f in claim_facts(plain) if hasattr(f, "unit"))
    assert side(plain, value) == expected


def test_a_count_written_in_words_is_the_number() -> None:
    eight = claim_facts(normalize("8 glasses of water"))[0]
    assert grounded(eight, [normalize("eight glasses of water")])
    assert not grounded(eight, [normalize("six glasses of water")])


def test_with_or_without_food_joins_no_clauses() -> None:
    assert clauses("It is taken with or without food, at 20 mg a day") == [
        "It is taken with or without food, at 20 mg a day"
    ]
    assert len(clauses("It is taken at night or in the morning")) == 2


def test_an_everyday_participle_names_no_condition() -> None:
    terms = default_terminology()
    named = {m.concept.kind for m in entities("a triptan combined with an NSAID", terms)}
    assert "condition" not in named
    assert any(m.concept.kind == "condition" for m in entities("cancer of the bowel", terms))


def evidence(*sentences: str, context: str = "") -> list[Evidence]:
    return [Evidence(s, context, None, 1, i) for i, s in enumerate(sentences)]


def test_a_drug_inside_a_condition_name_or_brackets_changes_no_subject() -> None:
    # "Thyroid disease" names a condition, not the drug "thyroid"; "(including grapefruit
    # juice)" is an aside: the two sentences are about one drug.
    passage = evidence(
        "Levothyroxine is the usual treatment for an underactive thyroid.",
        "The starting dose is 50 micrograms a day, taken with water rather than other drinks "
        "(including grapefruit juice).",
        context="Thyroid disease: levothyroxine",
    )
    kept = "Levothyroxine is started at 50 micrograms a day for an underactive thyroid."
    assert support_problem(kept, passage) is None
    changed = "Levothyroxine is started at 100 micrograms a day for an underactive thyroid."
    assert support_problem(changed, passage) is not None


def test_a_day_number_takes_no_unit_from_the_dose_listed_after_it() -> None:
    found = quantities("0.5 mg once daily on days 1 to 3, 0.5 mg twice daily")
    assert [q.unit for q in found] == ["mg", None, "mg"]
    assert [q.unit for q in quantities("250, 500 or 1000 mg")] == ["mg", "mg", "mg"]


def test_a_restatement_in_everyday_words_keeps_enough_of_the_passage_s_words() -> None:
    """The words-in-passages rule takes the passage's words, weighted; a restatement that
    rewords the everyday ones ("anybody ... must not take") is still held, and
    one about another drug is not."""
    passage = "Mefloquine is not used by people with a history of epilepsy or convulsions."
    kept = "Anybody with a history of epilepsy or fits must not take mefloquine [1]."
    checked = check_sentences(kept, [passage], "", LLMSettings().min_support)
    assert checked.text, checked.findings
    other = "Anybody with a history of epilepsy or fits must not take doxycycline [1]."
    assert not check_sentences(other, [passage], "", LLMSettings().min_support).text
