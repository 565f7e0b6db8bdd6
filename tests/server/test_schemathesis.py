"""schemathesis over the live server's OpenAPI schema: all default checks (including
``ignored_auth``) with a valid API key; no 5xx, no auth bypass, every answer as documented.

Bounded so it finishes in a couple of minutes on 2 cores: the routes that generate an answer
(each valid case costs a retrieval and a generation) run the examples and fuzzing phases with
few examples; every other route also runs the coverage phase (boundary values).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from assistant.config import Settings
from server.app import create_app
from tests.server.live import LiveServer

GENERATING = r"/(messages|stream|completions)$"
RAW = create_app(Settings()).openapi()  # building the app loads nothing

cheap = schemathesis.openapi.from_dict(RAW).exclude(path_regex=GENERATING)
costly_schema = schemathesis.openapi.from_dict(RAW)
costly_schema.config.phases.coverage.enabled = False
costly = costly_schema.include(path_regex=GENERATING)

BOUNDS = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}


def _check(case: schemathesis.Case, live: LiveServer) -> None:
    # An admin key reaches every operation; ignored_auth re-sends without it and expects 401.
    case.call_and_validate(base_url=live.url, headers=live.headers("adam"), timeout=60)


@cheap.parametrize()
@settings(max_examples=10, **BOUNDS)
def test_api_conforms_and_enforces_auth(case: schemathesis.Case, live: LiveServer) -> None:
    _check(case, live)


@costly.parametrize()
@settings(max_examples=4, **BOUNDS)
def test_answering_routes_conform_and_enforce_auth(
    case: schemathesis.Case, live: LiveServer
) -> None:
    _check(case, live)
