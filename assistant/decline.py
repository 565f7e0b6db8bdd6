"""What the pipeline says when it does not answer, or answers only in part.

Every wording comes from the versioned templates in ``Refusals`` (assistant/wording.py), never
from a model: a message that is no usable question gets a clear request or refusal, a question
the evidence does not cover gets a refusal naming what is missing and the closest approved
articles. The decision itself is taken in assistant/stages/decide.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.coverage import Coverage, missing_phrase
from assistant.generate.base import Draft
from assistant.models import Document, RetrievedChunk
from assistant.understand import MessageKind, Understanding
from assistant.wording import Refusals

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
    """The questions the approved articles behind the best hits answer (an article, or one
    citing a source), phrased as questions, to offer as related questions."""
    questions: list[str] = []
    for hit in hits:
        doc = documents.get(hit.chunk.doc_id)
        if doc is None:
            continue
        article = doc if doc.is_article else _citing_article(doc.id, documents)
        asked = article_question(article) if article is not None else None
        if asked and asked not in questions:
            questions.append(asked)
        if len(questions) == MAX_CLOSEST:
            break
    return questions


def article_question(article: Document) -> str | None:
    """The clinical question an approved article answers, as the article states it."""
    asked = article.metadata.get("question")
    if isinstance(asked, str) and asked.strip().endswith("?"):
        return " ".join(asked.split())
    return None


def _citing_article(source_id: str, documents: Mapping[str, Document]) -> Document | None:
    for doc in documents.values():
        if doc.is_article and any(r.id == source_id for r in doc.references):
            return doc
    return None


def coverage_refusal(refusals: Refusals, coverage: Coverage, closest: Sequence[str]) -> str:
    """The refusal naming what the sources do not address and the closest approved articles."""
    extra = f" {refusals.closest.render()}" if closest else ""  # the prompt text is stripped
    return refusals.coverage.render(missing=missing_phrase(coverage), closest=extra)


def partial_opening(refusals: Refusals, coverage: Coverage, parts: Sequence[str] = ()) -> str:
    """The plain opening of a partial answer: what the sources do not address (the concepts
    they do not name), then the parts of the question no quoted sentence answers."""
    missing = [u for u in coverage.uncovered if u not in parts]
    opening = []
    if missing or not parts:
        gaps = Coverage(coverage.level, tuple(missing), coverage.findings)
        opening.append(refusals.partial.render(missing=missing_phrase(gaps)))
    if parts:
        quoted = " and ".join(f"\u201c{p}\u201d" for p in parts)
        opening.append(refusals.partial_part.render(parts=quoted))
    return " ".join(opening)
