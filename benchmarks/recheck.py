"""The re-check after an ingest that changes 1 % of the passages, in a store of 100,000 answers.

    python -m benchmarks.recheck [--answers 100000] [--changed 0.01] [--runs 3] [--files 4000]
                                 [--approved 0.1] [--store-url postgresql://...] [--out DIR]

Builds a corpus generation from MedQuAD (read from ``FOLLOWUP_SHARED_DATA``, default
``../shared/data``; chunked as ingest chunks it, nothing embedded: the re-check reads only the
catalog), stores ``--answers`` answers that each quote one to three sentences of one to three
passages with their citations (fingerprinted as the pipeline does), approves a share of them,
then makes the next generation: ``--changed`` of the passages changed (nine in ten edited: a
number or a word; one in ten withdrawn with its document). Each run re-checks a copy of the
same store against that generation and prints how long it took, how many answers it marked
and how; the median of the runs is the figure. Quote the load average it prints beside it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.config import IndexSettings
from assistant.index.catalog import StoredCatalog
from assistant.ingest.chunking import chunk_document
from assistant.ingest.medquad import read_medquad
from assistant.language.sentences import split_sentences
from assistant.models import AnswerRecord, Chunk, Citation, Document
from assistant.review.fingerprints import fingerprint
from assistant.review.recheck import Served, recheck, targets
from assistant.review.store import AnswerStore, new_id
from assistant.review.users import Role, User
from assistant.review.workflow import approve
from assistant.verify import passage_texts
from benchmarks.recheck_store import copy_store, load_average

SHARED = Path(
    os.environ.get("FOLLOWUP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
_NUMBER = re.compile(r"\b\d+\b")
BATCH = 1000


def corpus(files: int, rng: random.Random) -> StoredCatalog:
    """A generation of ``files`` MedQuAD files, chunked as ingest chunks them."""
    paths = sorted((SHARED / "medquad").glob("*/*.xml"))
    if not paths:
        raise SystemExit(f"MedQuAD not found under {SHARED}/medquad: set FOLLOWUP_SHARED_DATA")
    settings = IndexSettings()
    catalog = StoredCatalog()
    for path in rng.sample(paths, min(files, len(paths))):
        for doc in read_medquad(path):
            if isinstance(doc, Document) and doc.text.strip():
                chunks = chunk_document(
                    doc, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap
                )
                catalog.put(doc, doc.content_hash, chunks)
    return catalog


def _sentences(chunk: Chunk) -> list[str]:
    found = [s.strip() for s in split_sentences(passage_texts([chunk.text])[0]) if len(s) > 30]
    return found or [passage_texts([chunk.text])[0]]


def an_answer(
    chunks: Sequence[Chunk], catalog: StoredCatalog, conversation: str, rng: random.Random
) -> AnswerRecord:
    """An answer quoting sentences of ``chunks`` with their citations, as the extractive
    generator writes one."""
    citations, said = [], []
    for n, chunk in enumerate(chunks, start=1):
        citations.append(
            Citation(
                n=n,
                source_id=chunk.doc_id,
                chunk_id=chunk.id,
                title=chunk.title,
                passage=passage_texts([chunk.text])[0],
            )
        )
        options = _sentences(chunk)
        for sentence in rng.sample(options, min(len(options), rng.randint(1, 3))):
            said.append(f"{sentence.rstrip('.')} [{n}].")
    return AnswerRecord(
        id=new_id(),
        conversation_id=conversation,
        question=chunks[0].title,
        standalone_question=chunks[0].title,
        answer=" ".join(said),
        citations=fingerprint(citations, catalog),
        disclaimer="Benchmark answer.",
        generator="extractive",
        corpus_version=catalog.corpus_version,
    )


def fill(
    store: AnswerStore, catalog: StoredCatalog, answers: int, approved: float, rng: random.Random
) -> None:
    chunks = catalog.chunks()
    reviewer = User("bench-reviewer", Role.REVIEWER)
    conversation = store.create_conversation(owner="bench-clinician").id
    started, approvals = time.perf_counter(), []
    for start in range(0, answers, BATCH):
        batch = [
            an_answer(rng.sample(chunks, rng.randint(1, 3)), catalog, conversation, rng)
            for _ in range(min(BATCH, answers - start))
        ]
        store.save_answers(batch)
        approvals += [r for r in batch if rng.random() < approved]
        conversation = store.create_conversation(owner="bench-clinician").id
    print(f"stored {answers} answers in {time.perf_counter() - started:.0f}s", flush=True)
    started = time.perf_counter()
    for record in approvals:
        version = store.versions(record.id)[-1]
        approve(store, record.id, reviewer, version=1, sha256=version.sha256)
    print(f"approved {len(approvals)} in {time.perf_counter() - started:.0f}s", flush=True)


def _edited(text: str, rng: random.Random) -> str:
    numbers = list(_NUMBER.finditer(text))
    if numbers and rng.random() < 0.5:
        m = rng.choice(numbers)
        return f"{text[: m.start()]}{int(m.group(0)) + 1}{text[m.end() :]}"
    words = text.split(" ")
    at = rng.randrange(len(words))
    words[at] = "notably " + words[at]
    return " ".join(words)


def next_generation(
    catalog: StoredCatalog, share: float, rng: random.Random
) -> tuple[StoredCatalog, int, int]:
    """The generation after an ingest that changed ``share`` of the passages."""
    after = catalog.copy()
    chosen = rng.sample(catalog.chunks(), max(1, round(share * len(catalog.chunks()))))
    edited = withdrawn = 0
    for chunk in chosen:
        doc = after.document(chunk.doc_id)
        if doc is None:
            continue
        if rng.random() < 0.1:
            after.remove(doc.id)
            withdrawn += 1
            continue
        parts = [
            replace(c, text=_edited(c.text, rng)) if c.id == chunk.id else c
            for c in after.doc_chunks(doc.id)
        ]
        after.put(doc, f"edited:{rng.random()}", parts)
        edited += 1
    return after, edited, withdrawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--approved", type=float, default=0.1)
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--store-url", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = args.out or Path(tempfile.mkdtemp(prefix="followup-recheck-"))
    print(f"load average at start: {load_average()}", flush=True)
    g1 = corpus(args.files, rng)
    print(f"corpus: {len(g1.documents())} documents, {len(g1.chunks())} passages", flush=True)
    key = root / "audit.key"
    base = AnswerStore(root / "base" / "followup.db", url=args.store_url, key_file=key)
    fill(base, g1, args.answers, args.approved, rng)
    base.close()
    g2, edited, withdrawn = next_generation(g1, args.changed, rng)
    print(f"next generation: {edited} passages edited, {withdrawn} documents withdrawn", flush=True)
    seconds = []
    for run in range(args.runs):
        store = copy_store(root, run, args.store_url, key)
        print(f"run {run + 1}: load average before {load_average()}", flush=True)
        started = time.perf_counter()
        found = len(targets(store, Served(g2)))  # the passage index's part of the re-check
        print(
            f"run {run + 1}: {found} answers to re-check found in "
            f"{time.perf_counter() - started:.2f}s",
            flush=True,
        )
        report = recheck(store, g2, min_support=0.6)
        store.close()
        seconds.append(report.seconds)
        print(
            f"run {run + 1}: re-checked {report.checked} of {args.answers} answers in "
            f"{report.seconds:.1f}s ({report.checked / report.seconds:.0f}/s), states "
            f"{report.states}, {report.requeued} approved back in review; "
            f"load average after {load_average()}",
            flush=True,
        )
    print(f"median re-check: {statistics.median(seconds):.1f}s over {args.runs} runs")
    if args.out is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
