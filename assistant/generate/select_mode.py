"""Grounded "select" mode: the model picks passage sentences; the code writes the answer.

The retrieved passages are split into sentences (the one splitter,
assistant.language.sentences) and shown to the model with labels ``S1``, ``S2``, ... grouped
by source. The model answers with the labels of the sentences that answer the question, best
first (``SENTENCES: S4, S2``), or ``NOT COVERED``, optionally after one short ``LEAD:``
sentence. The answer is assembled in code from the chosen sentences **verbatim**, each with
the citation of its passage, so no claim in it is in the model's wording. The lead sentence
is the model's own wording: it is kept only when it passes the same verification as a
written sentence, else dropped with a finding.

Chosen sentences are streamed as soon as their label is complete; the lead is held until its
line ends and is streamed only if it passes verification, so what is streamed is what is kept.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answer_form import repeats, restates, unexplained_opening
from assistant.errors import GenerationError
from assistant.generate.base import (
    MODEL_DECLINED,
    Draft,
    GenerationRequest,
    discarded,
    final_draft,
)
from assistant.generate.openai_compat import ChatEndpoint, Messages
from assistant.generate.prompt_set import fence
from assistant.language.markers import cite
from assistant.language.sentences import split_sentences
from assistant.models import RetrievedChunk
from assistant.prompts import Prompt
from assistant.verify import check_sentences, passage_context, passage_texts

log = logging.getLogger(__name__)

MODE = "select"
NOT_COVERED = re.compile(r"\bNOT[\s_]+COVERED\b|\bNO_ANSWER\b", re.IGNORECASE)
MIN_WORDS = 4  # shorter pieces are headings or splitter fragments, not quotable claims
_LEAD = re.compile(r"^\s*LEAD\s*:\s*(.*)$", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:SENTENCES?|LABELS?|ANSWER)\s*:\s*", re.IGNORECASE)
# A selection line holds nothing but labels and separators: "S4, S2", "[S4] [S2]", "4, 2".
_SELECTION = re.compile(r"^[\sSs\d,;.\[\]()#&and-]*$")
_LABEL = re.compile(r"(?<![A-Za-z0-9.])[Ss]?\s?(\d{1,3})(?![\d.])")


@dataclass(frozen=True)
class Quotable:
    """One passage sentence the model may choose."""

    label: int  # the number after "S", from 1 over the whole request
    passage: int  # 1-based request position of its passage: the citation
    text: str


@dataclass(frozen=True)
class SelectPrompts:
    """The versioned templates of select mode (source blocks are shared with write mode)."""

    system: Prompt
    answer: Prompt
    source: Prompt

    def version(self) -> str:
        return "+".join(p.id for p in (self.system, self.answer, self.source))


def quotables(passages: Sequence[RetrievedChunk]) -> list[Quotable]:
    """Every whole sentence of the passages, labelled in order; repeats (chunk overlap) and
    fragments (a chunk cut mid-sentence, a heading) are left out."""
    found: list[Quotable] = []
    seen: set[str] = set()
    for position, hit in enumerate(passages, start=1):
        for sentence in split_sentences(hit.chunk.text):
            key = " ".join(sentence.lower().split())
            if len(sentence.split()) < MIN_WORDS or sentence[0].islower() or key in seen:
                continue
            seen.add(key)
            found.append(Quotable(len(found) + 1, position, sentence))
    return found


def sentence_blocks(
    template: Prompt, passages: Sequence[RetrievedChunk], pool: list[Quotable]
) -> str:
    """The quotable sentences as labelled lines inside numbered source blocks."""
    blocks = []
    for position, hit in enumerate(passages, start=1):
        lines = [f"S{q.label}: {fence(q.text)}" for q in pool if q.passage == position]
        if lines:
            title = fence(" ".join(hit.chunk.title.split()))
            blocks.append(template.render(n=str(position), title=title, text="\n".join(lines)))
    return "\n\n".join(blocks)


@dataclass
class Selection:
    """What the reply has said so far, parsed line by line as it streams."""

    pool: dict[int, Quotable]
    limit: int
    chosen: list[Quotable] = field(default_factory=list)
    lead: str | None = None
    lines_read: int = 0
    not_covered: bool = False
    findings: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # why each pick was not quoted

    def take(self, label: int) -> Quotable | None:
        """Add a chosen label; the sentence when it is new, valid and within the limit."""
        quotable = self.pool.get(label)
        if quotable is None:
            finding = f"ignored label S{label}: no sentence has that label"
            if finding not in self.findings:
                self.findings.append(finding)
            return None
        if quotable in self.chosen or len(self.chosen) >= self.limit:
            return None
        said = [q.text for q in self.chosen]
        if any(repeats(quotable.text, s) for s in said) or restates(quotable.text, said):
            # The article and its source often say one thing twice; the answer says it once.
            self._leave_out(label, "it repeats a sentence already chosen")
            return None
        introduced = any(q.passage == quotable.passage for q in self.chosen)
        if unexplained_opening(quotable.text, introduced):
            # "It summarises ...": out of its passage the sentence no longer says its subject.
            self._leave_out(label, "it opens on a subject it does not name")
            return None
        self.chosen.append(quotable)
        return quotable

    def _leave_out(self, label: int, why: str) -> None:
        finding = f"left out S{label}: {why}"
        self.left_out.append(finding)
        self.findings.append(finding)


def selection_labels(line: str) -> list[int] | None:
    """The labels of a selection line, or None when the line is not one (free text)."""
    body = _PREFIX.sub("", line)
    explicit = body != line
    if not _SELECTION.match(body) or not (explicit or re.search(r"[Ss]\s?\d", body)):
        return None
    return [int(n) for n in _LABEL.findall(body)]


class SelectGenerator:
    """Asks the model which passage sentences answer the question; quotes them verbatim."""

    def __init__(
        self,
        endpoint: ChatEndpoint,
        prompts: SelectPrompts,
        model: str,
        *,
        max_sentences: int = 4,
        min_support: float = 0.6,
    ) -> None:
        self.name = model
        self._endpoint = endpoint
        self._prompts = prompts
        self._max_sentences = max_sentences
        self._min_support = min_support

    def messages(self, request: GenerationRequest, pool: list[Quotable], canary: str) -> Messages:
        """System and user messages; the canary is random per request."""
        user = self._prompts.answer.render(
            sources=sentence_blocks(self._prompts.source, request.passages, pool),
            question=request.standalone_question,
            max_sentences=str(self._max_sentences),
        )
        system = self._prompts.system.render(canary=canary)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def generate(self, request: GenerationRequest) -> Draft:
        return final_draft(self.stream(request))

    def close(self) -> None:
        self._endpoint.close()

    def stream(self, request: GenerationRequest) -> Iterator[str | Draft]:
        """The assembled answer as soon as the selection line is complete, then the Draft."""
        pool = quotables(request.passages)
        if not pool:
            yield self._failed("the passages hold no whole sentence to choose from")
            return
        canary = f"ref-{secrets.token_hex(6)}"
        messages = self.messages(request, pool, canary)
        selection = Selection({q.label: q for q in pool}, self._max_sentences)
        reply = ""
        try:
            for delta in self._endpoint.guarded(messages, canary):
                reply += delta
                yield from self._lines(reply.split("\n")[:-1], selection, request)
            yield from self._lines(reply.split("\n"), selection, request)
        except GenerationError as exc:
            log.warning("model selection failed: %s", exc)
            yield self._failed(str(exc))
            return
        yield self._draft(selection, reply)

    def _lines(
        self, lines: list[str], selection: Selection, request: GenerationRequest
    ) -> Iterator[str]:
        """Read the complete lines not read yet; stream the answer text they complete."""
        for line in lines[selection.lines_read :]:
            selection.lines_read += 1
            before = len(selection.chosen)
            self._line(line, selection)
            if len(selection.chosen) > before:
                yield self._assembled(selection, request, start=before) + " "

    def _line(self, line: str, selection: Selection) -> None:
        """Act on one complete reply line: a lead, a selection, NOT COVERED, or free text."""
        lead = _LEAD.match(line)
        labels = selection_labels(line)
        if lead:
            if selection.chosen or selection.lead is not None:
                selection.findings.append("ignored a LEAD line after the selection")
            else:
                selection.lead = lead.group(1).strip()
        elif labels is not None:
            for label in labels:
                selection.take(label)
        elif NOT_COVERED.search(line):
            selection.not_covered = True
        elif line.strip():
            selection.findings.append(f"ignored free text in the selection: {line[:120]!r}")

    def _assembled(self, selection: Selection, request: GenerationRequest, start: int) -> str:
        """Answer text for the sentences chosen from ``start`` on; the first time, headed by
        the lead sentence if it passes verification."""
        quoted = [cite(q.text, q.passage) for q in selection.chosen[start:]]
        if start == 0 and selection.lead:
            selection.lead = self._checked_lead(selection.lead, selection, request)
            if selection.lead:
                quoted.insert(0, selection.lead)
        return " ".join(quoted)

    def _checked_lead(
        self, lead: str, selection: Selection, request: GenerationRequest
    ) -> str | None:
        """The lead, citing the chosen sentences' passages, if verification keeps it."""
        said = [q.text for q in selection.chosen]
        if unexplained_opening(lead) or any(repeats(lead, s) for s in said):
            # Not a verification failure: the quotes already say it, or the lead reads badly.
            why = (
                "it says again what a chosen sentence says, or opens on a subject it does not name"
            )
            selection.findings.append(f"left out the model's lead sentence ({why}): {lead[:200]!r}")
            return None
        positions = sorted({q.passage for q in selection.chosen})
        checked = check_sentences(
            cite(lead, *positions),
            passage_texts([hit.chunk.text for hit in request.passages]),
            request.standalone_question,
            self._min_support,
            [passage_context(hit.chunk.title, hit.chunk.heading) for hit in request.passages],
        )
        if checked.removed or not checked.text.strip():
            why = "; ".join(checked.findings) or "nothing of it was kept"
            selection.findings.append(f"dropped the model's lead sentence ({why}): {lead[:200]!r}")
            return None
        return checked.text

    def _draft(self, selection: Selection, reply: str) -> Draft:
        version = self._prompts.version()
        if not selection.chosen:
            if selection.not_covered:
                return self._failed(MODEL_DECLINED)
            if selection.left_out:
                why = "; ".join(selection.left_out)[:300]
                return self._failed(f"every sentence the model chose was left out ({why})")
            return self._failed(f"the model chose no sentence (reply: {reply.strip()[:120]!r})")
        quoted = [cite(q.text, q.passage) for q in selection.chosen]
        text = " ".join([selection.lead, *quoted] if selection.lead else quoted)
        labels = ", ".join(f"S{q.label}" for q in selection.chosen)
        findings = [f"the model chose sentences {labels}", *selection.findings]
        return Draft(text, self.name, version, mode=MODE, findings=findings)

    def _failed(self, reason: str) -> Draft:
        return discarded(self.name, self._prompts.version(), MODE, reason)
