"""A link from another site to /chat?ask=... must not make a signed-in clinician's browser ask
(and store) that question: the chat only prefills the box; the clinician presses Ask."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.browser import signed_in
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PLANTED = "Give 900 mg mebendazole to a child?"


def _stored(web: LiveServer) -> tuple[int, int]:
    """Conversations and answers in the server's store (read-only)."""
    uri = f"file:{web.data_dir / 'followup.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        conversations = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
        answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
        return conversations, answers


def test_cross_site_ask_link_only_prefills(browser: Any, web: LiveServer) -> None:
    page = signed_in(browser, web, "alice", "/chat")
    before = _stored(web)
    page.goto(web.url + f"/chat?ask={quote(PLANTED)}", referer="https://evil.example/page")
    page.get_by_text("A link filled in this question").wait_for()
    assert page.locator("#question").input_value() == PLANTED
    assert page.locator("li.turn").count() == 0
    page.wait_for_timeout(1500)  # an auto-submit would have started by now
    assert _stored(web) == before, "the linked question was asked without the user"
    assert "ask=" not in page.url

    page.get_by_role("button", name="Send", exact=True).click()  # the clinician decides
    page.locator("li.turn article.answer").first.wait_for(timeout=90_000)
    assert _stored(web)[1] == before[1] + 1
    assert not page.errors
