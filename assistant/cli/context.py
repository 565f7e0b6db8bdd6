"""What the commands open, from the settings of the environment: the composed pipeline, the
authenticated reviewer with their store, and the catalog of the generation served now.

Imports of heavy parts (torch, the index backends) stay inside the functions, so that
``followup --help`` and the review commands start fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.compose import Composed
    from assistant.index.base import Catalog
    from assistant.review.store import AnswerStore
    from assistant.review.users import User

KEY_ENV = "FOLLOWUP_API_KEY"


def open_composed() -> Composed:
    """Everything answering a question needs, composed once."""
    from assistant.compose import compose

    return compose(Settings())


def api_key() -> str:
    """The caller's API key: ``FOLLOWUP_API_KEY``, else asked for without echo (never an
    option: ``ps`` would show it to every local user)."""
    key = os.environ.get(KEY_ENV, "").strip()
    return key or str(typer.prompt("API key", hide_input=True))


def reviewer_session() -> tuple[AnswerStore, User]:
    """The store and the authenticated person, at least a reviewer; each command that needs
    more checks it itself."""
    from assistant.review.store import AnswerStore
    from assistant.review.users import Role, authenticate

    key = api_key()
    store = AnswerStore.from_settings(Settings())
    user = authenticate(store, key.strip())
    user.require(Role.REVIEWER)
    return store, user


def served_catalog(settings: Settings) -> Catalog | None:
    """The catalog of the generation served now (None when nothing is indexed yet), read
    without opening the vector store: the review commands check stored answers against it."""
    from assistant.errors import IndexNotReadyError

    if settings.index.url:
        from assistant.index.factory import open_index

        try:
            index = open_index(settings.index, settings.index_dir)
        except IndexNotReadyError:
            return None
        try:
            return index.catalog.snapshot()
        finally:
            index.close()
    from assistant.index.catalog import StoredCatalog
    from assistant.index.embedded import GENERATIONS, current_generation

    name = current_generation(settings.index_dir)
    return None if name is None else StoredCatalog.load(settings.index_dir / GENERATIONS / name)
