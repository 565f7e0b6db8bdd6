"""Incremental ingest as a transaction: corpus files -> documents -> chunks -> index.

Only approved documents are indexed. Unchanged documents are neither re-chunked nor
re-embedded (content hashes); edited ones replace only their own chunks; no-longer-approved
ones disappear from every part of the index, and documents no longer in the corpus do when
the whole corpus is ingested (``prune``). Each ingest writes a new generation of the index
and switches to it atomically (see assistant.index.base).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import IndexSettings
from assistant.errors import CorpusError
from assistant.index.base import (
    Catalog,
    CatalogWriter,
    Index,
    IndexTransaction,
    WriteHook,
    no_hook,
)
from assistant.index.embedder import Embedder
from assistant.index.embedding_work import (
    PRODUCER_DEPTH,
    Work,
    embed_and_store,
    embed_questions,
    in_background,
    work_for,
)
from assistant.index.factory import open_index
from assistant.index.progress import NoProgress, Progress, ProgressFactory, progress_for
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loader import Limits, LoadResult, load_corpus, origin_file
from assistant.models import APPROVED, Chunk, Document, sha256_text


@dataclass
class IngestPlan:
    """What an ingest will do, decided before anything is written (the CLI shows it first)."""

    update: list[Document] = field(default_factory=list)  # approved documents read now
    remove: list[str] = field(default_factory=list)  # indexed document ids that will go
    keep: list[str] = field(default_factory=list)  # indexed ids not under the paths, kept
    problems: list[str] = field(default_factory=list)  # disagreements found in the index


@dataclass
class IngestReport:
    """What one ingest did, for the summary the CLI prints and for tests."""

    indexed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (document id, status)
    errors: list[CorpusError] = field(default_factory=list)
    warnings: list[CorpusError] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # document ids removed from the index
    kept: list[str] = field(default_factory=list)  # indexed ids not under the paths, kept
    repaired: list[str] = field(default_factory=list)  # problems found in the index, fixed
    committed: bool = False  # whether a new index generation was switched in
    chunks_total: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0  # sentences and article questions embedded at ingest
    chunks_removed: int = 0
    corpus_version: str = ""
    seconds: float = 0.0


def _doc_hash(doc: Document, settings: IndexSettings) -> str:
    return sha256_text(doc.content_hash, f"{settings.chunk_tokens}:{settings.chunk_overlap}")


def _chunks_for(doc: Document, catalog: CatalogWriter, settings: IndexSettings) -> list[Chunk]:
    """Chunks of ``doc`` (reused when unchanged since the last ingest), put in ``catalog``."""
    doc_hash = _doc_hash(doc, settings)
    if catalog.doc_hash(doc.id) == doc_hash:
        chunks = catalog.doc_chunks(doc.id)
    else:
        chunks = chunk_document(
            doc, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap
        )
    catalog.put(doc, doc_hash, chunks)
    return chunks


def _changed(new: Catalog, old: Catalog) -> bool:
    """Whether ``new`` differs from ``old`` (documents, chunks or file origins)."""
    old_docs = {d.id: d for d in old.documents()}
    new_docs = new.documents()
    if old_docs.keys() != {d.id for d in new_docs}:
        return True
    for doc in new_docs:
        before = old_docs[doc.id]
        if new.doc_hash(doc.id) != old.doc_hash(doc.id) or doc.origin != before.origin:
            return True
    return {c.id for c in new.chunks()} != {c.id for c in old.chunks()}


def _estimate(doc: Document, old: Catalog, settings: IndexSettings) -> int:
    """Passages a document will need embedding for, known before it is chunked (progress)."""
    known = old.doc_chunks(doc.id)
    return len(known) if known else max(1, len(doc.text) // (4 * settings.chunk_tokens) + 1)


def plan_ingest(loaded: LoadResult, catalog: Catalog, *, prune: bool) -> IngestPlan:
    """Decide what an ingest of ``loaded`` does to an index holding ``catalog``.

    Approved documents are added or updated; an indexed document now read as not approved is
    removed. Indexed documents the paths do not hold are removed only with ``prune`` (an
    ingest of the whole corpus), and never when their file failed to read or their id is
    held (a duplicate, an oversized document): a bad edit must not take an article away.
    """
    plan = IngestPlan(update=[d for d in loaded.documents if d.status == APPROVED])
    read = {d.id for d in loaded.documents}
    plan.remove = [
        d.id for d in loaded.documents if d.status != APPROVED and catalog.document(d.id)
    ]
    for doc in catalog.documents():
        if doc.id in read or doc.id in loaded.held:
            continue
        if prune and origin_file(doc.origin) not in loaded.failed_files:
            plan.remove.append(doc.id)
        else:
            plan.keep.append(doc.id)
    return plan


def unresolved_references(loaded: LoadResult, catalog: Catalog) -> list[CorpusError]:
    """Warnings for article references whose id matches no source read or indexed."""
    known = {d.id for d in loaded.documents} | loaded.held | {d.id for d in catalog.documents()}
    warnings = []
    for doc in loaded.documents:
        for n, ref in enumerate(doc.references, start=1):
            if ref.id not in known:
                warnings.append(
                    CorpusError(
                        doc.origin,
                        f"reference [{n}] {ref.id!r} matches no source in the corpus",
                        field=f"references[{n}]",
                    )
                )
    return warnings


def _report(loaded: LoadResult, plan: IngestPlan) -> IngestReport:
    return IngestReport(
        indexed=[d.id for d in plan.update],
        skipped=[(d.id, d.status) for d in loaded.documents if d.status != APPROVED],
        errors=loaded.errors,
        removed=list(plan.remove),
        kept=list(plan.keep),
        repaired=list(plan.problems),
    )


def _limits(settings: IndexSettings) -> Limits:
    return Limits(int(settings.max_file_mb * 1024 * 1024), settings.max_document_chars)


def _write(
    tx: IndexTransaction,
    plan: IngestPlan,
    embedder: Embedder,
    settings: IndexSettings,
    bar: Progress,
    progress: ProgressFactory | None,
) -> tuple[int, int, int]:
    """Apply ``plan`` inside ``tx``; returns (passages embedded, sentences embedded, removed)."""
    for doc_id in plan.remove:
        tx.catalog.remove(doc_id)

    def to_embed() -> Iterator[Work]:
        # Runs in the producer thread: chunks documents while earlier windows are encoded.
        for doc in plan.update:
            yield from work_for(_chunks_for(doc, tx.catalog, settings), tx)

    size = settings.embed_batch_size
    passages, sentences = embed_and_store(
        in_background(to_embed(), depth=PRODUCER_DEPTH), embedder, tx, size, bar
    )
    # Repair: every chunk of the new generation gets its vector and sentence vectors, not only
    # the ones read now (an index built before sentence vectors gets them here).
    rest = list(work_for(tx.catalog.chunks(), tx))
    more = _resolve(progress, len(rest), "repairing") if rest else NoProgress()
    extra = embed_and_store(rest, embedder, tx, size, more)
    sentences += extra[1] + embed_questions(tx, embedder)
    gone = [cid for cid in tx.vectors.hashes() if tx.catalog.chunk(cid) is None]
    tx.vectors.delete(gone)
    return passages + extra[0], sentences, len(gone)


def _resolve(progress: ProgressFactory | None, total: int, what: str) -> Progress:
    """The caller's progress, or the default: a bar on a terminal, lines in a log."""
    if progress is not None:
        return progress(total)
    return progress_for(total, what=what)


