"""A throw-away PostgreSQL server from the Debian packages, started and stopped by the tests.

As root, initdb and the server run as the ``postgres`` system user (PostgreSQL refuses root).
The server listens on 127.0.0.1 at a free port, with trust authentication for one test user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin directory, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its URL; stop it and remove its files."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/test-deps/postgres.sh")
    root = Path(tempfile.mkdtemp(prefix="followup-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    run = lambda cmd: subprocess.run(  # noqa: E731
        _as_server_user(cmd), check=True, capture_output=True, text=True, cwd=root
    )
    try:
        run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "followup",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        )
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {root}"
        run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        yield f"postgresql://followup@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            # Immediate: a throw-away server needs no shutdown checkpoint.
            run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new, empty schema ``name`` on the server at ``url``; the URL that works inside it.

    A schema per test is much cheaper than a database per test and just as isolated here.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{url}?options=-csearch_path%3D{name}"


if __name__ == "__main__":
    with postgres_server() as url:
        print(url)
        time.sleep(1)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """One throw-away PostgreSQL server for the whole session (Debian packages)."""
    if pg_bin() is None:
        pytest.skip("PostgreSQL is not installed: run scripts/test-deps/postgres.sh")
    with postgres_server() as url:
        yield url
