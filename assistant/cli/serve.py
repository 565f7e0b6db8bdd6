"""``followup serve``: the HTTP API and web UI on one address (loopback by default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Settings

app = typer.Typer()

DEMO_USERS = {"demo-clinician": "clinician", "demo-reviewer": "reviewer"}
DEMO_KEYS_FILE = "demo-keys.txt"


def demo_keys(settings: Settings) -> dict[str, str]:
    """Create the demo users once and keep their keys in the (git-ignored) data dir, readable
    only by this account, so `make run` can show them again on every start."""
    from assistant.review.store import AnswerStore
    from assistant.review.users import add_user, list_users

    path: Path = settings.data_dir / DEMO_KEYS_FILE
    saved = (
        dict(line.split("\t", 1) for line in path.read_text().splitlines() if "\t" in line)
        if path.exists()
        else {}
    )
    store = AnswerStore.from_settings(settings)
    try:
        existing = {user.name for user in list_users(store)}
        for name, role in DEMO_USERS.items():
            if name not in existing:
                saved[name] = add_user(store, name, role)[1]
    finally:
        store.close()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("".join(f"{name}\t{key}\n" for name, key in saved.items()))
    return saved


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create demo users (once) and print their keys.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes on this port. They share sessions, rate limits and "
            "generation slots through the answer store, as do servers on other machines.",
        ),
    ] = 1,
) -> None:
    """Serve the web UI, the chat/review API and the OpenAI-compatible endpoint."""
    import uvicorn

    if demo:
        for name, key in demo_keys(Settings()).items():
            typer.echo(f"demo user {name} ({DEMO_USERS.get(name, '?')}): API key {key}")
        typer.echo("Sign in at /login with one of these keys.")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(
            f"warning: binding {host}; put TLS in front and set "
            "FOLLOWUP_SERVER__SECURE_COOKIES=true.",
            err=True,
            fg=typer.colors.YELLOW,
        )
    typer.echo(f"Followup on http://{host}:{port}/  (API docs: /docs, OpenAI base: /v1)")
    # The app factory builds its clients in the lifespan: nothing is loaded at import.
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
