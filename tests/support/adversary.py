"""An adversarial OpenAI-compatible chat server on loopback, scripted per test.

It speaks the real wire protocol (``POST /v1/chat/completions``, JSON or server-sent events),
so the product's real ``openai`` client talks to it unchanged. Each test sets ``script``: a
function from the request body to a :class:`Reply`. The server records every request (body
and headers) and the most requests it served at once.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SOURCE_BLOCK = re.compile(r"<<<SOURCE (\d+): [^\n]*>>>\n(.*?)\n<<<END SOURCE \1>>>", re.DOTALL)


@dataclass
class Reply:
    """What the server sends back: content pieces, with optional delays and status."""

    pieces: list[str] = field(default_factory=list)
    status: int = 200
    delay_before_s: float = 0.0  # before the response headers
    delay_each_s: float = 0.0  # before each streamed piece


def split(text: str, size: int = 4) -> list[str]:
    """Text in small pieces, as a model streams tokens."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def sources(body: dict[str, Any]) -> dict[int, str]:
    """The numbered source blocks the product put in the user message."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return {int(n): text for n, text in SOURCE_BLOCK.findall(user)}


def system_prompt(body: dict[str, Any]) -> str:
    return next((m["content"] for m in body["messages"] if m["role"] == "system"), "")


@dataclass
class Adversary:
    url: str
    script: Callable[[dict[str, Any]], Reply] = lambda body: Reply(["Nothing to say."])
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.script = lambda body: Reply(["Nothing to say."])
        self.requests.clear()
        self.headers.clear()
        self.max_in_flight = 0


def sse_chunk(model: str, delta: dict[str, str], finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-adversary",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def completion_body(model: str, text: str) -> bytes:
    payload = {
        "id": "chatcmpl-adversary",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return json.dumps(payload).encode()


def _handler(adversary: Adversary) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            with adversary.lock:
                adversary.requests.append(body)
                adversary.headers.append({k.lower(): v for k, v in self.headers.items()})
                adversary.in_flight += 1
                adversary.max_in_flight = max(adversary.max_in_flight, adversary.in_flight)
            try:
                self._reply(body, adversary.script(body))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (deadline): expected in timeout tests
            finally:
                with adversary.lock:
                    adversary.in_flight -= 1

        def _reply(self, body: dict[str, Any], reply: Reply) -> None:
            time.sleep(reply.delay_before_s)
            model = body.get("model", "adversary")
            if reply.status != 200:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "scripted failure", "type": "server"}}')
                return
            self.send_response(200)
            if not body.get("stream"):
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(completion_body(model, "".join(reply.pieces)))
                return
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(sse_chunk(model, {"role": "assistant", "content": ""}))
            for piece in reply.pieces:
                time.sleep(reply.delay_each_s)
                self.wfile.write(sse_chunk(model, {"content": piece}))
                self.wfile.flush()
            self.wfile.write(sse_chunk(model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")

    return Handler


def start() -> tuple[Adversary, ThreadingHTTPServer]:
    """Start the server on a free loopback port, serving in a daemon thread."""
    adversary = Adversary(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(adversary))
    server.daemon_threads = True
    server.block_on_close = False
    adversary.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return adversary, server
