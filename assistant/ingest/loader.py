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


@dataclass(frozen=True)
class Limits:
    """Input limits: a bigger file or document is refused with an error naming it."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_document_chars: int = 100_000


@dataclass
class LoadResult:
    """Everything read from the corpus paths: good documents and per-file/line errors.

    ``held`` are ids whose documents could not be taken from these files (a duplicate id,
    a document over the size limit): whatever the index holds under them stays as it is.
    ``failed_files`` are files with at least one error: their indexed documents are kept.
    """

    documents: list[Document] = field(default_factory=list)
    errors: list[CorpusError] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    failed_files: set[str] = field(default_factory=set)


def origin_file(origin: str) -> str:
    """The file part of a document origin: "a.jsonl:3" -> "a.jsonl", "b.xml#QA 1" -> "b.xml"."""
    path = origin.split("#", 1)[0]
    head, sep, tail = path.rpartition(":")
    return head if sep and tail.isdigit() else path


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


def _too_big(path: Path, limits: Limits) -> CorpusError | None:
    """An error when ``path`` is over the file limit (an article: over one document's)."""
    size = path.stat().st_size
    limit = limits.max_file_bytes
    if path.suffix.lower() == ".md":  # one article is one document: at most 4 bytes a char
        limit = min(limit, 4 * limits.max_document_chars)
    if size > limit:
        return CorpusError(path, f"file is {size:,} bytes, over the limit of {limit:,}")
    return None


def _read(path: Path, limits: Limits) -> Iterator[Document | CorpusError]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield CorpusError(path, f"unsupported file type {path.suffix!r}")
        return
    error = _too_big(path, limits)
    if error is not None:
        yield error
        return
    for item in reader(path):
        if isinstance(item, Document) and len(item.text) > limits.max_document_chars:
            yield _Oversized(item, limits)
        else:
            yield item


class _Oversized(CorpusError):
    """A document over the size limit (carries its id so the index keeps what it has)."""

    def __init__(self, doc: Document, limits: Limits) -> None:
        super().__init__(
            doc.origin,
            f"document {doc.id!r} has {len(doc.text):,} characters, "
            f"over the limit of {limits.max_document_chars:,}",
        )
        self.doc_id = doc.id


def _duplicates(found: dict[str, list[Document]]) -> Iterator[CorpusError]:
    for doc_id, docs in found.items():
        if len(docs) > 1:
            where = " and ".join(d.origin for d in docs)
            yield CorpusError(
                docs[0].origin,
                f"duplicate id {doc_id!r} in {where}: none of them is indexed "
                "(the index keeps what it had under this id)",
            )


def load_corpus(paths: Iterable[Path], limits: Limits | None = None) -> LoadResult:
    """Read all documents; a bad file or line becomes an error and the rest still loads.

    The whole corpus is read before anything is decided: an id declared twice is an error
    naming every file that declares it, and *neither* document is taken.
    """
    limits = limits or Limits()
    result = LoadResult()
    found: dict[str, list[Document]] = {}
    for path in corpus_files(paths):
        for item in _read(path, limits):
            if isinstance(item, CorpusError):
                result.errors.append(item)
                result.failed_files.add(origin_file(str(item.path)))
                if isinstance(item, _Oversized):
                    result.held.add(item.doc_id)
            else:
                found.setdefault(item.id, []).append(item)
    for error in _duplicates(found):
        result.errors.append(error)
    result.held |= {i for i, docs in found.items() if len(docs) > 1}
    result.documents = [docs[0] for docs in found.values() if len(docs) == 1]
    return result
