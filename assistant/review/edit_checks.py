"""A reviewer's edited text, checked as a model's answer is.

An edit may cite only passages retrieved for the original request (InvalidRequestError
otherwise). Its findings - numbers, doses, units and frequencies not in the passages it cites
(``assistant.citations.verify``), sentences that say nothing beyond citation markers and
source titles, sentences their cited passages do not say (``assistant.verify``, each naming the
rule that found it) - are stored on the new version and shown to the next reviewer.
"""

from __future__ import annotations

from assistant import citations, verify
from assistant.config import LLMSettings
from assistant.content import contentless
from assistant.errors import InvalidRequestError
from assistant.language import markers
from assistant.models import AnswerRecord


def _check_citations(record: AnswerRecord, text: str) -> None:
    """An edited answer may only cite passages retrieved for the original request."""
    known = {c.n for c in record.citations}
    for match in markers.BRACKETED.finditer(text):
        unknown = [n for n in markers.numbers(match.group(1)) if n not in known]
        if unknown:
            raise InvalidRequestError(
                f"The edited text cites [{unknown[0]}], which is not one of this answer's "
                f"citations ({', '.join(map(str, sorted(known))) or 'none'})."
            )


def verify_text(record: AnswerRecord, text: str) -> list[str]:
    """Findings on a reviewer's text, checked as a model's answer is: numbers, doses, units and
    frequencies against the passages it cites, and every sentence saying something beyond
    citation markers and the titles of its sources."""
    _check_citations(record, text)
    titles = [c.title for c in record.citations]
    empty = [
        f"says nothing beyond citation markers and the titles of its sources: {fragment!r}"
        for fragment in contentless(text, titles)
    ]
    return citations.verify(text, record.citations) + empty + unsupported(record, text)


# The share of a sentence's content words its cited passages must hold, as for a model's.
_MIN_SUPPORT = LLMSettings().min_support


def unsupported(record: AnswerRecord, text: str) -> list[str]:
    """Sentences of ``text`` their cited passages do not say: the checks a model's sentence
    passes (assistant.verify.check_sentences: support, meaning, negation, named entities)."""
    by_n = {c.n: c for c in record.citations}
    size = max(by_n, default=0)
    passages = verify.passage_texts(
        [by_n[n].passage if n in by_n else "" for n in range(1, size + 1)]
    )
    contexts = [
        verify.passage_context(by_n[n].title) if n in by_n else "" for n in range(1, size + 1)
    ]
    checked = verify.check_sentences(
        text, passages, record.standalone_question, _MIN_SUPPORT, contexts
    )
    prefix = "removed unsupported sentence"
    return [
        "unsupported sentence" + f.removeprefix(prefix)
        for f in checked.findings
        if f.startswith(prefix)
    ]
