"""Dependencies that hand routes the clients built in the app's lifespan."""

from __future__ import annotations

from fastapi import Request

from assistant.errors import FollowupError
from assistant.services import Services


def get_services(request: Request) -> Services:
    """The injected services; the start-up error (e.g. no index yet) if they could not be built."""
    services: Services | None = request.app.state.services
    if services is None:
        error: FollowupError = request.app.state.startup_error
        raise error
    return services
