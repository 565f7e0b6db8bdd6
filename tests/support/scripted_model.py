"""A scripted OpenAI-compatible model in process: the real ``openai`` client over an
``httpx.MockTransport``, so a test of the client wrapper needs no server and no socket.

Each request goes to ``script`` (request body -> :class:`Reply`, or an exception to raise as the
transport would, e.g. ``httpx.ConnectError``). Every request is recorded with the timeout the
client gave it. Delays in a Reply are not played: use the loopback adversary for slow replies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from tests.support.adversary import Reply, completion_body, sse_chunk

BASE_URL = "http://scripted-model.test/v1"


@dataclass
class Seen:
    """One request as the model received it."""

    body: dict[str, Any]
    read_timeout_s: float | None


@dataclass
class ScriptedModel:
    script: Callable[[dict[str, Any]], Reply | Exception] = lambda body: Reply(["Nothing."])
    seen: list[Seen] = field(default_factory=list)

    def client(self) -> openai.OpenAI:
        """The real client, retries off as the product builds it, talking to this script."""
        http = httpx.Client(transport=httpx.MockTransport(self._handle))
        return openai.OpenAI(base_url=BASE_URL, api_key="test", http_client=http, max_retries=0)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        timeout = request.extensions.get("timeout", {})
        self.seen.append(Seen(body, timeout.get("read")))
        reply = self.script(body)
        if isinstance(reply, Exception):
            raise reply
        if reply.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server"}}
            return httpx.Response(reply.status, json=error)
        model = body.get("model", "scripted")
        if not body.get("stream"):
            return httpx.Response(
                200,
                content=completion_body(model, "".join(reply.pieces)),
                headers={"Content-Type": "application/json"},
            )
        events = [sse_chunk(model, {"role": "assistant", "content": ""})]
        events += [sse_chunk(model, {"content": piece}) for piece in reply.pieces]
        events += [sse_chunk(model, {}, "stop"), b"data: [DONE]\n\n"]
        return httpx.Response(
            200, content=b"".join(events), headers={"Content-Type": "text/event-stream"}
        )
