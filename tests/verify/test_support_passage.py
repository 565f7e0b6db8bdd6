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


# One document cut into two chunks: the condition is named in the first only.
HERPES_OPENING = (
    "The guideline recommends oral antiviral treatment for a first episode of genital herpes "
    "started within 5 days of the start of the episode.",
    "Anogenital herpes: first episode (sample passage)",
)
HERPES_REGIMENS = (
    "Recommended regimens for a first episode are aciclovir 400 mg three times a day for 5 "
    "days or valaciclovir 500 mg twice a day for 5 days.",
    "Anogenital herpes: first episode (sample passage)",
)


def test_a_chunk_speaks_of_what_the_chunk_before_it_named() -> None:
    claim = (
        "For a first episode of genital herpes, valaciclovir 500 mg twice a day for 5 days is "
        "one of the recommended regimens [1]."
    )
    text, findings = check(claim, [HERPES_OPENING, HERPES_REGIMENS])
    assert text, findings
    wrong_condition = claim.replace("genital herpes", "shingles")
    assert check(wrong_condition, [HERPES_OPENING, HERPES_REGIMENS])[0] == ""


def test_a_sentence_setting_a_condition_aside_is_not_about_it() -> None:
    passage = (
        "For patients with a history of penicillin anaphylaxis, a cephalosporin with a "
        "dissimilar side chain is used. For patients with a history of a non-anaphylactic "
        "reaction to penicillin, cephalosporins can be given without prior testing.",
        "Drug allergy: cephalosporins (sample passage)",
    )
    wrong = (
        "For patients with a history of penicillin anaphylaxis, cephalosporins can be given "
        "without prior testing [1]."
    )
    assert check(wrong, [passage])[0] == ""


def test_the_one_drug_a_passage_named_is_the_drug_of_a_sentence_that_names_none() -> None:
    """With one drug named before it, a dose sentence that names none is that drug's dose;
    with two (the passage above), it is neither's."""
    passage = (
        "Levothyroxine is the usual treatment for primary hypothyroidism. Blood tests are "
        "repeated every 3 months until stable. Symptoms often take weeks to improve. The "
        "tablets are best taken before breakfast. For adults under 65 with no cardiovascular "
        "disease, the starting dose is 1.6 micrograms/kg a day.",
        "Hypothyroidism: treatment (sample passage)",
    )
    kept = "Adults under 65 can start levothyroxine at 1.6 micrograms/kg a day [1]."
    text, findings = check(kept, [passage])
    assert text, findings
    wrong = "Adults under 65 can start liothyronine at 1.6 micrograms/kg a day [1]."
    assert check(wrong, [passage])[0] == ""


GCA = (
    "Glucocorticoids are started at once when giant cell arteritis is strongly suspected. "
    "People without visual symptoms take prednisolone 40 to 60 mg a day by mouth. Visual "
    "loss is an emergency: intravenous methylprednisolone may be given first.",
    "Giant cell arteritis: treatment (sample passage)",
)


def test_another_sentence_does_not_contradict_what_the_support_says_the_same_way() -> None:
    """ "no visual symptoms" is what the support says ("without visual symptoms"); the next
    sentence, on visual loss, speaks of other people. Saying the opposite of the support is
    still removed."""
    faithful = (
        "People with suspected giant cell arteritis and no visual symptoms take 40 to 60 mg "
        "of prednisolone a day [1]."
    )
    text, findings = check(faithful, [GCA])
    assert text, findings
    wrong = (
        "People with suspected giant cell arteritis and visual symptoms take 40 to 60 mg of "
        "prednisolone a day by mouth [1]."
    )
    text, findings = check(wrong, [GCA])
    assert text == "" and findings


OAB = (
    "Before an antimuscarinic is started for overactive bladder, the woman's other conditions "
    "and medicines are taken into account. A face-to-face or telephone review is offered 4 "
    "weeks after each new OAB medicine is started.",
    "Overactive bladder in women: medicines (sample passage)",
)


def test_a_sex_the_support_leaves_unsaid_is_the_passage_s() -> None:
    """The passage is on women: "a woman ... is reviewed at 4 weeks" is what it says; "a man"
    is not."""
    text, findings = check(
        "A woman with overactive bladder is reviewed 4 weeks after a new medicine is started [1].",
        [OAB],
    )
    assert text, findings
    text, findings = check(
        "A man with overactive bladder is reviewed 4 weeks after a new medicine is started [1].",
        [OAB],
    )
    assert text == "" and findings
