"""The reviewer console as a reviewer triages with it, at desktop and phone widths: asker,
coverage, refusal and findings columns that sort and filter, refusals in their own tab,
findings in plain words naming their sentence, sources as links, versions in full with a diff,
no decision buttons on a final answer, errors beside the button, and keyboard shortcuts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import ask, shown_version, signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ANSWERED = "What dose of mebendazole for a 14 kg child with roundworm?"
PARTIAL = "What is the usual LDN dose for fibromyalgia? Is it safe while breastfeeding?"
OFF_TOPIC = "What is the capital of France?"


def edit(web: LiveServer, answer_id: str, text: str, comment: str | None = None) -> None:
    """rita saves ``text`` as a new version of the answer, on top of its current version."""
    with web.client("rita") as rita:
        body = {"text": text, "comment": comment, **shown_version(rita, answer_id)}
        edited = rita.post(f"/api/review/answers/{answer_id}/edit", json=body)
        assert edited.status_code == 200, edited.text


def rows(page: Any) -> list[str]:
    """The questions of the queue rows shown, in order."""
    return [q.strip() for q in page.locator("#queue button.queue-item").all_inner_texts()]


@pytest.fixture(scope="module")
def asked(web: LiveServer) -> dict[str, dict[str, Any]]:
    """bob's answers: one answered, one partly covered, one off-topic, one edited (a finding)."""
    made = {
        "answered": ask(web, "bob", ANSWERED),
        "partial": ask(web, "bob", PARTIAL),
        "off_topic": ask(web, "bob", OFF_TOPIC),
        "edited": ask(web, "bob", "Is 4.5 mg the usual low dose of naltrexone?"),
    }
    edit(web, made["edited"]["id"], "Give 900 mg naltrexone at night [1].")
    return made


