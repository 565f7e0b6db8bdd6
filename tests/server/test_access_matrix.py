"""Every route x every role, generated from app.routes: a new route cannot go unchecked.

Each route must declare its access (an ``Access`` with roles, or ``PUBLIC``) as a dependency;
then, against the live server: no credentials -> 401, a role outside the rule -> 403, a role
inside it gets past the gate (a 401/403 there would be a wrong denial).
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import RouteContext, iter_route_contexts

from assistant.config import Settings
from assistant.review.users import Role
from server.app import create_app
from server.auth import Access, Public
from tests.support.live_server import ROLES, LiveServer

USERS_BY_ROLE = {role: name for name, role in ROLES.items()}


def _rules(dependant: object) -> list[object]:
    found = []
    for sub in getattr(dependant, "dependencies", []):
        if isinstance(sub.call, Access | Public):
            found.append(sub.call)
        found.extend(_rules(sub))
    return found


# Framework routes without dependencies, public on purpose: the schema and static assets.
FRAMEWORK_PUBLIC = {"/openapi.json", "/static"}


def _contexts() -> list[RouteContext]:
    return list(iter_route_contexts(create_app(Settings()).routes))


def _routes() -> list[tuple[str, str, list[object]]]:
    out = []
    for context in _contexts():
        dependant = getattr(context, "dependant", None)
        if dependant is None:
            continue
        rules = _rules(dependant)
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, str(context.path), rules))
    return out


ROUTES = _routes()


def test_every_route_declares_exactly_one_access_rule() -> None:
    undeclared = [f"{m} {p}" for m, p, rules in ROUTES if len(rules) != 1]
    assert not undeclared, f"routes without exactly one Access/PUBLIC rule: {undeclared}"
    others = {c.path for c in _contexts() if getattr(c, "dependant", None) is None}
    assert others <= FRAMEWORK_PUBLIC, f"routes outside the access rules: {others}"
    assert len(ROUTES) >= 15  # the matrix really walked the app


def _allowed(rule: object, role: str) -> bool:
    if isinstance(rule, Public):
        return True
    assert isinstance(rule, Access)
    return role == Role.ADMIN or Role(role) in rule.roles


def _call(live: LiveServer, method: str, path: str, user: str | None) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", "00000000000000000000000000000000", path)
    with live.client(user) as client:
        body = {} if method in ("POST", "PUT", "PATCH") else None
        return client.request(method, url, json=body)


@pytest.mark.parametrize(
    ("method", "path", "rules"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_route_by_role(live: LiveServer, method: str, path: str, rules: list[object]) -> None:
    (rule,) = rules
    anonymous = _call(live, method, path, None)
    if isinstance(rule, Public):
        assert anonymous.status_code not in (401, 403), anonymous.text
    else:
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.json()["error"]["message"]
    for role, user in USERS_BY_ROLE.items():
        response = _call(live, method, path, user)
        assert response.status_code < 500, f"{role}: {response.text}"
        if _allowed(rule, role):
            assert response.status_code not in (401, 403), f"{role} wrongly denied: {response.text}"
        else:
            assert response.status_code == 403, f"{role} let through: {response.status_code}"
            assert "needs" in response.json()["error"]["message"]
