"""The embedded index backend: catalog JSON + bm25s per generation, vectors in embedded Chroma.

Layout of the index folder::

    CURRENT                  name of the serving generation (replaced atomically)
    generations/g000007/     catalog.json, vectors.json (chunk id -> content hash), lexical/,
                             sentences.json (the sentence-vector groups it uses)
    chroma/                  one shared collection: content hash -> vector
    sentences.sqlite         shared sentence-vector groups (assistant.index.sentence_store)
    ingest.lock              held by the one writer

A transaction builds ``generations/<next>/`` beside the serving one and switches ``CURRENT`` to
it with an atomic rename; until then readers (and a crashed ingest's successor) see the old
generation whole. After the switch, generations and vectors that neither the new nor the
previous generation references are deleted (a server still holding the previous generation
keeps answering from it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from assistant.errors import ConflictError, FollowupError, IndexNotReadyError
from assistant.index.base import WriteHook, no_hook
from assistant.index.catalog import StoredCatalog
from assistant.index.lexical import Bm25Index
from assistant.index.sentence_store import SqliteSentences, load_keys, save_keys
from assistant.index.sentences import generation_keys
from assistant.index.vector_store import ChromaStore, ChromaVectors
from assistant.models import Chunk

CURRENT = "CURRENT"
GENERATIONS = "generations"
LOCK = "ingest.lock"
LEGACY = ("catalog.json", "catalog.json.tmp", "lexical")


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old or the new file, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def _generation_number(name: str) -> int:
    return int(name[1:]) if name.startswith("g") and name[1:].isdigit() else -1


class _Generation:
    """The three parts of one generation as read from its folder."""

    def __init__(self, catalog: StoredCatalog, vector_map: dict[str, str], lexical: Bm25Index):
        self.catalog, self.vector_map, self.lexical = catalog, vector_map, lexical

    @classmethod
    def empty(cls) -> _Generation:
        return cls(StoredCatalog(), {}, Bm25Index())

    @classmethod
    def load(cls, folder: Path) -> _Generation:
        """Read a generation; FollowupError when any part is missing or unreadable."""
        return cls(
            StoredCatalog.load(folder),
            ChromaVectors.load_map(folder),
            Bm25Index.load(folder / "lexical"),
        )

    @classmethod
    def salvage(cls, folder: Path) -> tuple[_Generation, list[str]]:
        """Every readable part of a damaged generation (the rest empty), and what failed.

        A writer starts from this, so a broken BM25 file does not cost the catalog: an
        ingest of one file still keeps every other indexed document.
        """
        errors: list[str] = []
        generation = cls.empty()
        for part, read in (
            ("catalog", lambda: StoredCatalog.load(folder)),
            ("vector_map", lambda: ChromaVectors.load_map(folder)),
            ("lexical", lambda: Bm25Index.load(folder / "lexical")),
        ):
            try:
                setattr(generation, part, read())
            except FollowupError as exc:
                errors.append(str(exc))
        return generation, errors


class EmbeddedIndex:
    """The serving generation of an index folder (implements ``Index``)."""

    def __init__(
        self, root: Path, store: ChromaStore, generation: _Generation, name: str | None
    ) -> None:
        self.root, self._store, self.name = root, store, name
        self.catalog = generation.catalog
        self.vectors = ChromaVectors(store, generation.vector_map)
        self.lexical = generation.lexical
        self.sentences = SqliteSentences(root)
        self.load_errors: list[str] = []

    @classmethod
    def open(cls, root: Path, collection: str, *, create: bool = False) -> EmbeddedIndex:
        """Open the serving generation; with ``create`` an absent one reads as empty and a
        damaged one keeps its readable parts (what failed is reported by ``problems()``).

        Raises IndexNotReadyError when there is no generation (and ``create`` is false), and
        FollowupError when the serving generation cannot be read.
        """
        name = current_generation(root)
        if name is None and not create:
            raise IndexNotReadyError(root)
        errors: list[str] = []
        generation = _Generation.empty()
        if name is not None and create:
            generation, errors = _Generation.salvage(root / GENERATIONS / name)
        elif name is not None:
            generation = _Generation.load(root / GENERATIONS / name)
        index = cls(root, ChromaStore(root / "chroma", collection), generation, name)
        index.load_errors = errors
        return index

    def begin(self, hook: WriteHook = no_hook) -> EmbeddedTransaction:
        return EmbeddedTransaction(self, self._store, hook)

    def problems(self) -> list[str]:
        """Ways catalog, vectors and lexical of the serving generation disagree."""
        if self.load_errors:
            return list(self.load_errors)
        return agreement_problems(
            self.catalog.chunks(), self.vectors.hashes(), self._store.keys(), self.lexical.ids()
        )

    def close(self) -> None:
        """Release the Chroma client and the sentence-vector file. Each open holds its own
        handles, so a process that opens the index again (a test, a reload) must close."""
        self._store.close()
        self.sentences.close()


def agreement_problems(
    chunks: Sequence[Chunk], vector_map: dict[str, str], stored: set[str], lexical_ids: list[str]
) -> list[str]:
    """Disagreements between a catalog's chunks, a vector map, Chroma's keys and BM25's ids."""
    problems = []
    ids = {c.id for c in chunks}
    stale = [c.id for c in chunks if vector_map.get(c.id) != c.content_hash]
    if stale:
        problems.append(f"{len(stale)} passages have no current vector (e.g. {stale[0]})")
    lost = {h for h in vector_map.values() if h not in stored}
    if lost:
        problems.append(f"{len(lost)} vectors are missing from Chroma")
    if len(vector_map) != len(ids):
        problems.append(f"the vector map has {len(vector_map)} passages, the catalog {len(ids)}")
    if len(lexical_ids) != len(ids) or set(lexical_ids) != ids:
        problems.append(
            f"the lexical index has {len(lexical_ids)} passages, the catalog {len(ids)}"
        )
    return problems


