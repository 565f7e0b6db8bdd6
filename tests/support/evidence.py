"""Catalogs of small test corpora and answers that cite them, for the re-check tests.

The passages restate the sample corpus's naltrexone label and review (test fixtures); a test
changes one number in them to stand for a corrected source.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.index.catalog import StoredCatalog
from assistant.ingest.chunking import chunk_document
from assistant.models import AnswerRecord, Citation, Document
from assistant.review.fingerprints import fingerprint
from assistant.review.store import AnswerStore, new_id
from assistant.review.users import User
from assistant.review.workflow import approve
from assistant.verify import passage_texts
from tests.support.records import seen

LDN = "Low-dose naltrexone is defined as a daily dose of 1 to 5 mg."
LABEL = (
    "A 50 mg dose blocks the effects of 25 mg IV heroin for up to 24 hours. "
    "Naltrexone is taken by mouth once daily."
)
# One number changed (a corrected source), and a change elsewhere in the passage.
LABEL_CHANGED_NUMBER = LABEL.replace("up to 24 hours", "up to 36 hours")
LABEL_CHANGED_ELSEWHERE = LABEL.replace("by mouth once daily", "by mouth once a day with water")
SOURCES = {"ldn-review": LDN, "naltrexone-label": LABEL}
TEXT = (
    "Low-dose naltrexone is defined as a daily dose of 1 to 5 mg [1]. "
    "A 50 mg dose blocks the effects of 25 mg IV heroin for up to 24 hours [2]."
)
QUESTION = "At what dose does naltrexone block opioids fully?"


def catalog_of(sources: dict[str, str], withdrawn: tuple[str, ...] = ()) -> StoredCatalog:
    """The generation an ingest of ``sources`` would serve (withdrawn ones are not approved,
    so not indexed)."""
    catalog = StoredCatalog()
    for doc_id, text in sources.items():
        if doc_id in withdrawn:
            continue
        doc = Document(doc_id, f"{doc_id} (test source)", text, "source", "approved", "t.jsonl")
        catalog.put(doc, f"h:{text}", chunk_document(doc, max_tokens=200, overlap=0))
    return catalog


def write_corpus(path: Path, sources: dict[str, str], withdrawn: tuple[str, ...] = ()) -> None:
    """``sources`` as a JSON file a child process turns back into the same catalog."""
    path.write_text(json.dumps({"sources": sources, "withdrawn": list(withdrawn)}))


def read_corpus(path: Path) -> StoredCatalog:
    raw = json.loads(path.read_text())
    return catalog_of(raw["sources"], tuple(raw["withdrawn"]))


def citing_answer(
    store: AnswerStore,
    catalog: StoredCatalog,
    *,
    text: str = TEXT,
    sources: tuple[str, ...] = ("ldn-review", "naltrexone-label"),
    owner: str = "cleo",
) -> AnswerRecord:
    """An answer citing the first passage of each of ``sources`` as [1], [2], ... (stored)."""
    conversation = store.create_conversation(owner=owner)
    citations = []
    for n, source in enumerate(sources, start=1):
        chunk = catalog.doc_chunks(source)[0]
        citations.append(
            Citation(
                n=n,
                source_id=source,
                chunk_id=chunk.id,
                title=chunk.title,
                passage=passage_texts([chunk.text])[0],
            )
        )
    record = AnswerRecord(
        id=new_id(),
        conversation_id=conversation.id,
        question=QUESTION,
        standalone_question=QUESTION,
        answer=text,
        citations=fingerprint(citations, catalog),
        disclaimer="For healthcare professionals (test).",
        generator="extractive",
        corpus_version=catalog.corpus_version,
    )
    store.save_answer(record)
    return record


def approved_answer(
    store: AnswerStore, catalog: StoredCatalog, reviewer: User, **kwargs: object
) -> AnswerRecord:
    record = citing_answer(store, catalog, **kwargs)  # type: ignore[arg-type]
    approve(store, record.id, reviewer, **seen(store, record.id))  # type: ignore[arg-type]
    return store.get_answer(record.id)
