"""The parts of a question (assistant.question_parts): each asks one thing, carries the
question's context, and a part that names no subject is about its question's subjects."""

from __future__ import annotations

import pytest

from assistant.config import PACKAGE_DATA, Settings
from assistant.coverage import CoverageLevel, assess
from assistant.language.terminology import load_terminology
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.question_parts import parts_of, split_question, with_parts
from assistant.understand import ConceptKind, Understander

VOCABULARY = ["naltrexone", "low-dose", "opioid", "analgesics", "contraindicated", "tablet"]


@pytest.fixture(scope="module")
def understander() -> Understander:
    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    terminology = load_terminology(Settings().index.terminology_cache, hand, VOCABULARY)
    return Understander(VOCABULARY, terminology)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Can the chewable tablet be crushed for a 2 year old, and does it need to be repeated?",
            ["Can the chewable tablet be crushed for a 2 year old", "does it need to be repeated?"],
        ),
        (
            "How long does it take to work and what side effects?",
            ["How long does it take to work", "what side effects?"],
        ),
        (
            "What is the half-life of naltrexone, and at what dose is the blockade full?",
            ["What is the half-life of naltrexone", "at what dose is the blockade full?"],
        ),
        (
            "In KEYNOTE-355, what was the progression-free survival and the overall survival?",
            [
                "In KEYNOTE-355, what was the progression-free survival?",
                "In KEYNOTE-355, what was the overall survival?",
            ],
        ),
        (
            "Two things: how much fluid goes into the bladder, and does it need emptying?",
            ["how much fluid goes into the bladder", "does it need emptying?"],
        ),
        ("what dose and how often?", ["what dose", "how often?"]),
        (  # a terse ask for the first-line treatment is a part of its own
            "renal colic - first line pain relief, and is hyoscine worth adding?",
            [
                "renal colic - first line pain relief",
                "renal colic - pain relief, is hyoscine worth adding?",
            ],
        ),
        (  # leading words that ask by themselves are a part too
            "LDN dose for fibromyalgia, how long for, and is it safe in pregnancy?",
            [
                "LDN dose for fibromyalgia",
                "LDN for fibromyalgia, how long for",  # asked of its subject, not its dose
                "LDN for fibromyalgia, is it safe in pregnancy?",
            ],
        ),
        (  # a first part asking after its subject: later parts are asked of it too
            "naltrexone for fibromyalgia in pregnancy - how much, and where is it kept?",
            [
                "naltrexone for fibromyalgia in pregnancy - how much",
                "naltrexone for fibromyalgia in pregnancy, where is it kept?",
            ],
        ),
        (  # "ok if" asks without a question word
            "naltrexone tablets - how often, and ok if she's breastfeeding?",
            ["naltrexone tablets - how often", "naltrexone tablets, ok if she's breastfeeding?"],
        ),
        (  # one terse ask and one question: two parts, the second led by the first
            "naltrexone - adult dose, and is it ok in pregnancy?",
            ["naltrexone - adult dose", "naltrexone - adult, is it ok in pregnancy?"],
        ),
        (  # a terse ask joined by "and", or by "then"
            "naltrexone - starting dose and how long will she need it?",
            ["naltrexone - starting dose", "naltrexone - starting, how long will she need it?"],
        ),
        (
            "fibromyalgia flare: first LDN dose, then what next?",
            ["fibromyalgia flare: first LDN dose", "fibromyalgia flare: first LDN, what next?"],
        ),
        (  # a question opened after a note's dash
            "fibromyalgia in a 40 year old - can she still work, and when do I review her?",
            [
                "fibromyalgia in a 40 year old - can she still work",
                "fibromyalgia in a 40 year old, when do I review her?",
            ],
        ),
    ],
)
def test_a_question_asking_several_things_is_cut_into_its_parts(
    question: str, parts: list[str]
) -> None:
    assert split_question(question)[1] == parts


@pytest.mark.parametrize(
    "question",
    [
        "Is it safe in pregnancy and breastfeeding?",
        "At what dose does naltrexone change from partial to full opioid blockade?",
        "she takes oxycodone for bad flares though, is that going to be a problem with LDN?",
        "What is the dose for pharyngitis and tonsillitis?",
    ],
)
def test_a_question_asking_one_thing_stays_whole(question: str) -> None:
    assert split_question(question) == ("", [question])


def test_a_dose_named_in_a_note_is_no_ask_of_its_own() -> None:
    """ "vomited 30 minutes after the dose, does she repeat it?" asks one thing: "the dose"
    is what happened, not a dose asked for."""
    question = "mebendazole - vomited 30 mins after the dose, does she repeat it?"
    assert split_question(question) == ("", [question])


def test_a_part_naming_no_subject_is_about_its_question_subjects(
    understander: Understander,
) -> None:
    understood = understander.understand(
        "Can LDN be taken with tramadol, and is it safe in pregnancy?"
    )
    assert len(understood.questions) == 1
    parts = parts_of(understood.questions[0], understander.concepts)
    assert [p.text for p in parts] == ["Can LDN be taken with tramadol", "is it safe in pregnancy?"]
    second = {c.label for c in parts[1].concepts}
    assert {"pregnancy", "low-dose naltrexone", "tramadol"} <= second
    assert all(c.kind is not ConceptKind.QUALIFIER for c in parts[0].concepts)


def test_coverage_judges_each_part_so_an_uncovered_part_does_not_sink_the_message(
    understander: Understander,
) -> None:
    message = "Can LDN be taken with tramadol, and is it safe in pregnancy?"
    passage = (
        "Low-dose naltrexone dosing\nNaltrexone is contraindicated in patients receiving opioid "
        "analgesics, including tramadol."
    )
    whole = understander.understand(message)
    split = with_parts(whole, understander.concepts)
    verdicts = [
        assess(
            u, [passage], 0.6, terminology=understander.terminology, floor=0.2, min_evidence=0.42
        )
        for u in (whole, split)
    ]
    assert verdicts[0].level is CoverageLevel.NONE  # one question: pregnancy sinks it
    assert verdicts[1].level is CoverageLevel.PARTIAL
    assert any("pregnancy" in u for u in verdicts[1].uncovered)
