"""The web UI in a real browser: article -> follow-up -> conversation -> citation, a review to
approval, answer text that cannot run script, and screenshots of the chat and review pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import ARTICLE, ask_by_api, shown_version, signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_article_follow_up_conversation_and_citation(
    browser: Any, web: LiveServer, screenshots: Path
) -> None:
    page = signed_in(browser, web, "alice", f"/articles/{ARTICLE}")
    page.get_by_role("heading", name="Direct answer").wait_for()
    assert page.locator("sup.ref a").count() > 3
    assert page.locator(".references a[href^='https://']").count() >= 1
    assert page.locator(".review-steps li.current").inner_text() == "Approved"
    assert "Last updated: 2026-01-14" in page.inner_text("main")
    assert page.locator(".related button").count() >= 2

    page.get_by_label("Your follow-up question").fill("Can it be taken with opioid painkillers?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url("**/chat?c=*")
    first = page.locator("li.turn").nth(0).locator("article.answer")
    first.wait_for(timeout=60_000)
    assert "Pending human review" in first.locator(".badge").first.inner_text()
    assert "Follow-up to:" in page.inner_text("#anchor")
    assert page.locator(".disclaimer-bar:visible").is_visible()
    assert first.locator(".suggestions button").count() >= 1

    box = page.get_by_label("Your question")
    box.fill("What is the usual low dose?")
    box.press("Enter")
    second = page.locator("li.turn").nth(1).locator("article.answer")
    second.wait_for(timeout=60_000)
    assert "mg" in second.locator(".answer-text").inner_text()
    assert page.locator(".disclaimer-bar:visible").is_visible()  # still visible after scrolling

    citation = second.locator("button.cite").first
    number = citation.inner_text()
    citation.focus()
    page.keyboard.press("Enter")  # citations work from the keyboard
    dialog = page.locator("dialog.passage")
    dialog.wait_for()
    assert dialog.locator("h2").inner_text().startswith(f"[{number}]")
    assert len(dialog.locator("blockquote").inner_text()) > 40
    assert "Source:" in dialog.inner_text()
    page.screenshot(path=str(screenshots / "chat.png"))  # the viewport, as a clinician sees it
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('cite')")  # focus returns
    second.locator("button.cite").nth(0).click()  # and from the mouse
    dialog.wait_for()
    dialog.get_by_role("button", name="Close").click()

    page.reload()  # the conversation is stored: history comes back with its statuses
    page.locator("li.turn").nth(1).locator("article.answer").wait_for()
    assert page.locator("article.answer .badge.pending").count() == 2
    assert page.errors == []


def test_review_to_approval(browser: Any, web: LiveServer, screenshots: Path) -> None:
    record = ask_by_api(web, "What dose of naltrexone is used for alcohol dependence?")
    page = signed_in(browser, web, "rita", "/review")
    item = page.locator(f"button.queue-item[data-answer-id='{record['id']}']")
    item.click()
    page.locator(".side-by-side .passages blockquote").first.wait_for()
    assert record["question"] in page.inner_text("#detail-title")
    assert page.locator(".side-by-side .answer button.cite").count() >= 1
    page.get_by_label("Comment or reason").fill("Checked against the label.")
    page.screenshot(path=str(screenshots / "review.png"), full_page=True)
    page.get_by_role("button", name="Approve").click()
    page.locator(".answer-head .badge.approved").wait_for()
    audit = page.locator(".history").filter(has_text="Audit history")
    assert "approve by rita" in audit.inner_text()
    decisions = page.locator(".history").filter(has_text="Decisions")
    assert "Checked against the label." in decisions.inner_text()
    assert item.count() == 0  # gone from the pending queue
    page.get_by_label("Review state").select_option("approved")
    page.locator(f"button.queue-item[data-answer-id='{record['id']}']").wait_for()
    page.screenshot(path=str(screenshots / "review-approved.png"), full_page=True)

    phone = signed_in(
        browser,
        web,
        "alice",
        f"/chat?c={record['conversation_id']}",
        viewport={"width": 390, "height": 844},
    )
    phone.locator("article.answer .badge.approved").wait_for()
    assert "Approved by a reviewer" in phone.inner_text("article.answer")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    phone.screenshot(path=str(screenshots / "chat-phone.png"), full_page=True)
    assert page.errors == [] and phone.errors == []


def test_markup_in_an_answer_executes_nothing(browser: Any, web: LiveServer) -> None:
    record = ask_by_api(web, "Is 4.5 mg the usual low dose?")
    hostile = (
        'Take 4.5 mg [1]. <script>window.__pwned = "script"</script>'
        '<img src="x" onerror="window.__pwned = \'img\'"> <b onmouseover="x()">bold</b>'
    )
    with web.client("rita") as rita:
        edited = rita.post(
            f"/api/review/answers/{record['id']}/edit",
            json={"text": hostile, **shown_version(rita, record["id"])},
        )
        assert edited.status_code == 200, edited.text
    dialogs: list[str] = []
    for user, path in (
        ("alice", f"/chat?c={record['conversation_id']}"),
        ("rita", f"/review?answer={record['id']}"),
    ):
        page = signed_in(browser, web, user, path)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        text = page.locator(".answer .answer-text").first
        text.wait_for()
        page.wait_for_timeout(500)
        assert "<script>" in text.inner_text()  # shown as text
        assert text.locator("script, img, b").count() == 0  # never parsed as markup
        assert page.locator("main img").count() == 0
        assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    response = httpx.get(web.url + "/chat")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
