"""The review console shows an edited version's findings and asks for a justification."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import ask_by_api, shown_version, signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_console_shows_findings_and_needs_a_justification(browser: Any, web: LiveServer) -> None:
    record = ask_by_api(web, "What dose of mebendazole for a 14 kg child with roundworm?")
    with web.client("rita") as rita:
        edited = rita.post(
            f"/api/review/answers/{record['id']}/edit",
            json={"text": "Give 900 mg mebendazole [1].", **shown_version(rita, record["id"])},
        )
        assert edited.status_code == 200, edited.text
    page = signed_in(browser, web, "adam", f"/review?answer={record['id']}")
    findings = page.locator("#version-findings")
    findings.wait_for()
    assert "900 mg" in findings.inner_text()
    page.get_by_role("button", name="Approve").click()
    assert "justification" in page.locator("#action-feedback").inner_text()  # beside the button
    assert page.locator(".answer-head .badge.approved").count() == 0
    page.get_by_label("Justification (required to approve this version)").fill(
        "Weight-based dose confirmed with pharmacy."
    )
    page.get_by_role("button", name="Approve").click()
    page.locator(".answer-head .badge.approved").wait_for()
    assert "Weight-based dose" in page.locator(".history").filter(has_text="Audit").inner_text()
    assert page.errors == []


def test_console_approval_of_a_version_edited_meanwhile_is_refused(
    browser: Any, web: LiveServer
) -> None:
    """The console sends the version it shows: approving it after another reviewer saved an
    edit is refused (409 naming the current version), and nothing is approved."""
    record = ask_by_api(web, "What dose of mebendazole for a 14 kg child with roundworm?")
    page = signed_in(browser, web, "adam", f"/review?answer={record['id']}")
    page.get_by_role("button", name="Approve").wait_for()
    with web.client("rita") as rita:  # meanwhile, on another screen
        edited = rita.post(
            f"/api/review/answers/{record['id']}/edit",
            json={"text": record["answer"], **shown_version(rita, record["id"])},
        )
        assert edited.status_code == 200, edited.text
    page.get_by_role("button", name="Approve").click()
    page.locator("#action-feedback", has_text="now at version 2").wait_for()  # beside Approve
    with web.client("adam") as adam:
        shown = adam.get(f"/api/review/answers/{record['id']}").json()
    assert (
        shown["record"]["review_status"] == "pending_review"
        and shown["decisions"][-1]["action"] == "edit"
    )
    assert page.errors == []
