"""Driving the web UI as a signed-in user, and asking through the API beside it."""

from __future__ import annotations

from typing import Any

from tests.support.live_server import LiveServer

ARTICLE = "ldn-fibromyalgia-dosing"  # the sample article the UI suites open


def shown_version(client: Any, answer_id: str) -> dict[str, Any]:
    """The version an edit is made on (its number and SHA-256), as the console shows it."""
    latest = client.get(f"/api/review/answers/{answer_id}").json()["versions"][-1]
    return {"version": latest["version"], "sha256": latest["sha256"]}


def signed_in(browser: Any, web: LiveServer, user: str, path: str, **context: Any) -> Any:
    """A fresh browser context signed in as ``user`` through the login page, at ``path``."""
    page = browser.new_context(**context).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(web.url + path)
    page.wait_for_url("**/login?next=*")
    page.get_by_label("API key").fill(web.keys[user])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(web.url + path)
    return page


def ask_by_api(web: LiveServer, question: str) -> dict[str, Any]:
    with web.client("alice") as client:
        cid = client.post("/api/conversations", json={"article_id": ARTICLE}).json()["id"]
        record: dict[str, Any] = client.post(
            f"/api/conversations/{cid}/messages", json={"question": question}
        ).json()
        return record


def ask(web: LiveServer, user: str, question: str) -> dict[str, Any]:
    with web.client(user) as client:
        cid = client.post("/api/conversations", json={}).json()["id"]
        record: dict[str, Any] = client.post(
            f"/api/conversations/{cid}/messages", json={"question": question}
        ).json()
        return record
