"""A reviewer's edit is checked sentence by sentence as a model's answer is (support, meaning,
negation, named conditions), not only for numbers: each problem is a stored finding."""

from __future__ import annotations

import pytest

from assistant.models import AnswerRecord
from assistant.review import workflow
from assistant.review.store import AnswerStore
from assistant.review.users import User
from tests.support.records import seen


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # The example: a sentence its cited passage does not say, with no number in it.
        ("Convulsions have been reported in children taking naltrexone [1].", "words"),
        ("Low-dose naltrexone is not given at 1 to 5 mg daily [1].", "negates"),
        ("Naltrexone may be given as 1 to 5 mg daily for seizures [1].", "seizure"),
    ],
)
def test_an_edit_the_cited_passage_does_not_say_is_a_finding(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord, text: str, why: str
) -> None:
    version = workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=text)
    unsupported = [f for f in version.findings if f.startswith("unsupported sentence")]
    assert len(unsupported) == 1 and why in unsupported[0], version.findings
    assert text in unsupported[0]  # the finding names its sentence
    assert workflow.detail(store, answer.id).approval_needs_justification


def test_an_edit_its_passages_support_has_no_finding(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    text = "Low-dose naltrexone is 1 to 5 mg daily [1]."
    version = workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=text)
    assert version.findings == []
    assert not workflow.detail(store, answer.id).approval_needs_justification
