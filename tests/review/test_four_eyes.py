"""Four eyes on every approved text (issue 11, finding 1).

Reproduces the probe: a reviewer edits someone else's answer to "Give 900 mg mebendazole [1]."
(the cited passage says 1 to 5 mg) and approves it. Both backends run the same contract.
"""

from __future__ import annotations

import pytest

from assistant.errors import InvalidRequestError, InvalidTransitionError
from assistant.models import AnswerRecord
from assistant.review import workflow
from assistant.review.store import AnswerStore
from assistant.review.users import User
from tests.support.records import seen

WRONG_DOSE = "Give 900 mg mebendazole [1]."


def test_the_editor_of_a_version_may_not_approve_it(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=WRONG_DOSE)
    with pytest.raises(InvalidTransitionError, match="rita wrote a version"):
        workflow.approve(
            store, answer.id, people["rita"], **seen(store, answer.id), justification="I am sure"
        )
    assert store.get_answer(answer.id).review_status.value == "pending_review"


def test_an_earlier_editor_may_not_approve_a_later_version(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    workflow.edit(
        store,
        answer.id,
        people["rita"],
        **seen(store, answer.id),
        text="LDN is 1 to 5 mg daily [1].",
    )
    workflow.edit(
        store,
        answer.id,
        people["rob"],
        **seen(store, answer.id),
        text="Low-dose naltrexone is 1 to 5 mg daily [1].",
    )
    for author in ("rita", "rob"):
        with pytest.raises(InvalidTransitionError, match="four eyes"):
            workflow.approve(store, answer.id, people[author], **seen(store, answer.id))
    assert (
        workflow.approve(store, answer.id, people["ada"], **seen(store, answer.id)).to_status.value
        == "approved"
    )


def test_an_edited_dose_not_in_the_passage_is_a_stored_finding_shown_to_the_next_reviewer(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    version = workflow.edit(
        store, answer.id, people["rita"], **seen(store, answer.id), text=WRONG_DOSE
    )
    assert any("900 mg" in f for f in version.findings)
    shown = workflow.detail(store, answer.id)
    assert shown.approval_needs_justification
    assert shown.findings == version.findings
    assert shown.versions[-1].findings == version.findings
    (edit,) = [e for e in shown.audit if e.action == "edit"]
    assert edit.payload["findings"] == version.findings


def test_approving_a_version_with_findings_needs_a_justification_in_the_audit(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=WRONG_DOSE)
    with pytest.raises(InvalidRequestError, match=r"900 mg.*justification"):
        workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id))
    with pytest.raises(InvalidRequestError, match="justification"):
        workflow.approve(
            store, answer.id, people["rob"], **seen(store, answer.id), justification="   "
        )
    why = "Paediatric dosing confirmed with the ward pharmacist."
    decision = workflow.approve(
        store, answer.id, people["rob"], **seen(store, answer.id), justification=why
    )
    assert decision.justification == why and any("900 mg" in f for f in decision.findings)
    approve = store.audit_entries(answer.id)[-1]
    assert approve.action == "approve" and approve.payload["justification"] == why
    assert store.decisions(answer.id)[-1].justification == why
    assert workflow.verify_audit(store, store.audit_key()).ok


def test_a_clean_edit_needs_no_justification_but_another_reviewer(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    version = workflow.edit(
        store,
        answer.id,
        people["rita"],
        **seen(store, answer.id),
        text="LDN is 1 to 5 mg daily [1].",
    )
    assert version.findings == []
    assert (
        workflow.approve(store, answer.id, people["rob"], **seen(store, answer.id)).justification
        is None
    )


def test_an_edit_citing_a_passage_not_retrieved_is_refused(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    with pytest.raises(InvalidRequestError, match=r"cites \[7\]"):
        workflow.edit(
            store, answer.id, people["rita"], **seen(store, answer.id), text="Take 9 mg [7]."
        )


def test_an_uncited_dose_in_an_edit_is_a_finding(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    version = workflow.edit(
        store, answer.id, people["rita"], **seen(store, answer.id), text="Give 900 mg at night."
    )
    assert version.findings and "900 mg" in version.findings[0]


def test_tampering_with_a_versions_findings_is_caught_by_verify(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    from tests.support.records import tamper

    workflow.edit(store, answer.id, people["rita"], **seen(store, answer.id), text=WRONG_DOSE)
    tamper(store, ("UPDATE answer_versions SET findings = '[]' WHERE version = 2", ()))
    report = workflow.verify_audit(store, store.audit_key())
    assert not report.ok and "findings" in (report.problem or "")


def test_an_edit_of_only_markers_and_titles_is_a_finding(
    store: AnswerStore, people: dict[str, User], answer: AnswerRecord
) -> None:
    title = answer.citations[0].title
    version = workflow.edit(
        store, answer.id, people["rita"], **seen(store, answer.id), text=f"[1] {title} [1]."
    )
    assert any("says nothing" in f for f in version.findings)
    assert workflow.detail(store, answer.id).approval_needs_justification
