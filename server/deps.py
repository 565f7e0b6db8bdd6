"""Dependencies that hand each route the parts of the composition (built in the app's
lifespan by assistant.compose) it needs: the pipeline, the answer store, the serving index,
the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.compose import Composed
from assistant.config import Settings
from assistant.errors import FollowupError
from assistant.pipeline import Pipeline
from assistant.review.store import AnswerStore
from assistant.stages.understand import Serving


def composed(request: Request) -> Composed:
    """What the lifespan built; the start-up error (e.g. no index yet) if it could not be."""
    built: Composed | None = request.app.state.composed
    if built is None:
        error: FollowupError = request.app.state.startup_error
        raise error
    return built


def get_store(request: Request) -> AnswerStore:
    """The answer store (conversations, answers, reviews, users, shared state)."""
    return composed(request).store


def get_index(request: Request) -> Serving:
    """What holds the serving catalog (read at use: the index may reload a newer one)."""
    return composed(request).retriever


def get_pipeline(request: Request) -> Pipeline:
    """The question's stages."""
    return composed(request).pipeline


def get_settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


StoreDep = Annotated[AnswerStore, Depends(get_store)]
IndexDep = Annotated[Serving, Depends(get_index)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
