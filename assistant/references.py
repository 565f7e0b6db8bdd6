"""The references of an answer: each source it rests on named once, by its real citation.

Citations (``[n]``) point to the passages retrieved for the request; several passages may come
from one source, and a passage of an approved article rests on the sources that article cites.
A clinician wants the label, guideline or trial itself, once:

- a passage of a source (a label, a trial report) is that source, named by the citation an
  approved article gives it (authors, title, journal, year), else by its own title, with its
  link where the corpus has one, and the approved article that cites it beside it;
- a passage of an approved article is the sources its quoted sentence cites (the article's
  ``[n]`` markers on that sentence; all the passage cites when the sentence is not found),
  with the article beside them; an article sentence that cites nothing is the article.

Two passages of one source, or a source quoted directly and through its article, are one
reference carrying both numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistant.language import markers
from assistant.language.sentences import answer_sentences, sentence_spans, strip_markup
from assistant.models import ArticleLink, Citation, Document, Reference, SourceReference

_PROBE = 48  # characters of a quoted sentence enough to find it in its passage


def cited_sentences(text: str) -> dict[int, list[str]]:
    """The answer's sentences (markers removed) that cite each number."""
    found: dict[int, list[str]] = {}
    for sentence in answer_sentences(text):
        plain = markers.strip(sentence).strip()
        for n in markers.cited_indices(sentence):
            found.setdefault(n, []).append(plain)
    return found


def _article_refs(passage: str, quoted: Sequence[str], article: Document) -> list[Reference]:
    """The references the quoted sentences of an article passage cite (the article's own
    markers on them); all the passage cites when none of the sentences is found."""
    by_number = dict(enumerate(article.references, start=1))
    probes = [q[:_PROBE].rstrip(" .") for q in quoted if q]
    numbers: list[int] = []
    every: list[int] = []
    for line in passage.splitlines():
        for span in sentence_spans(line):
            cited = [
                n
                for m in markers.BRACKETED.finditer(span.text)
                for n in markers.numbers(m.group(1))
            ]
            every += cited
            if any(p and p in strip_markup(span.text) for p in probes):
                numbers += cited
    chosen = numbers or every
    return [by_number[n] for n in dict.fromkeys(chosen) if n in by_number]


def _citing_articles(source_id: str, articles: Iterable[Document]) -> list[Document]:
    return [a for a in articles if any(r.id == source_id for r in a.references)]


class _Builder:
    """Collects references in the order their first number appears."""

    def __init__(self, documents: Mapping[str, Document], articles: Sequence[Document]) -> None:
        self.documents = documents
        self.articles = articles
        self.found: dict[str, SourceReference] = {}

    def add(
        self, source_id: str, citation: str, url: str | None, n: int, via: Sequence[Document]
    ) -> None:
        known = self.found.get(source_id)
        if known is None:
            known = SourceReference(source_id=source_id, citation=citation, url=url)
            self.found[source_id] = known
        if n not in known.numbers:
            known.numbers.append(n)
        known.url = known.url or url
        for article in via:
            if all(link.id != article.id for link in known.via):
                known.via.append(ArticleLink(id=article.id, title=article.title))

    def source(self, c: Citation, doc: Document | None, anchor: Document | None = None) -> None:
        """A passage of a source: named as an approved article cites it."""
        citing = _citing_articles(c.source_id, self.articles)
        if anchor is not None:
            citing = [anchor] if anchor in citing else citing
        entry = next((r for a in citing for r in a.references if r.id == c.source_id), None)
        name = entry.citation if entry else (doc.citation if doc and doc.citation else c.title)
        url = (doc.url if doc else None) or (entry.url if entry else None)
        self.add(c.source_id, name, url, c.n, citing[:1])


def build_references(
    text: str,
    citations: Sequence[Citation],
    raw_passages: Mapping[str, str],
    documents: Mapping[str, Document],
    articles: Sequence[Document],
    anchor_id: str | None = None,
) -> list[SourceReference]:
    """The answer's sources, each once, in the order the answer first cites them.

    ``raw_passages``: chunk id -> the passage text with the article's own markers (citations
    carry it without them); ``documents``: the indexed documents by id (articles and sources);
    ``articles``: the approved articles, to find which one cites a source; ``anchor_id``: the
    article the conversation follows, preferred as the one a source came through.
    """
    builder = _Builder(documents, articles)
    quoted = cited_sentences(text)
    anchor = documents.get(anchor_id) if anchor_id else None
    for c in sorted(citations, key=lambda c: c.n):
        doc = documents.get(c.source_id)
        if doc is not None and doc.is_article:
            raw = raw_passages.get(c.chunk_id, c.passage)
            _Citing(c, raw).apply(builder, doc, quoted.get(c.n, []))
        else:
            builder.source(c, doc, anchor)
    return list(builder.found.values())


class _Citing:
    """A citation with the raw text of its passage (the article's markers kept)."""

    def __init__(self, citation: Citation, raw: str) -> None:
        self.citation = citation
        self.raw = raw

    def apply(self, builder: _Builder, article: Document, quoted: Sequence[str]) -> None:
        refs = _article_refs(self.raw, quoted, article)
        c = self.citation
        if not refs:
            builder.add(article.id, article.citation or article.title, None, c.n, [article])
            return
        for ref in refs:
            source = builder.documents.get(ref.id)
            url = ref.url or (source.url if source else None)
            builder.add(ref.id, ref.citation, url, c.n, [article])
