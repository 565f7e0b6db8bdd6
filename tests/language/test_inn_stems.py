"""Drug classes read from INN stems: a class passage speaks of its members."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PACKAGE_DATA, Settings
from assistant.coverage import assess
from assistant.errors import ConfigError
from assistant.language.terminology import Terminology, load_terminology
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.language.terminology.stems import load_stems
from assistant.understand import Understander

ENTRESTO = (
    "Entresto must not be given with an ACE inhibitor and is started no sooner than 36 hours "
    "after the last ACE inhibitor dose, because of the risk of angioedema."
)


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    return load_terminology(Settings().index.terminology_cache, hand)


def _classes(terminology: Terminology, drug: str) -> set[str]:
    (concept,) = [c for c in terminology.lookup(drug) if c.kind == "drug"][:1]
    return set(concept.broader)


@pytest.mark.parametrize(
    ("drug", "klass"),
    [
        ("ramipril", "drug:angiotensin-converting enzyme inhibitors"),
        ("candesartan", "drug:angiotensin receptor antagonists"),
        ("bisoprolol", "drug:adrenergic beta-antagonists"),
        ("doxazosin", "drug:adrenergic alpha-1 receptor antagonists"),
        ("omeprazole", "drug:proton pump inhibitors"),
        ("enoxaparin", "drug:heparin, low-molecular-weight"),
        ("prednisolone", "drug:glucocorticoids"),
        ("clarithromycin", "class:macrolides"),
    ],
)
def test_a_drug_belongs_to_the_class_its_stem_names(
    terminology: Terminology, drug: str, klass: str
) -> None:
    assert klass in _classes(terminology, drug)


@pytest.mark.parametrize(
    ("drug", "not_klass"),
    [
        ("aripiprazole", "drug:proton pump inhibitors"),  # "-piprazole" is no "-prazole"
        ("histidine", "drug:histamine h2 antagonists"),  # nor "-stidine" a "-tidine"
        ("heparin", "drug:heparin, low-molecular-weight"),  # nor "heparin" a "-parin"
    ],
)
def test_a_name_that_only_ends_like_a_stem_gets_no_class(
    terminology: Terminology, drug: str, not_klass: str
) -> None:
    assert not_klass not in _classes(terminology, drug)


def test_the_class_is_read_by_the_names_clinicians_write(terminology: Terminology) -> None:
    for written in ("beta-blockers", "a beta blocker", "alpha-blockers", "corticosteroids"):
        assert [m for m in terminology.scan(written) if m.concept.kind == "class"], written


def test_a_class_passage_covers_a_question_about_a_member(terminology: Terminology) -> None:
    understander = Understander(["entresto", "inhibitor", "angioedema"], terminology)
    understood = understander.understand("is ramipril ok to take alongside Entresto?")
    found = assess(understood, [ENTRESTO], 0.6, terminology=terminology, floor=0.2,
                   min_evidence=0.42)  # fmt: skip
    assert "ramipril" not in " ".join(found.uncovered)


def test_a_bad_stems_table_is_a_config_error_naming_the_entry(tmp_path: Path) -> None:
    (tmp_path / "inn_stems.v1.yaml").write_text("stems:\n  - class: statins\n")
    with pytest.raises(ConfigError, match="entry 1"):
        load_stems(tmp_path)


def test_the_quantity_asked_is_asked_of_the_drug_named_nearest_it(
    terminology: Terminology,
) -> None:
    """ "switching ramipril to Entresto - how long a gap?" asks Entresto's wait, which the
    passage gives; "how long is ramipril given for?" asks ramipril's, which it does not."""
    understander = Understander(["entresto", "inhibitor", "angioedema"], terminology)

    def uncovered(question: str) -> tuple[str, ...]:
        understood = understander.understand(question)
        found = assess(understood, [ENTRESTO], 0.6, terminology=terminology, floor=0.2,
                       min_evidence=0.42)  # fmt: skip
        return found.uncovered

    assert uncovered("switching ramipril to Entresto - how long a gap do I need?") == ()
    assert uncovered("how long is ramipril given for before Entresto?")
