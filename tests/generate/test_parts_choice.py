"""Which sentence answers which part of a question (assistant.generate.parts_choice and
choice.Choice.per_part)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from assistant.config import AnswerSettings
from assistant.generate.base import AskedConcept, AskedPart
from assistant.generate.choice import Choice
from assistant.generate.parts_choice import asked, load_aspects


@pytest.mark.parametrize(
    ("part", "aspect"),
    [
        ("what can I add", "add-on"),
        ("still breathless - what gets added next?", "add-on"),
        ("how long can he use it for", "course length"),
        ("can he use GTN if he's on tadalafil", "interaction"),
        ("and should they go to hospital?", "where to go"),
        ("who do I call?", "where to go"),
        ("how many sprays", "dose"),
    ],
)
def test_a_part_asks_for_the_kind_of_statement_its_words_ask(part: str, aspect: str) -> None:
    assert aspect in [a.name for a in asked(part, load_aspects())]


@pytest.mark.parametrize(
    ("aspect", "sentence"),
    [
        ("dose", "One or two sprays are given under the tongue."),
        ("dose", "The loading regimen totals about 300,000 IU over 6 to 10 weeks."),
        ("course length", "Most patients need 1 to 2 years of treatment."),
        ("timing", "The person is referred for specialist assessment the same day."),
        ("where to go", "They inject hydrocortisone and call an ambulance."),
    ],
)
def test_a_sentence_gives_the_kind_of_statement_asked_for(aspect: str, sentence: str) -> None:
    (found,) = [a for a in load_aspects() if a.name == aspect]
    assert any(p.search(sentence) for p in found.gives)


@dataclass(frozen=True)
class _Sentence:
    sentence: str
    vector: np.ndarray
    score: float = 0.6
    similarity: float = 0.6

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.sentence.lower().split())


def test_the_part_with_fewest_answers_chooses_first_and_keeps_its_own() -> None:
    """ "what else could she try, and a decongestant long term?": the decongestant sentence
    answers both parts, and the first best; the part only it answers gets it, the other part
    takes its next answer."""
    axis = np.eye(3, dtype=np.float32)
    decongestant = _Sentence(
        "A topical nasal decongestant is used only for a few days, because longer use causes "
        "rebound congestion.",
        (axis[0] + axis[1]) / np.sqrt(2),
    )
    antihistamine = _Sentence(
        "An oral or intranasal antihistamine can be added if a nasal steroid alone fails.",
        axis[0],
    )
    spray = AskedConcept(frozenset({"drug:nasal decongestants"}), ("decongestant",), drug=True)
    parts = [
        AskedPart("what else could she try"),
        AskedPart("can she use a decongestant spray long term?", concepts=(spray,)),
    ]

    def names(concepts: tuple[AskedConcept, ...], sentence: str) -> bool:
        return any(f in sentence for c in concepts for f in c.forms)

    chosen, _, unanswered = Choice(AnswerSettings()).per_part(
        [decongestant, antihistamine],
        parts,
        [p.text for p in parts],
        [decongestant.vector, axis[1]],
        names,
    )
    assert chosen == [antihistamine, decongestant] and unanswered == []


def test_a_question_word_every_retrieved_sentence_holds_weighs_less_than_a_rare_one() -> None:
    """ "permethrin - what temperature to wash the bedding at?": "permethrin" is in every
    sentence and tells them apart not at all; "washed" points at the one that answers."""
    from assistant.generate.ranking import rarity as _rarity
    from assistant.language.tokens import content_stems

    sentences = [
        "Permethrin 5% cream is applied to the whole body.",
        "Permethrin is applied again after 7 days.",
        "Bedding used with permethrin treatment is washed at 50 C or above.",
    ]
    weights = _rarity(content_stems("permethrin: wash the bedding at what temperature?"), sentences)
    assert weights["wash"] > weights["permethrin"] and weights["bed"] > weights["permethrin"]
