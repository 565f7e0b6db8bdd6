"""A real ``followup serve`` on 127.0.0.1 over a temp data dir, for API and browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from assistant.review.store import AnswerStore
from assistant.review.users import add_user

FOLLOWUP = Path(sys.executable).with_name("followup")
ROLES = {"alice": "clinician", "bob": "clinician", "rita": "reviewer", "adam": "admin"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running server: its base URL, data dir, and an API key per user name."""

    url: str
    data_dir: Path
    keys: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}

    def client(self, user: str | None = None, **kwargs: object) -> httpx.Client:
        headers = self.headers(user) if user else {}
        kwargs.setdefault("timeout", 180)
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prepare_data_dir(
    data_dir: Path, index: Path, store: AnswerStore | None = None
) -> dict[str, str]:
    """Copy a built index into ``data_dir`` and create one user per role (in ``store``, else
    the data dir's SQLite file); return their keys."""
    shutil.copytree(index, data_dir / "index")
    if store is not None:
        return {name: add_user(store, name, role)[1] for name, role in ROLES.items()}
    own = AnswerStore(data_dir / "followup.db")
    try:
        return {name: add_user(own, name, role)[1] for name, role in ROLES.items()}
    finally:
        own.close()


def start_server(
    data_dir: Path,
    keys: dict[str, str],
    *,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    **settings: str,
) -> LiveServer:
    """Start ``followup serve`` on a free loopback port and wait until it is ready."""
    port = free_port()
    # Generous sign-in and conversation limits unless a test sets its own: suites sign in often.
    settings = {"signin_per_minute": "100000", "conversations_per_minute": "100000", **settings}
    env = {
        **os.environ,
        "FOLLOWUP_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        **{f"FOLLOWUP_SERVER__{k.upper()}": v for k, v in settings.items()},
        **(extra_env or {}),
    }
    log = data_dir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FOLLOWUP), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, keys, process, log, env)
    deadline = time.monotonic() + 420  # a loaded 2-core machine needs minutes to load torch
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-4000:]}")
        try:
            ready = httpx.get(server.url + "/readyz", timeout=2)
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if ready.status_code == 200:
            return server
        if ready.json().get("status") == "starting":  # the embedding model is loading
            time.sleep(0.5)
            continue
        # The app is composed once at start-up: a 503 now will not change. Say why at once.
        server.stop()
        raise RuntimeError(f"server started but is not ready: {ready.text}")
    server.stop()
    raise RuntimeError(f"server not ready in time:\n{log.read_text()[-4000:]}")
