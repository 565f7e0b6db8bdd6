"""Walk corpus paths and read every file with the reader its format calls for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.articles import read_article
from assistant.ingest.medquad import read_medquad
from assistant.ingest.pubmedqa import read_pubmedqa
from assistant.ingest.sources import read_jsonl_sources
from assistant.models import Document

Reader = Callable[[Path], Iterable[Document | CorpusError]]


def _article_reader(path: Path) -> Iterator[Document | CorpusError]:
    try:
        yield read_article(path)
    except CorpusError as exc:
        yield exc


# Suffix -> reader. Importers for other formats register here.
READERS: dict[str, Reader] = {
    ".md": _article_reader,
    ".jsonl": read_jsonl_sources,
    ".xml": read_medquad,
    ".json": read_pubmedqa,
}


@dataclass
class LoadResult:
    """Everything read from the corpus paths: good documents and per-file/line errors."""

    documents: list[Document] = field(default_factory=list)
    errors: list[CorpusError] = field(default_factory=list)


def _is_ignored(path: Path) -> bool:
    name = path.name.lower()
    return name.startswith(("readme", "_", ".")) or name == "license.md"


def corpus_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every readable corpus file under the given files or folders, in a stable order."""
    for root in paths:
        if root.is_file():
            yield root
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix.lower() in READERS and not _is_ignored(path):
                    yield path
        else:
            raise CorpusError(root, "no such file or folder")


def load_corpus(paths: Iterable[Path]) -> LoadResult:
    """Read all documents; a bad file or line becomes an error and the rest still loads."""
    result = LoadResult()
    seen: dict[str, str] = {}
    for path in corpus_files(paths):
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            result.errors.append(CorpusError(path, f"unsupported file type {path.suffix!r}"))
            continue
        for item in reader(path):
            if isinstance(item, CorpusError):
                result.errors.append(item)
            elif item.id in seen:
                result.errors.append(
                    CorpusError(item.origin, f"duplicate id {item.id!r} (first in {seen[item.id]})")
                )
            else:
                seen[item.id] = item.origin
                result.documents.append(item)
    return result
