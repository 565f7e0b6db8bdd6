"""The reviewer console and the chat flag an answer whose cited source changed after it was
approved: the notice with the date of the approval, a word diff of the passage, a "changed
evidence" filter in the queue (real Chromium, real server and store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.config import IndexSettings
from assistant.index.catalog import StoredCatalog
from assistant.index.factory import open_index
from assistant.ingest.chunking import chunk_document
from assistant.review.recheck import recheck
from assistant.review.store import AnswerStore
from tests.support.browser import ask, shown_version, signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

QUESTION = "How often is deworming recommended where prevalence is 50%?"
SOURCE = "who-sth-preventive-chemotherapy-2017"


def corrected_generation(web: LiveServer) -> StoredCatalog:
    """The server's catalog with one number of the cited source corrected, as the next ingest
    would serve it."""
    index = open_index(IndexSettings(), web.data_dir / "index")
    try:
        served = index.catalog
        assert isinstance(served, StoredCatalog)
        catalog = served.copy()
    finally:
        index.close()
    doc = catalog.document(SOURCE)
    assert doc is not None
    text = doc.text.replace("aged 12-23 months", "aged 12-59 months")
    fixed = type(doc)(**{**doc.__dict__, "text": text})
    chunking = IndexSettings()  # as ingest cuts it
    chunks = chunk_document(fixed, max_tokens=chunking.chunk_tokens, overlap=chunking.chunk_overlap)
    catalog.put(fixed, "corrected", chunks)
    return catalog


@pytest.fixture(scope="module")
def changed(web: LiveServer) -> dict[str, Any]:
    """alice's answer citing the source, approved by rita, then re-checked after the source's
    correction (the ingest's re-check, run on the server's own store)."""
    ask(web, "bob", "What dose of mebendazole for a 14 kg child with roundworm?")  # unchanged
    record = ask(web, "alice", QUESTION)
    assert SOURCE in {c["source_id"] for c in record["citations"]}
    with web.client("rita") as rita:
        approved = rita.post(
            f"/api/review/answers/{record['id']}/approve", json=shown_version(rita, record["id"])
        )
        assert approved.status_code == 200, approved.text
    store = AnswerStore(web.data_dir / "followup.db")
    try:
        report = recheck(store, corrected_generation(web), min_support=0.6)
    finally:
        store.close()
    assert report.checked == 1
    return record


def test_console_flags_the_answer_with_a_diff_of_the_passage(
    browser: Any, web: LiveServer, changed: dict[str, Any], screenshots: Path
) -> None:
    page = signed_in(browser, web, "adam", f"/review?answer={changed['id']}")
    notice = page.locator("#detail .evidence-notice")
    notice.wait_for()
    assert "The evidence for this answer has changed since it was reviewed on" in (
        notice.inner_text()
    )
    assert notice.locator(".evidence-diff del").all_inner_texts() == ["12-23 "]
    assert notice.locator(".evidence-diff ins").all_inner_texts() == ["12-59 "]
    assert "12-23 months" in notice.locator(".evidence-findings").inner_text()
    assert "Justification (required to approve this version)" in page.inner_text("#detail")
    notice.screenshot(path=str(screenshots / "evidence-changed-notice.png"))

    queue = page.locator("#queue")
    assert queue.locator("button.queue-item").count() > 1  # other answers wait too
    page.get_by_label("Evidence").select_option("changed")
    queue.locator(f"tr[data-answer-id='{changed['id']}']").wait_for()
    assert queue.locator("button.queue-item").count() == 1
    assert "Evidence changed" in queue.inner_text()
    assert page.errors == []


def test_chat_history_shows_the_notice_on_the_answer(
    browser: Any, web: LiveServer, changed: dict[str, Any]
) -> None:
    page = signed_in(browser, web, "alice", f"/chat?c={changed['conversation_id']}")
    card = page.locator(f"article.answer[data-answer-id='{changed['id']}']")
    card.locator(".evidence-notice").wait_for()
    assert "has changed since it was reviewed on" in card.inner_text()
    assert card.locator(".badge[data-status='pending_review']").count() == 1
    assert page.errors == []
