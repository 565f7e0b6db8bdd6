"""Helpers of ``benchmarks.recheck``: a fresh copy of the filled store per run, the load average."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from assistant.review.store import AnswerStore


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def copy_store(root: Path, run: int, url: str | None, key: Path) -> AnswerStore:
    """Run ``run``'s store: a copy of the SQLite file filled once (a PostgreSQL store is a
    database cloned from the filled one, ``<name>_run<run>``)."""
    if url:
        return _clone_postgres(url, run, key)
    target = root / f"run{run}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    base = root / "base" / "followup.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{base}{suffix}")
        if source.exists():
            shutil.copy2(source, target / f"followup.db{suffix}")
    return AnswerStore(target / "followup.db", key_file=key)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _clone_postgres(url: str, run: int, key: Path) -> AnswerStore:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    clone = f"{name}_run{run}"
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{clone}"')
        conn.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{name}"')
    return AnswerStore(url=_with_database(url, clone), key_file=key)
