"""``followup serve``: the HTTP API and web UI on one address (loopback by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import app


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web UI, the chat/review API and the OpenAI-compatible endpoint."""
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(
            f"warning: binding {host}; put TLS in front and set "
            "FOLLOWUP_SERVER__SECURE_COOKIES=true.",
            err=True,
            fg=typer.colors.YELLOW,
        )
    typer.echo(f"Followup on http://{host}:{port}/  (API docs: /docs, OpenAI base: /v1)")
    # The app factory builds its clients in the lifespan: nothing is loaded at import.
    uvicorn.run("server.app:create_app", factory=True, host=host, port=port, log_level="info")
