"""A PostgreSQL 16 + pgvector server (PyPI wheel ``pgserver``) that a test may kill and restart.

The fault tests and ``benchmarks/faults.py`` kill its postmaster with SIGKILL, as a crashed or
OOM-killed database server dies, and start it again on the same data directory and Unix socket,
so clients reconnect to the same URL. ``fsync`` is off (a throw-away server), which loses
nothing here: the operating system, and so its page cache, never goes down. Commits stay
synchronous: with ``synchronous_commit = off`` a kill would lose the last acknowledged commits.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class KillablePostgres:
    """One throw-away server: ``url``, ``kill9()``, ``restart()``, ``stop()``."""

    def __init__(self, root: Path) -> None:
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": harmless here
            warnings.simplefilter("ignore")
            import pgserver

        self.root = root
        self._server: Any = pgserver.get_server(root / "data", cleanup_mode=None)
        self._server.psql(
            "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET full_page_writes = off;"
            " SELECT pg_reload_conf();"
            " CREATE EXTENSION IF NOT EXISTS vector;"
        )
        self.url: str = self._server.get_uri()

    @property
    def pgdata(self) -> Path:
        return Path(self._server.pgdata)

    def pid(self) -> int | None:
        """The postmaster's pid while it runs."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def kill9(self) -> None:
        """SIGKILL the postmaster and wait until no backend of it is left."""
        pid = self.pid()
        assert pid is not None, "the server is not running"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (_alive(pid) or self._backends()):
            time.sleep(0.05)

    def _backends(self) -> list[int]:
        """Server processes still running on this data directory (orphaned backends)."""
        found = subprocess.run(
            ["pgrep", "-f", f"postgres.*{self.pgdata}"], capture_output=True, text=True
        )
        return [int(p) for p in found.stdout.split()]

    def restart(self) -> float:
        """Start the server again on the same data directory; return when it accepts
        connections, with the seconds that took."""
        started = time.monotonic()
        deadline = started + 60
        while True:
            try:
                with self._server._lock:
                    self._server.ensure_postgres_running()
                return time.monotonic() - started
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.pid() is None:
            return
        import importlib

        # pgserver defines its command wrappers at import time, so no static type sees them.
        pg_ctl = importlib.import_module("pgserver._commands").pg_ctl
        pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=self.pgdata, user=self._server.system_user)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A killed child of ours stays a zombie until reaped; the postmaster is not our child.
    return True


@contextmanager
def killable_postgres() -> Iterator[KillablePostgres]:
    """A fresh killable server in a temporary directory, stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="followup-pgkill-"))
    server = KillablePostgres(root)
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


def schema_url(url: str, name: str) -> str:
    """A new schema ``name`` on the server at ``url``; the URL whose connections work in it
    (``public`` stays on the path: the ``vector`` type lives there)."""
    from urllib.parse import quote

    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    options = quote(f"-csearch_path={name},public")
    return f"{url}{'&' if '?' in url else '?'}options={options}"
