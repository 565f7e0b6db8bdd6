"""After sign-in the login page goes only to a path on this site (issue 11, finding 6).

Probed: ``/login?next=/%09/evil.example/`` landed on http://evil.example/ (browsers drop the
tab and read ``//evil.example/``). Real Chromium; evil.example is intercepted, never reached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

HOSTILE = [
    "/%09/evil.example/",
    "/%0a/evil.example/",
    "/%0d%0a/evil.example/",
    "/%5Cevil.example/",
    "/%5C%5Cevil.example/",
    "%2F%2Fevil.example/",
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "javascript:alert(document.domain)",
]


def sign_in_at(browser: Any, web: LiveServer, query: str) -> tuple[str, list[str]]:
    """Sign in on /login?next=<query>; the URL landed on and any request to evil.example."""
    context = browser.new_context()
    hits: list[str] = []

    def trap(route: Any) -> None:
        hits.append(route.request.url)
        route.fulfill(status=200, body="evil")

    # Match on the host: the login URL itself carries "evil.example" in its query.
    context.route(lambda url: urlsplit(url).hostname == "evil.example", trap)
    page = context.new_page()
    try:
        page.goto(f"{web.url}/login?next={query}")
        page.get_by_label("API key").fill(web.keys["alice"])
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page.url, hits
    finally:
        context.close()


@pytest.mark.parametrize("query", HOSTILE)
def test_sign_in_never_redirects_off_site(browser: Any, web: LiveServer, query: str) -> None:
    landed, hits = sign_in_at(browser, web, query)
    assert hits == []
    assert landed == web.url + "/", landed


def test_sign_in_returns_to_the_page_asked_for(browser: Any, web: LiveServer) -> None:
    landed, hits = sign_in_at(browser, web, "/review%3Fstatus%3Dapproved")
    assert hits == [] and landed == web.url + "/review?status=approved"
