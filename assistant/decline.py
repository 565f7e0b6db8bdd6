"""What the pipeline says when it does not answer, or answers only in part.

Every wording comes from the versioned templates in ``Refusals`` (never from a model): a
message that is no usable question gets a clear request or refusal, a question the evidence
does not cover gets a refusal naming what is missing and the closest approved articles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.coverage import Coverage, missing_phrase
from assistant.generate.base import Draft
from assistant.models import Document, RetrievedChunk
from assistant.services import Refusals
from assistant.understand import MessageKind, Understanding

MAX_CLOSEST = 2


def message_draft(
    refusals: Refusals, understanding: Understanding, generator: str, meaning: str | None
) -> Draft | None:
    """A draft for a message that is not a usable question, else None."""
    kind = understanding.kind
    if kind is MessageKind.QUESTION:
        return None
    if kind is MessageKind.TERM_ONLY:
        term = understanding.corrected.strip(" ?.!")
        text = refusals.term_only.render(term=term, meaning=meaning or term)
    elif kind is MessageKind.CONTEXT_ONLY:
        text = refusals.context_only.render()
    elif kind is MessageKind.FOREIGN:
        text = refusals.language.render()
    else:
        text = refusals.injection.render()
    return Draft(text=text, generator=generator, refused=True, findings=[f"message: {kind}"])


def closest_articles(
    hits: Sequence[RetrievedChunk], documents: Mapping[str, Document]
) -> list[str]:
    """Titles of the approved articles behind the best hits (an article, or one citing a source)."""
    titles: list[str] = []
    for hit in hits:
        doc = documents.get(hit.chunk.doc_id)
        if doc is None:
            continue
        article = doc if doc.is_article else _citing_article(doc.id, documents)
        if article is not None and article.title not in titles:
            titles.append(article.title)
        if len(titles) == MAX_CLOSEST:
            break
    return titles


def _citing_article(source_id: str, documents: Mapping[str, Document]) -> Document | None:
    for doc in documents.values():
        if doc.is_article and any(r.id == source_id for r in doc.references):
            return doc
    return None


def coverage_refusal(refusals: Refusals, coverage: Coverage, closest: Sequence[str]) -> str:
    """The refusal naming what the sources do not address and the closest approved articles."""
    extra = f" {refusals.closest.render()}" if closest else ""  # the prompt text is stripped
    return refusals.coverage.render(missing=missing_phrase(coverage), closest=extra)


def partial_opening(refusals: Refusals, coverage: Coverage) -> str:
    """The plain first sentence of a partial answer: what the sources do not address."""
    return refusals.partial.render(missing=missing_phrase(coverage))
