"""Server-sent events as a client reads them."""

from __future__ import annotations

import json

import httpx


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events = []
    for block in response.text.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        kind = lines[0].removeprefix("event: ")
        data = json.loads("".join(line.removeprefix("data: ") for line in lines[1:]))
        events.append((kind, data))
    return events
