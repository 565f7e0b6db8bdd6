"""``followup users``: people, their roles, and revoking them.

Whoever can run these commands can open the store's files, so they take no API key. A
disabled user is kept (their decisions still name them); their API key fails at once and every
web session they hold ends at once, on every server sharing the store.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.config import Settings

app = typer.Typer()
NameArg = Annotated[str, typer.Argument(help="User name, e.g. dr.lee")]


@app.command("add")
def users_add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="clinician, reviewer or admin")],
) -> None:
    """Create a user and print their API key once (only its hash is stored)."""
    from assistant.review.store import AnswerStore
    from assistant.review.users import add_user

    user, key = add_user(AnswerStore.from_settings(Settings()), name, role)
    typer.echo(f"created {user.role.value} {user.name}; API key (shown once, keep it secret):")
    typer.echo(key)


@app.command("list")
def users_list(
    all_: Annotated[bool, typer.Option("--all", help="Include disabled users.")] = False,
) -> None:
    """List users and their roles."""
    from assistant.review.store import AnswerStore

    store = AnswerStore.from_settings(Settings())
    for row in store.users.all(include_disabled=all_):
        typer.echo(f"{row.name}\t{row.role}" + ("\tdisabled" if row.disabled else ""))


def _set_disabled(name: str, disabled: bool) -> None:
    from assistant.review.store import AnswerStore
    from assistant.review.users import set_disabled

    set_disabled(AnswerStore.from_settings(Settings()), name, disabled)


@app.command("disable")
def users_disable(name: NameArg) -> None:
    """Revoke a user: their API key stops working and their web sessions end now."""
    _set_disabled(name, True)
    typer.echo(f"disabled {name}: API key refused, web sessions ended")


@app.command("enable")
def users_enable(name: NameArg) -> None:
    """Let a disabled user in again with their existing API key."""
    _set_disabled(name, False)
    typer.echo(f"enabled {name}")
