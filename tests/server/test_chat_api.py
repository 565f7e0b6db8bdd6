"""Chat over HTTP against the live server: conversations, JSON and streamed answers, history,
ownership, web sessions with CSRF, security headers, health and docs."""

from __future__ import annotations

import httpx

from tests.support.live_server import LiveServer
from tests.support.sse import sse_events

ARTICLE = "ldn-fibromyalgia-dosing"


def test_anchored_conversation_json_answer_and_history(live: LiveServer) -> None:
    with live.client("alice") as client:
        created = client.post("/api/conversations", json={"article_id": ARTICLE})
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        first = client.post(
            f"/api/conversations/{cid}/messages", json={"question": "Is 4.5 mg the usual dose?"}
        )
        assert first.status_code == 200, first.text
        record = first.json()
        assert record["review_status"] == "pending_review"
        assert record["disclaimer"]
        assert record["citations"] and "[1]" in record["answer"]
        follow = client.post(
            f"/api/conversations/{cid}/messages", json={"question": "And with opioids?"}
        ).json()
        assert follow["conversation_id"] == cid
        assert follow["standalone_question"] != "And with opioids?"  # made standalone
        history = client.get(f"/api/conversations/{cid}").json()
    assert history["anchor_article_id"] == ARTICLE
    assert [a["id"] for a in history["answers"]] == [record["id"], follow["id"]]


def test_streamed_answer_events_and_persisted_record(live: LiveServer) -> None:
    with live.client("alice") as client:
        cid = client.post("/api/conversations", json={}).json()["id"]
        response = client.post(
            f"/api/conversations/{cid}/stream",
            json={"question": "What dose of mebendazole for a 14 kg child with roundworm?"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        kinds = [kind for kind, _ in events]
        assert kinds[0] == "sources" and kinds[-1] == "final" and "delta" in kinds
        record = events[-1][1]["record"]
        assert "500 mg" in record["answer"] and record["citations"]
        stored = client.get(f"/api/conversations/{cid}").json()["answers"]
    assert [a["id"] for a in stored] == [record["id"]]


def test_someone_elses_conversation_is_not_found(live: LiveServer) -> None:
    with live.client("alice") as alice, live.client("bob") as bob:
        cid = alice.post("/api/conversations", json={}).json()["id"]
        assert bob.get(f"/api/conversations/{cid}").status_code == 404
        asked = bob.post(f"/api/conversations/{cid}/messages", json={"question": "dose?"})
        assert asked.status_code == 404
        assert "No conversation" in asked.json()["error"]["message"]
        streamed = bob.post(f"/api/conversations/{cid}/stream", json={"question": "dose?"})
        assert streamed.status_code == 404
        assert alice.get(f"/api/conversations/{cid}").status_code == 200


def test_unknown_article_is_404(live: LiveServer) -> None:
    with live.client("alice") as client:
        response = client.post("/api/conversations", json={"article_id": "no-such-article"})
    assert response.status_code == 404
    assert "no-such-article" in response.json()["error"]["message"]


def test_articles_list_and_page_data(live: LiveServer) -> None:
    with live.client("alice") as client:
        ids = [a["id"] for a in client.get("/api/articles").json()]
        article = client.get(f"/api/articles/{ARTICLE}").json()
    assert ARTICLE in ids
    assert article["status"] == "approved" and article["last_updated"] == "2026-01-14"
    assert "[1" in article["body"] and len(article["references"]) >= 2
    assert article["related_questions"] and article["disclaimer"]


def test_session_cookie_login_requires_csrf_for_writes(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as browser:
        bad = browser.post("/api/session", json={"api_key": "fu_wrong"})
        assert bad.status_code == 401
        login = browser.post("/api/session", json={"api_key": live.keys["alice"]})
        assert login.status_code == 200, login.text
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert live.keys["alice"] not in login.headers["set-cookie"]
        csrf = login.json()["csrf_token"]
        assert browser.get("/api/session").json()["name"] == "alice"
        forged = browser.post("/api/conversations", json={})
        assert forged.status_code == 403 and "CSRF" in forged.json()["error"]["message"]
        wrong = browser.post("/api/conversations", json={}, headers={"X-CSRF-Token": "x"})
        assert wrong.status_code == 403
        ok = browser.post("/api/conversations", json={}, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 201
        assert browser.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert browser.get("/api/session").status_code == 401


def test_security_headers_on_pages_and_api(live: LiveServer) -> None:
    for path in ("/", "/chat", "/static/js/chat.js", "/api/articles", "/healthz"):
        headers = httpx.get(live.url + path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script(live: LiveServer) -> None:
    for path in ("/", "/login", "/chat", "/review", "/docs", f"/articles/{ARTICLE}"):
        html = httpx.get(live.url + path).text
        for tag in html.split("<script")[1:]:
            assert 'src="/static/js/' in tag.split(">")[0], f"inline script on {path}"
            assert tag.split(">", 1)[1].startswith("</script>")


def test_health_readiness_and_docs(live: LiveServer) -> None:
    assert httpx.get(live.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(live.url + "/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] > 0
    schema = httpx.get(live.url + "/openapi.json").json()
    assert "/v1/chat/completions" in schema["paths"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert httpx.get(live.url + "/docs").status_code == 200
