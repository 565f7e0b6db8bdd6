"""MedQuAD importer: one source per question-answer pair of a MedQuAD XML document.

Ids follow ``medquad:<source>_<document id>_Sec<pair id>`` (e.g. ``medquad:GARD_0004375_Sec1``).
The pair's question is indexed together with its answer (it becomes the passage title), because
consumer questions match MedQuAD's own questions far better than its answers alone
(measured in evals/README.md).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import CorpusError
from assistant.models import APPROVED, ARTICLE_STATUSES, Document

KIND = "medquad"
CORPUS_CITATION = "MedQuAD (Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019; CC BY 4.0)"


def source_id(source: str, doc_id: str, pid: str) -> str:
    """The project-wide id of one MedQuAD QA pair."""
    return f"medquad:{source}_{doc_id}_Sec{pid}"


def _clean(text: str | None) -> str:
    """Collapse MedQuAD's layout whitespace while keeping paragraph breaks."""
    if not text:
        return ""
    paragraphs = [" ".join(p.split()) for p in text.replace("\r", "").split("\n\n")]
    lines = [" ".join(line.split()) for p in paragraphs for line in p.split("\n")]
    return "\n".join(line for line in lines if line)


def _pair(
    path: Path, root: ET.Element, position: int, pair: ET.Element, with_question: bool
) -> Document:
    pid = (pair.get("pid") or "").strip()
    where = f"QAPair {position}" + (f" (pid {pid})" if pid else "")
    question = _clean(pair.findtext("Question"))
    answer = _clean(pair.findtext("Answer"))
    if not pid:
        raise CorpusError(path, "QA pair has no pid attribute", field=where)
    if not question or not answer:
        missing = "question" if not question else "answer"
        raise CorpusError(path, f"QA pair has an empty {missing}", field=where)
    status = pair.get("status") or root.get("status") or APPROVED
    if status not in ARTICLE_STATUSES:
        raise CorpusError(path, f"unknown status {status!r}", field=where)
    focus = _clean(root.findtext("Focus"))
    source, doc_id = root.get("source", ""), root.get("id", "")
    url = root.get("url")
    question_el = pair.find("Question")
    qtype = question_el.get("qtype", "") if question_el is not None else ""
    return Document(
        id=source_id(source, doc_id, pid),
        title=question if with_question else (focus or question),
        text=answer,
        kind=KIND,
        status=status,
        origin=f"{path}#{where}",
        url=url if url and url.startswith(("http://", "https://")) else None,
        citation=f"{source}: {focus or question}. {CORPUS_CITATION}.",
        metadata={"focus": focus, "question": question, "qtype": qtype, "source": source},
    )


def read_medquad(path: Path, *, with_question: bool = True) -> Iterator[Document | CorpusError]:
    """Yield one document per good QA pair and one CorpusError per bad pair, in file order."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        yield CorpusError(path, f"not well-formed XML: {exc}", line=exc.position[0])
        return
    except OSError as exc:
        yield CorpusError(path, f"cannot read file: {exc.strerror}")
        return
    if root.tag != "Document" or not root.get("source") or not root.get("id"):
        yield CorpusError(path, "not a MedQuAD file: expected <Document id=... source=...>")
        return
    for position, pair in enumerate(root.iter("QAPair"), start=1):
        try:
            yield _pair(path, root, position, pair, with_question)
        except CorpusError as exc:
            yield exc
