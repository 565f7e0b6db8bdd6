"""The embedded backend's sentence vectors: one SQLite file of groups, shared by generations.

Groups are keyed by what they embed (see assistant.index.sentences), so writing the next
generation never changes a group the serving one reads; each generation lists the keys it
uses (``sentences.json``) and groups no kept generation lists are deleted after the switch,
as Chroma's vectors are. WAL mode: servers read while an ingest writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.errors import UnavailableError
from assistant.index.base import WriteHook
from assistant.index.sentences import from_blob, to_blob

FILE = "sentences.sqlite"
KEYS_FILE = "sentences.json"
PAGE = 500  # keys per SELECT (SQLite's limit on bound parameters is far higher, but be safe)


class SqliteSentences:
    """Implements ``SentenceVectors`` over ``<index>/sentences.sqlite``."""

    def __init__(self, folder: Path, hook: WriteHook | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._path = folder / FILE
        self._hook = hook
        self._lock = threading.Lock()  # ingest writes from its writer thread
        self._keys: set[str] | None = None  # stored keys, read once by a writer
        try:
            self._db = sqlite3.connect(self._path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS groups "
                "(key TEXT PRIMARY KEY, rows INTEGER NOT NULL, vectors BLOB NOT NULL)"
            )
            self._db.commit()
        except sqlite3.Error as exc:
            raise UnavailableError(
                f"Cannot open the sentence vectors at {self._path}: {exc}"
            ) from exc

    def close(self) -> None:
        """Close the file (a long-lived process that reopens the index must not leak it)."""
        with self._lock:
            self._db.close()

    def writer(self, hook: WriteHook) -> SqliteSentences:
        """The same file, for a transaction: ``put`` calls ``hook`` first."""
        return SqliteSentences(self._path.parent, hook)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM groups").fetchone()[0])

    def keys(self) -> set[str]:
        """Every stored key."""
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT key FROM groups")}

    def missing(self, keys: Iterable[str]) -> list[str]:
        if self._keys is None:
            self._keys = self.keys()
        return [k for k in dict.fromkeys(keys) if k not in self._keys]

    def put(self, groups: Mapping[str, np.ndarray]) -> None:
        if not groups:
            return
        if self._hook is not None:
            self._hook("sentences.put")
        rows = [(key, int(m.shape[0]), to_blob(m)) for key, m in groups.items()]
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO groups VALUES (?, ?, ?)", rows)
            self._db.commit()
        if self._keys is not None:
            self._keys.update(groups)

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(wanted), PAGE):
                page = wanted[start : start + PAGE]
                marks = ",".join("?" * len(page))
                sql = f"SELECT key, rows, vectors FROM groups WHERE key IN ({marks})"
                for key, n, blob in self._db.execute(sql, page):
                    found[key] = from_blob(blob, n)
        return found

    def keep_only(self, keys: Collection[str]) -> int:
        """Delete every group whose key is not in ``keys``; returns how many went."""
        garbage = sorted(self.keys() - set(keys))
        with self._lock:
            for start in range(0, len(garbage), PAGE):
                page = garbage[start : start + PAGE]
                self._db.execute(
                    f"DELETE FROM groups WHERE key IN ({','.join('?' * len(page))})", page
                )
            self._db.commit()
        return len(garbage)


def save_keys(folder: Path, keys: Iterable[str]) -> None:
    """Write the keys a generation uses (the caller switches generations atomically)."""
    (folder / KEYS_FILE).write_text(json.dumps(sorted(keys)), encoding="utf-8")


def load_keys(folder: Path) -> set[str]:
    """The keys a generation uses ({} for a generation written before sentence vectors)."""
    try:
        raw = json.loads((folder / KEYS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError) as exc:
        raise UnavailableError(f"The sentence key list in {folder} is unreadable: {exc}") from exc
    return {str(k) for k in raw} if isinstance(raw, list) else set()
