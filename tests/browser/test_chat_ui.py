"""The chat and the article page as a clinician meets them, at desktop and phone widths:
the answer is seen to build sentence by sentence, the newest answer is scrolled into view and
readable, an error shows beside the question box, the article's follow-up box is on screen
without scrolling past the article, and the approved article does not say "pending"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ARTICLE = "mebendazole-ascariasis-child"
QUESTIONS = (
    "What dose of mebendazole for a 14 kg child with roundworm?",
    "Does it need to be repeated?",
    "Can the chewable tablet be crushed?",
)

# Records, on every change to the conversation, how many streamed sentences the newest turn
# shows and whether its final answer card is there.
WATCH = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const turn = document.querySelector('#log > li.turn:last-child');
    if (!turn) return;
    const text = turn.querySelector('.answer-text.streaming');
    const state = [text ? text.querySelectorAll('.piece').length : 0,
                   !!turn.querySelector('article.answer')];
    const last = window.__seen[window.__seen.length - 1];
    if (!last || last[0] !== state[0] || last[1] !== state[1]) window.__seen.push(state);
  }).observe(document.getElementById('log'), { subtree: true, childList: true });
}"""


def settle(page: Any) -> None:
    """Wait until smooth scrolling has stopped."""
    page.wait_for_function(
        """() => new Promise((done) => { const y = scrollY;
             setTimeout(() => done(scrollY === y), 250); })"""
    )


def box_of(page: Any, selector: str) -> dict[str, float]:
    box: dict[str, float] = page.locator(selector).last.bounding_box()
    assert box is not None, selector
    return box


def free_band(page: Any) -> tuple[float, float]:
    """The part of the viewport not covered by the sticky disclaimer bar and question box."""
    top = box_of(page, ".disclaimer-bar:visible")
    bottom = box_of(page, "#ask")
    return top["y"] + top["height"], bottom["y"]


def ask(page: Any, question: str, turns: int) -> Any:
    page.evaluate(WATCH)
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    answer = page.locator("#log > li.turn").nth(turns).locator("article.answer")
    answer.wait_for(timeout=60_000)
    return answer


@pytest.mark.parametrize("size", SIZES)
def test_answers_build_sentence_by_sentence_and_the_newest_is_in_view(
    browser: Any, web: LiveServer, screenshots: Path, size: str
) -> None:
    page = signed_in(browser, web, "alice", "/chat", viewport=SIZES[size])
    for n, question in enumerate(QUESTIONS):
        if n == len(QUESTIONS) - 1:  # a picture of the last answer while it streams
            page.evaluate(WATCH)
            page.get_by_label("Your question").fill(question)
            page.get_by_label("Your question").press("Enter")
            page.wait_for_function(  # a sentence shown, or (machine busy) the whole answer
                f"""() => document.querySelector('.answer-text.streaming .piece') ||
                    document.querySelector('#log > li.turn:nth-child({n + 1}) article.answer')""",
                timeout=60_000,
            )
            page.screenshot(path=str(screenshots / f"chat-streaming-{size}.png"))
            answer = page.locator("#log > li.turn").nth(n).locator("article.answer")
            answer.wait_for(timeout=60_000)
        else:
            answer = ask(page, question, n)
        seen = page.evaluate("window.__seen")
        shown = [count for count, final in seen if not final]
        # Sentences appeared one at a time before the checked answer replaced them.
        assert [c for c in shown if c] == list(range(1, max(shown) + 1)), seen
        assert max(shown) >= 2 and seen[-1][1], seen
    settle(page)
    # The newest answer is in view, and most of it is readable between the sticky bars.
    top, bottom = free_band(page)
    text = box_of(page, "#log > li.turn:last-child .answer-text")
    assert top - 1 <= text["y"] < bottom - 100, (top, text, bottom)
    visible = min(bottom, text["y"] + text["height"]) - max(top, text["y"])
    assert visible >= min(text["height"], 0.45 * SIZES[size]["height"]), (visible, text)
    assert bottom - top >= 0.7 * SIZES[size]["height"]  # the sticky parts leave room to read
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert page.locator("#log > li.turn").count() == len(QUESTIONS)
    page.screenshot(path=str(screenshots / f"chat-newest-{size}.png"))
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_an_error_shows_beside_the_question_box_and_keeps_the_question(
    browser: Any, web: LiveServer, screenshots: Path, size: str
) -> None:
    page = signed_in(browser, web, "alice", "/chat", viewport=SIZES[size])
    for n, question in enumerate(QUESTIONS[:2]):
        ask(page, question, n)
    page.mouse.wheel(0, -3000)  # the clinician has scrolled back up to re-read
    settle(page)
    too_long = "Is mebendazole safe? " * 250
    box = page.get_by_label("Your question")
    box.fill(too_long)
    page.get_by_role("button", name="Send").click()
    error = page.locator("#ask-error [role=alert]")
    error.wait_for()
    assert "limit" in error.inner_text()
    shown = error.bounding_box()
    assert (
        shown is not None
        and shown["y"] >= 0
        and shown["y"] + shown["height"] <= SIZES[size]["height"]
    ), shown
    question = box_of(page, "#question")
    assert abs(question["y"] - (shown["y"] + shown["height"])) < 80  # right above the box
    assert box.input_value() == too_long.strip()  # nothing lost
    assert box.get_attribute("aria-invalid") == "true"
    assert page.locator("#log > li.turn").count() == 2  # no half-asked turn left behind
    page.screenshot(path=str(screenshots / f"chat-error-{size}.png"))
    box.fill("What dose for an adult?")
    assert page.locator("#ask-error [role=alert]").count() == 0  # typing clears it
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_article_follow_up_box_is_on_screen_and_the_article_is_approved(
    browser: Any, web: LiveServer, screenshots: Path, size: str
) -> None:
    height = SIZES[size]["height"]
    page = signed_in(browser, web, "alice", f"/articles/{ARTICLE}", viewport=SIZES[size])
    page.get_by_role("heading", name="Direct answer").wait_for()
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * height  # a long page
    for where in ("top", "middle", "references"):
        if where == "middle":
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        elif where == "references":
            page.locator("#refs-title").scroll_into_view_if_needed()
        settle(page)
        box = box_of(page, "#follow-up")
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (where, box)
        button = box_of(page, ".follow-up button[type=submit]")
        assert button["y"] + button["height"] <= height, (where, button)
        if where == "top":
            page.screenshot(path=str(screenshots / f"article-{size}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    disclaimer = page.inner_text("#article-disclaimer")
    assert "this article is approved" in disclaimer and "pending" not in disclaimer.lower()
    assert page.inner_text("#approval").startswith("Approved")

    page.get_by_label("Your follow-up question").fill("Does it need to be repeated?")
    page.get_by_label("Your follow-up question").press("Enter")
    page.wait_for_url("**/chat?c=*")
    answer = page.locator("li.turn article.answer")
    answer.wait_for(timeout=60_000)
    assert "Follow-up to:" in page.inner_text("#anchor")
    assert page.errors == []