@pytest.mark.parametrize("size", SIZES)
def test_queue_columns_sort_filter_and_tabs(
    browser: Any,
    web: LiveServer,
    screenshots: Path,
    size: str,
    asked: dict[str, dict[str, Any]],
) -> None:
    page = signed_in(browser, web, "rita", "/review", viewport=SIZES[size])
    page.locator("#queue button.queue-item").first.wait_for()
    page.get_by_label("Asker").select_option("bob")
    assert set(rows(page)) == {ANSWERED, PARTIAL, asked["edited"]["question"]}  # answers only
    row = page.locator(f"#queue tr[data-answer-id='{asked['partial']['id']}']")
    assert row.locator("td.asker").inner_text().endswith("bob")
    assert "partial" in row.locator("td.coverage-partial").inner_text()

    page.get_by_label("Coverage").select_option("partial")
    assert rows(page) == [PARTIAL]
    page.get_by_label("Coverage").select_option("")
    page.get_by_label("Findings").select_option("with")
    assert asked["edited"]["question"] in rows(page) and ANSWERED not in rows(page)
    flagged = page.locator(f"#queue tr[data-answer-id='{asked['edited']['id']}']")
    assert re.search(r"\b[1-9] to check\b", flagged.inner_text())
    page.get_by_label("Findings").select_option("")

    question = page.locator("th[data-key='question']")
    question.get_by_role("button").click()
    assert question.get_attribute("aria-sort") == "ascending"
    assert rows(page) == sorted(rows(page), key=str.lower)
    question.get_by_role("button").click()
    assert question.get_attribute("aria-sort") == "descending"
    assert rows(page) == sorted(rows(page), key=str.lower, reverse=True)
    page.screenshot(path=str(screenshots / f"review-queue-{size}.png"))

    page.get_by_role("tab", name="Refusals and off-topic").click()
    assert rows(page) == [OFF_TOPIC]
    refused = page.locator(f"#queue tr[data-answer-id='{asked['off_topic']['id']}']")
    assert "Off-topic" in refused.locator("td.kind").inner_text()
    assert "none" in refused.inner_text()
    page.get_by_label("Search").fill("capital")
    assert rows(page) == [OFF_TOPIC]
    refused.locator("button.queue-item").click()
    findings = page.locator("#answer-findings")
    findings.wait_for()
    assert "No approved passage is close to this question" in findings.inner_text()
    assert "similarity" not in findings.inner_text()  # not the internal wording
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.screenshot(path=str(screenshots / f"review-refusals-{size}.png"))
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_findings_sources_versions_diff_and_final_state(
    browser: Any, web: LiveServer, screenshots: Path, size: str
) -> None:
    record = ask(web, "alice", ANSWERED)
    original = record["answer"]
    edit(web, record["id"], "Give 900 mg mebendazole once [1].", comment="Simplified the dose.")
    page = signed_in(browser, web, "adam", f"/review?answer={record['id']}", viewport=SIZES[size])
    findings = page.locator("#version-findings")
    findings.wait_for()
    # In words, naming the sentence it is about.
    assert findings.locator("q").inner_text() == "Give 900 mg mebendazole once [1]."
    assert "The cited passage does not state 900 mg." in findings.inner_text()
    # Every cited source is a link: the corpus's address or the approved article's page.
    passages = page.locator(".passages > ol > li")
    assert passages.count() == len(record["citations"]) >= 1
    for i in range(passages.count()):
        link = passages.nth(i).locator(".links a").first
        assert (link.get_attribute("href") or "").startswith(("https://", "http://", "/articles/"))
    # Versions in full (not cut mid-word), the comment apart from the text, and the diff.
    first = page.locator(".version[data-version='1'] .full-text")
    first.locator("summary").click()
    assert first.locator(".answer-text").inner_text() == original
    second = page.locator(".version[data-version='2']")
    assert "Simplified the dose." in second.locator(".comment").inner_text()
    assert second.locator(".full-text .answer-text").inner_text() == (
        "Give 900 mg mebendazole once [1]."
    )
    diff = second.locator(".changes .diff")
    assert "900" in " ".join(diff.locator("ins").all_inner_texts())
    assert "500" in " ".join(diff.locator("del").all_inner_texts())
    page.screenshot(path=str(screenshots / f"review-diff-{size}.png"), full_page=True)

    page.get_by_label("Justification (required to approve this version)").fill(
        "Checked the weight-based dose with pharmacy."
    )
    page.get_by_role("button", name="Approve").click()
    page.locator(".answer-head .badge.approved").wait_for()
    assert "Approved." in page.inner_text("#action-feedback")
    # Final: no decision buttons at all, a note saying why, comments still possible.
    for button in ("#approve", "#reject", "#save-edit", "#justification"):
        assert page.locator(button).count() == 0, button
    assert "final state" in page.inner_text(".final-note")
    page.keyboard.press("a")  # the shortcut does nothing on a final answer
    page.get_by_label("Comment", exact=True).fill("Pharmacy confirmed again.")
    page.get_by_role("button", name="Add comment").click()
    page.locator(".history").filter(has_text="Decisions").get_by_text(
        "Pharmacy confirmed"
    ).wait_for()
    page.locator(".final-note").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"review-final-{size}.png"))
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_errors_beside_the_button_and_keyboard_shortcuts(
    browser: Any, web: LiveServer, screenshots: Path, size: str
) -> None:
    mine = ask(web, "alice", "What dose of naltrexone is used for alcohol dependence?")
    edit(web, mine["id"], mine["answer"].split("] ")[0] + "].", comment="Kept the first sentence.")
    page = signed_in(browser, web, "rita", f"/review?answer={mine['id']}", viewport=SIZES[size])
    page.locator("#detail-title").wait_for()
    if page.locator("#justification").count():
        page.locator("#justification").fill("Verbatim.")
    approve = page.get_by_role("button", name="Approve")
    approve.click()
    error = page.locator("#action-feedback [role=alert]")
    error.wait_for()
    assert "four eyes" in error.inner_text()  # rita wrote version 2
    near, button = error.bounding_box(), approve.bounding_box()
    assert near and button and 0 <= near["y"] - button["y"] < 160, (near, button)
    assert near["y"] + near["height"] <= SIZES[size]["height"]  # on screen
    assert page.locator("#notice [role=alert]").count() == 0  # not at the top of the page
    page.screenshot(path=str(screenshots / f"review-error-{size}.png"))

    # Shortcuts: R without a reason says why beside the buttons; N and P move in the queue.
    page.locator("#detail-title").focus()
    page.keyboard.press("r")
    assert "reason" in page.inner_text("#action-feedback")
    shown = rows(page)
    at = shown.index(mine["question"]) if mine["question"] in shown else -1
    page.locator("#detail-title").focus()
    page.keyboard.press("n")
    expected = shown[at + 1] if at + 1 < len(shown) else None
    if expected:
        page.wait_for_function(
            "q => document.querySelector('#detail-title').textContent === q", arg=expected
        )
        page.keyboard.press("p")
        page.wait_for_function(
            "q => document.querySelector('#detail-title').textContent === q", arg=mine["question"]
        )
    # A shortcut approval of someone else's unedited answer.
    other = ask(web, "bob", "Is 4.5 mg the usual low dose?")
    page.goto(web.url + f"/review?answer={other['id']}")
    page.locator("#detail-title").wait_for()
    page.locator("#detail-title").focus()
    page.keyboard.press("a")
    page.locator(".answer-head .badge.approved").wait_for()
    assert page.errors == []