def ingest(
    paths: Sequence[Path],
    index_dir: Path,
    embedder: Embedder,
    settings: IndexSettings,
    progress: ProgressFactory | None = None,
    *,
    prune: bool = False,
    on_plan: Callable[[IngestPlan], None] | None = None,
    dry_run: bool = False,
    hook: WriteHook = no_hook,
    after: Callable[[Catalog], None] | None = None,
) -> IngestReport:
    """Bring the index in line with the approved documents under ``paths``, atomically.

    The whole corpus is read and checked first; then the next index generation is written
    beside the serving one and switched in at the end, so a failure or a crash at any point
    leaves the previous generation serving. ``prune`` removes indexed documents that the paths
    do not hold (use it for the whole corpus). ``on_plan`` sees what will change before
    anything is written; ``dry_run`` stops there. ``hook`` is called before each write step
    (crash-injection tests). ``after`` is called with the generation served once the ingest
    is done, committed or not (the answer store's re-check: an interrupted one resumes).
    """
    started = time.perf_counter()
    loaded = load_corpus(paths, _limits(settings))
    index = open_index(settings, index_dir, create=True)
    try:
        plan = plan_ingest(loaded, index.catalog, prune=prune)
        plan.problems = index.problems()
        report = _report(loaded, plan)
        report.warnings = unresolved_references(loaded, index.catalog)
        if on_plan is not None:
            on_plan(plan)
        if dry_run:
            report.corpus_version = index.catalog.corpus_version
            return report
        serving = _transact(index, plan, embedder, settings, progress, hook, report)
        if after is not None:
            after(serving)
    finally:
        index.close()
    report.seconds = time.perf_counter() - started
    return report


def _transact(
    index: Index,
    plan: IngestPlan,
    embedder: Embedder,
    settings: IndexSettings,
    progress: ProgressFactory | None,
    hook: WriteHook,
    report: IngestReport,
) -> Catalog:
    """Write the next generation and switch to it when it differs from the serving one;
    returns the catalog of the generation served afterwards."""
    expected = sum(
        _estimate(d, index.catalog, settings)
        for d in plan.update
        if index.catalog.doc_hash(d.id) != _doc_hash(d, settings)
    )
    bar = _resolve(progress, expected, "embedding") if expected else NoProgress()
    with index.begin(hook) as tx:
        written = _write(tx, plan, embedder, settings, bar, progress)
        report.chunks_embedded, report.sentences_embedded, report.chunks_removed = written
        # An unchanged, healthy index is left as it is: rewriting tens of MB would be most
        # of the cost of an unchanged re-ingest.
        embedded = report.chunks_embedded or report.sentences_embedded
        if embedded or plan.problems or _changed(tx.catalog, index.catalog):
            tx.lexical.replace((c.id, c.embedding_text) for c in tx.catalog.chunks())
            tx.commit()
            report.committed = True
        report.chunks_total = len(tx.catalog.chunks())
        report.corpus_version = tx.catalog.corpus_version
        serving = tx.catalog.snapshot() if report.committed else index.catalog.snapshot()
    return serving