def current_generation(root: Path) -> str | None:
    """Name of the serving generation, or None when the folder holds none yet."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if (root / GENERATIONS / name).is_dir() else None


class EmbeddedTransaction:
    """The next generation, built beside the serving one (implements ``IndexTransaction``)."""

    def __init__(self, index: EmbeddedIndex, store: ChromaStore, hook: WriteHook) -> None:
        self._root, self._store, self._hook = index.root, store, hook
        self._previous = index.name
        self._lock = _lock(index.root)
        self._done = False
        self._keys: set[str] = set()
        try:
            if current_generation(self._root) != self._previous:
                raise ConflictError(
                    f"The index at {self._root} changed since it was opened (another ingest); "
                    "run the ingest again"
                )
            self._sweep_generations()
            stored = store.keys()
            # Vectors Chroma lost are dropped from the map, so ingest embeds them again.
            kept = {cid: h for cid, h in index.vectors.hashes().items() if h in stored}
            self.catalog = index.catalog.copy()
            self.vectors = _WritableVectors(store, kept, stored, hook)
            self.lexical = index.lexical.copy()
            self.sentences = index.sentences.writer(hook)
        except BaseException:
            self._release()
            raise

    def __enter__(self) -> EmbeddedTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._done:
            self.abort()

    def commit(self) -> None:
        """Write the generation folder, switch CURRENT to it, then drop what nothing uses."""
        if self._done:
            raise FollowupError("this index transaction is already finished")
        stored = self._store.keys() if self.vectors.count() else set()
        problems = agreement_problems(
            self.catalog.chunks(), self.vectors.hashes(), stored, self.lexical.ids()
        )
        if problems:
            raise FollowupError(
                "Refusing to switch to an inconsistent index: " + "; ".join(problems)
            )
        name = f"g{self._next_number():06d}"
        folder = self._root / GENERATIONS / name
        self._hook("generation.create")
        folder.mkdir(parents=True)
        self._hook("catalog.write")
        _atomic_write(folder / "catalog.json", self.catalog.to_json())
        self._hook("vectors.write")
        self.vectors.save(folder)
        self.lexical.save(folder / "lexical", self._hook)
        self._hook("sentences.write")
        self._keys = generation_keys(self.catalog.chunks(), self.catalog.articles())
        save_keys(folder, self._keys)
        self._hook("switch")
        _atomic_write(self._root / CURRENT, name)
        self._collect_garbage(name)
        self._release()

    def _collect_garbage(self, name: str) -> None:
        """After the switch: keep ``name`` and the generation before it, delete the rest."""
        keep = [n for n in (name, self._previous) if n]
        self._sweep_generations(keep)
        for legacy in LEGACY:  # the single-generation layout of earlier versions
            path = self._root / legacy
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
        referenced = set(self.vectors.hashes().values())
        if self._previous:
            # An unreadable previous generation keeps no vectors alive.
            with contextlib.suppress(FollowupError):
                previous = ChromaVectors.load_map(self._root / GENERATIONS / self._previous)
                referenced |= set(previous.values())
        self._hook("gc.vectors")
        self._store.keep_only(referenced)
        self._collect_sentences()

    def _collect_sentences(self) -> None:
        """Drop sentence groups that neither the new nor the previous generation uses."""
        keep = set(self._keys)
        if self._previous:
            with contextlib.suppress(FollowupError):
                keep |= load_keys(self._root / GENERATIONS / self._previous)
        self._hook("gc.sentences")
        self.sentences.keep_only(keep)

    def abort(self) -> None:
        self._release()

    def _sweep_generations(self, keep: Iterable[str] | None = None) -> None:
        """Delete generation folders other than ``keep`` (default: serving and previous)."""
        keep = set(keep if keep is not None else self._kept_names())
        folder = self._root / GENERATIONS
        stale = [p for p in folder.iterdir() if p.name not in keep] if folder.is_dir() else []
        if stale:
            self._hook("gc.generations")
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def _kept_names(self) -> list[str]:
        """The serving generation and the newest one before it."""
        if self._previous is None:
            return []
        number = _generation_number(self._previous)
        older = sorted(
            (p.name for p in (self._root / GENERATIONS).iterdir()),
            key=_generation_number,
        )
        return [self._previous, *[n for n in older if 0 <= _generation_number(n) < number][-1:]]

    def _next_number(self) -> int:
        folder = self._root / GENERATIONS
        numbers = [_generation_number(p.name) for p in folder.iterdir()] if folder.is_dir() else []
        return max(numbers, default=0) + 1

    def _release(self) -> None:
        self._done = True
        writer = getattr(self, "sentences", None)
        if writer is not None:
            writer.close()
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None


class _WritableVectors(ChromaVectors):
    """The transaction's vector map: upserts go to Chroma under new hashes, deletes are deferred."""

    def __init__(
        self, store: ChromaStore, hashes: dict[str, str], stored: set[str], hook: WriteHook
    ) -> None:
        super().__init__(store, hashes, stored)
        self._hook = hook

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self._hook("vectors.upsert")
        super().upsert(chunks, vectors)


def _lock(root: Path) -> IO[str] | None:
    """Take the index's writer lock; FollowupError when another ingest holds it."""
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / LOCK).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise ConflictError(
            f"Another ingest is writing the index at {root}; try again when it ends"
        ) from exc
    return handle
