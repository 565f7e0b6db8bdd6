"""What a passage about a drug class says of its members: their safety, never their dose or
how long they are taken."""

from __future__ import annotations

from assistant.config import PACKAGE_DATA, Settings
from assistant.coverage import assess
from assistant.language.terminology import load_terminology
from assistant.language.terminology.hand import load_hand_lexicon
from assistant.understand import Understander

VOCABULARY = ["acitretin", "isotretinoin", "retinoid", "pregnancy", "contraception", "month"]

RETINOIDS = (
    "Oral retinoid medicines: pregnancy prevention.\n"
    "Oral acitretin and isotretinoin are contraindicated in pregnancy. For isotretinoin, "
    "contraception is used for 1 month after stopping."
)


def test_a_class_title_gives_no_member_a_duration_its_sentences_give_another() -> None:
    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    terminology = load_terminology(Settings().index.terminology_cache, hand, VOCABULARY)
    understander = Understander(VOCABULARY, terminology)
    understood = understander.understand(
        "acitretin: how long after stopping does she need to avoid getting pregnant?"
    )
    found = assess(
        understood, [RETINOIDS], 0.6, terminology=terminology, floor=0.2, min_evidence=0.42
    )
    assert found.declines
    assert found.uncovered == ("how long acitretin takes or lasts",)
