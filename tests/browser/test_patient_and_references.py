"""The chat in Chromium: the "which best describes you?" switch gives patients and carers their
own answers and disclaimer, and every answer lists each source once by its real citation, with
its link and its article (issue 22, items 2 and 3), at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

DOSE = "What dose of mebendazole for a 14 kg child with roundworm?"
FINAL = "What did the 2024 FINAL trial of low-dose naltrexone find?"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def ask(page: Any, question: str, n: int) -> Any:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    card = page.locator("li.turn").nth(n).locator("article.answer")
    card.wait_for(timeout=90_000)
    return card


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_switch_gives_patients_their_own_answer_and_disclaimer(
    browser: Any, web: LiveServer, screenshots: Path, width: str
) -> None:
    page = signed_in(browser, web, "alice", "/chat", viewport=VIEWPORTS[width])
    assert page.get_by_text("Which best describes you?").is_visible()
    page.get_by_label("Patient or carer").check()
    patient_bar = page.locator(".disclaimer-bar.for-patient")
    assert (
        patient_bar.is_visible() and not page.locator(".disclaimer-bar.for-clinician").is_visible()
    )
    assert "patients and carers" in patient_bar.inner_text().lower()
    card = ask(page, DOSE, 0)
    assert "Information for patients and carers" in card.locator(".disclaimer").inner_text()
    assert card.locator(".badge.audience").inner_text() == "For patients and carers"
    assert "Your clinician will decide" in card.locator(".answer-text").inner_text()
    page.screenshot(path=str(screenshots / f"chat-patient-{width}.png"))

    page.get_by_role("button", name="New conversation").click()
    page.get_by_label("Clinician").check()
    assert page.locator(".disclaimer-bar.for-clinician").is_visible()
    clinician = ask(page, DOSE, 0)
    assert (
        clinician.locator(".disclaimer").inner_text().startswith("Professional medical disclaimer")
    )
    assert clinician.locator(".badge.audience").count() == 0
    assert "Your clinician will decide" not in clinician.locator(".answer-text").inner_text()
    page.reload()  # the choice is remembered
    assert page.get_by_label("Clinician").is_checked()
    assert page.errors == []


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_each_source_is_listed_once_with_its_link_and_article(
    browser: Any, web: LiveServer, screenshots: Path, width: str
) -> None:
    page = signed_in(browser, web, "alice", "/chat", viewport=VIEWPORTS[width])
    page.get_by_label("Clinician").check()
    card = ask(page, FINAL, 0)
    refs = card.locator(".refs li.source-ref")
    ids = [refs.nth(i).get_attribute("data-source-id") for i in range(refs.count())]
    assert ids and len(ids) == len(set(ids))
    final = card.locator("li.source-ref[data-source-id='bruun-2024-ldn-final-trial']")
    assert "Naltrexone 6 mg once daily versus placebo" in final.inner_text()
    link = final.locator("a[href^='https://']")
    assert link.get_attribute("href") == "https://doi.org/10.1016/S2665-9913(23)00278-3"
    via = card.locator(".refs .ref-via-link").first
    assert via.get_attribute("href", timeout=5_000).startswith("/articles/")
    assert "sample article" not in card.locator(".refs").inner_text()
    page.screenshot(path=str(screenshots / f"chat-references-{width}.png"), full_page=True)

    card.locator("button.cite").first.click()  # a passage names the sources it rests on
    dialog = page.locator("dialog.passage")
    dialog.wait_for()
    assert "Rests on:" in dialog.inner_text()
    assert dialog.locator("li.source-ref").count() >= 1
    dialog.get_by_role("button", name="Close").click()

    questions = card.locator(".suggestions button")
    assert questions.count() >= 1
    for i in range(questions.count()):
        text = questions.nth(i).inner_text()
        assert text.endswith("?") and "cefuroxime" not in text.lower()
    assert page.errors == []
