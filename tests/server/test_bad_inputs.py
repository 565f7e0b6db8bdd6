"""Hostile and malformed input gets a 4xx with a message naming the problem, never a 5xx."""

from __future__ import annotations

import json
import socket
import sqlite3
from contextlib import closing
from urllib.parse import urlparse

import httpx
import pytest

from tests.support.live_server import LiveServer


@pytest.fixture()
def conversation(live: LiveServer) -> str:
    with live.client("alice") as client:
        cid: str = client.post("/api/conversations", json={}).json()["id"]
        return cid


def _message(response: httpx.Response) -> str:
    message: str = response.json()["error"]["message"]
    assert message
    return message


def _post_raw(live: LiveServer, path: str, body: bytes) -> httpx.Response:
    headers = {**live.headers("alice"), "Content-Type": "application/json"}
    return httpx.post(live.url + path, content=body, headers=headers, timeout=60)


def test_ten_megabyte_body_is_413(live: LiveServer, conversation: str) -> None:
    body = b'{"question": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = _post_raw(live, f"/api/conversations/{conversation}/messages", body)
    assert response.status_code == 413
    assert "larger than" in _message(response)


def test_chunked_oversized_body_is_413(live: LiveServer, conversation: str) -> None:
    def chunks():  # no Content-Length: the limit must count what actually arrives
        yield b'{"question": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    headers = {**live.headers("alice"), "Content-Type": "application/json"}
    response = httpx.post(
        live.url + f"/api/conversations/{conversation}/messages",
        content=chunks(),
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 413


def test_invalid_utf8_is_4xx(live: LiveServer, conversation: str) -> None:
    body = b'{"question": "dose \xff\xfe of naltrexone"}'
    response = _post_raw(live, f"/api/conversations/{conversation}/messages", body)
    assert 400 <= response.status_code < 500
    assert _message(response)


def test_deeply_nested_json_is_4xx(live: LiveServer, conversation: str) -> None:
    body = b'{"question": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _post_raw(live, f"/api/conversations/{conversation}/messages", body)
    assert 400 <= response.status_code < 500
    assert _message(response)
    nested_messages = b'{"model": "followup", "messages": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = _post_raw(live, "/v1/chat/completions", nested_messages)
    assert 400 <= response.status_code < 500


def test_not_json_is_4xx(live: LiveServer, conversation: str) -> None:
    response = _post_raw(live, f"/api/conversations/{conversation}/messages", b"question=dose")
    assert 400 <= response.status_code < 500
    assert _message(response)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 100_000, "limit"),
        ("dose of\x00 naltrexone?", "control characters"),
        ("dose\x1b[31m of naltrexone?", "control characters"),
    ],
    ids=["empty", "blank", "100k-chars", "nul", "escape"],
)
def test_bad_questions_are_422_with_reason(
    live: LiveServer, conversation: str, question: str, expected: str
) -> None:
    with live.client("alice") as client:
        for path in (
            f"/api/conversations/{conversation}/messages",
            f"/api/conversations/{conversation}/stream",
        ):
            response = client.post(path, json={"question": question})
            assert response.status_code == 422, response.text
            assert expected in _message(response)
        chat = client.post(
            "/v1/chat/completions",
            json={"model": "followup", "messages": [{"role": "user", "content": question}]},
        )
        assert chat.status_code == 422 and expected in _message(chat)


def test_wrong_types_and_unknown_fields_are_422(live: LiveServer, conversation: str) -> None:
    with live.client("alice") as client:
        for body in ({"question": 5}, {"question": "dose?", "evil": 1}, {"q": "dose?"}, []):
            response = client.post(f"/api/conversations/{conversation}/messages", json=body)
            assert response.status_code == 422, body
            assert "Invalid request" in _message(response)


def test_bad_credentials_are_401(live: LiveServer) -> None:
    for header in ("Bearer fu_nope", "Bearer", "Basic YTpi", "Bearer " + "x" * 5000):
        response = httpx.get(live.url + "/api/articles", headers={"Authorization": header})
        assert response.status_code in (401, 403), header
        assert _message(response)


def test_garbage_request_line_does_not_kill_the_server(live: LiveServer) -> None:
    url = urlparse(live.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        sock.recv(1024)
    assert httpx.get(live.url + "/healthz").status_code == 200


def _conversations(live: LiveServer) -> int:
    """How many conversations the live server's store holds (read-only)."""
    uri = f"file:{live.data_dir / 'followup.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        count: int = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
        return count


def _every_channel(live: LiveServer, conversation: str, question: object) -> list[httpx.Response]:
    """The question sent, JSON-escaped as a client would, to all four answering routes."""
    chat = {"model": "followup", "messages": [{"role": "user", "content": question}]}
    bodies = [
        (f"/api/conversations/{conversation}/messages", {"question": question}),
        (f"/api/conversations/{conversation}/stream", {"question": question}),
        ("/v1/chat/completions", chat),
        ("/v1/chat/completions", {**chat, "stream": True}),
    ]
    # json.dumps escapes a lone surrogate as \ud800 (httpx's json= cannot encode it at all).
    return [_post_raw(live, path, json.dumps(body).encode()) for path, body in bodies]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("\ud800 x", "not valid text"),
        ("dose \udcff of mebendazole?", "not valid text"),
        ([{"type": "text", "text": "\udfff mebendazole dose"}], "not valid text"),
        ("\u200b\u200b", "no visible text"),
        ("\u202e\u2066 \u200f\ufeff", "no visible text"),
    ],
    ids=["lone-high-surrogate", "escaped-byte", "v1-content-part", "zero-width", "bidi"],
)
def test_surrogates_and_invisible_questions_are_422_and_create_nothing(
    live: LiveServer, conversation: str, question: object, expected: str
) -> None:
    before = _conversations(live)
    for response in _every_channel(live, conversation, question):
        if isinstance(question, list) and "/api/" in str(response.url):
            assert response.status_code == 422  # not a string: refused by the schema
            continue
        assert response.status_code == 422, (response.url, response.text)
        assert expected in _message(response)
        assert "\\ud" not in response.text.lower()  # the message does not echo the text
    assert _conversations(live) == before  # refused before a conversation was created


def test_invalid_utf8_is_422_on_every_channel(live: LiveServer, conversation: str) -> None:
    before = _conversations(live)
    chat = b'{"model": "followup", "messages": [{"role": "user", "content": "\xff dose"}]'
    bodies = [
        (f"/api/conversations/{conversation}/messages", b'{"question": "\xff dose"}'),
        (f"/api/conversations/{conversation}/stream", b'{"question": "\xc3\x28 dose"}'),
        ("/v1/chat/completions", chat + b"}"),
        ("/v1/chat/completions", chat + b', "stream": true}'),
    ]
    for path, body in bodies:
        response = _post_raw(live, path, body)
        assert response.status_code == 422, (path, response.text)
        assert "UTF-8" in _message(response)
    assert _conversations(live) == before
