"""question -> understand -> condense -> retrieve -> coverage -> generate -> verify -> finalize
-> persist.

Small functions over injected services rather than one pipeline object. The disclaimer and
the pending-review status are set here, in code, after generation; the record is committed
to the store before it is returned to any channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from assistant.citations import build_citations, verify
from assistant.condense import condense, leans_on, needs_context
from assistant.coverage import Coverage, CoverageLevel, assess, coverage_order
from assistant.decline import closest_articles, coverage_refusal, message_draft, partial_opening
from assistant.drafting import draft_stream, revision, settle
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.generate.base import (
    AskedConcept,
    AskedPart,
    Draft,
    GenerationRequest,
    StreamingGenerator,
)
from assistant.generate.extractive import NAME as EXTRACTIVE
from assistant.generate.plain import framed_doses
from assistant.index.base import Catalog
from assistant.index.retriever import Retrieval
from assistant.language.markers import renumber
from assistant.models import (
    AnswerRecord,
    Citation,
    Document,
    RetrievalHit,
    RetrievedChunk,
    ReviewStatus,
    SourceReference,
)
from assistant.question_parts import with_parts
from assistant.references import build_references
from assistant.render import sentence_pieces
from assistant.review.fingerprints import fingerprint
from assistant.review.store import Conversation, new_id
from assistant.safe_text import check_question
from assistant.services import Services, Wording
from assistant.understand import GENERIC_WORDS, Concept, ConceptKind, Understanding

AUDIENCES = ("clinician", "patient")


@dataclass
class Turn:
    """One question in its conversation, ready for retrieval."""

    question: str
    standalone_question: str
    conversation: Conversation
    history: list[AnswerRecord]
    favour: frozenset[str]
    understanding: Understanding
    search_question: str  # the standalone question, typos fixed and synonyms added
    timings_ms: dict[str, float] = field(default_factory=dict)
    audience: str = "clinician"  # who this answer is worded for (clinician | patient)


def clean_question(text: str, max_chars: int) -> str:
    """The question with invisible controls removed and whitespace normalised;
    InvalidRequestError if unusable (rules in assistant.safe_text, shared by every channel)."""
    return check_question(text, max_chars)


def _anchor(services: Services, article_id: str | None) -> tuple[str | None, frozenset[str]]:
    """Title and favoured document ids (the article and its cited sources) of an anchor article."""
    if article_id is None:
        return None, frozenset()
    doc = services.catalog.document(article_id)
    if doc is None or not doc.is_article:
        raise NotFoundError(
            f"No approved article {article_id!r}; list articles with `followup articles`."
        )
    return doc.title, frozenset({doc.id, *(r.id for r in doc.references)})


def prepare(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> Turn:
    """Validate the question, find or start its conversation and make it standalone."""
    started = time.perf_counter()
    question = clean_question(question, services.settings.max_question_chars)
    if audience not in AUDIENCES:
        raise InvalidRequestError(f"audience must be one of {', '.join(AUDIENCES)}")
    if conversation_id is not None:
        conversation = services.store.get_conversation(conversation_id)
        if owner is not None and conversation.owner not in (None, owner):
            raise NotFoundError(f"No conversation {conversation_id!r}.")
    else:
        _anchor(services, article_id)  # refuse an unknown anchor before creating anything
        conversation = services.store.create_conversation(
            owner=owner, anchor_article_id=article_id, audience=audience
        )
    topic, favour = _anchor(services, conversation.anchor_article_id)
    history = services.store.conversation_answers(conversation.id)
    understanding = services.understander.understand(question, has_context=bool(history or topic))
    # Condensed from the clinical part of the message (typos fixed, injections removed).
    asked = understanding.clinical or question
    said = [history[-1].question, history[-1].answer] if history else [topic or ""]
    leans = not understanding.names_subject and leans_on(asked, said, GENERIC_WORDS)
    if services.condenser is not None:
        pairs = [(a.standalone_question, a.answer) for a in history]
        standalone = services.condenser(asked, pairs, topic, leans=leans)
    else:
        standalone = condense(asked, [a.standalone_question for a in history], topic, leans=leans)
    earlier = history[-1].standalone_question if history else topic
    if earlier and (leans or needs_context(asked)):
        said_before = history[-1].question if history else None
        carried = services.understander.carried(earlier, said_before)
        understanding = understanding.following(carried)
    timings = {"condense": (time.perf_counter() - started) * 1000}
    search = understanding.map(standalone)
    return Turn(
        question,
        standalone,
        conversation,
        history,
        favour,
        understanding,
        search,
        timings,
        audience,
    )


def retrieve(services: Services, turn: Turn) -> Retrieval:
    """Approved passages for the mapped question (typos fixed, synonyms added): of twice the
    passages an answer uses, those naming more of the question's concepts."""
    top = services.settings.retrieval.top_k
    found = services.retriever.search(turn.search_question, favour=turn.favour, k=2 * top)
    found, needed = with_part_hits(services, turn, found)
    texts = [h.chunk.embedding_text for h in found.hits]
    terminology = services.understander.terminology
    order = keep_needed(coverage_order(turn.understanding, texts, terminology), needed, top)
    return replace(found, hits=[found.hits[i] for i in order])


def assess_coverage(services: Services, turn: Turn, passages: list[str], best: float) -> Coverage:
    """Which parts of the turn's question ``passages`` address (see assistant/coverage.py)."""
    a = services.settings.answer
    return assess(
        turn.understanding,
        passages,
        best,
        terminology=services.understander.terminology,
        floor=a.evidence_floor,
        min_evidence=a.min_evidence,
    )


def _treatment(concept: Concept) -> bool:
    """A drug, a drug class, or a clinical term of the hand lexicon or the aliases (LDN,
    CPAP): what a sentence about another drug does not answer."""
    term = concept.term
    if term is None:
        return False
    return term.kind in ("drug", "class") or (term.kind == "term" and term.source == "hand")


def _asked(c: Concept, leaned: bool = False) -> AskedConcept:
    return AskedConcept(
        frozenset((c.term.id, *c.term.broader)) if c.term else frozenset(),
        c.forms,
        drug=_treatment(c),
        leaned=leaned,
        kind_class=c.term is not None and c.term.kind == "class",
    )


def generation_request(
    services: Services, turn: Turn, retrieval: Retrieval, audience: str
) -> GenerationRequest:
    # Parts of one question share its subjects: each concept once.
    asked = list(dict.fromkeys(c for q in turn.understanding.questions for c in q.concepts))
    leaned = [c for c in turn.understanding.context if c.is_subject]
    concepts = [
        _asked(c, c in leaned) for c in (*asked, *leaned) if c.kind is not ConceptKind.NUMBER
    ]
    return GenerationRequest(
        question=turn.question,
        standalone_question=turn.standalone_question,
        passages=retrieval.hits,
        audience=audience,
        history=tuple((a.question, a.answer) for a in turn.history),
        search_question=turn.search_question,
        concepts=tuple(concepts),
        parts=asked_parts(services, turn, retrieval),
        query_vector=retrieval.query_vector,
        sentence_vectors=retrieval.sentence_vectors,
    )


# --- the parts of a question (issue 22): each answered or named as not covered -------------


def asked_parts(services: Services, turn: Turn, retrieval: Retrieval) -> tuple[AskedPart, ...]:
    """The parts of a message that asks several things, each with whether the passages cover
    what it names (coverage judges each part as a question of its own)."""
    questions = turn.understanding.questions
    if len(questions) < 2:
        return ()
    passages = [h.chunk.embedding_text for h in retrieval.hits]
    a = services.settings.answer
    parts = []
    for question in questions:
        alone = replace(turn.understanding, questions=(question,))
        verdict = assess(
            alone,
            passages,
            retrieval.best_similarity,
            terminology=services.understander.terminology,
            floor=a.evidence_floor,
            min_evidence=a.min_evidence,
        )
        own = [c for c in services.understander.concepts(question.text) if c.is_subject]
        covered = not verdict.declines
        parts.append(AskedPart(question.text, covered, tuple(_asked(c) for c in own)))
    return tuple(parts)


PART_HITS = 2  # passages searched for each part of a message that asks several things


def with_part_hits(services: Services, turn: Turn, found: Retrieval) -> tuple[Retrieval, list[int]]:
    """For a message asking several things, ``found`` with the passages each part finds on
    its own (a part far from the message as a whole: "..., and what about CRPS?"), and the
    positions of each part's best passage, which the answer must see."""
    questions = turn.understanding.questions
    if len(questions) < 2:
        return found, []
    named = [c for q in questions for c in q.concepts] + list(turn.understanding.context)
    subjects = " ".join(dict.fromkeys(c.label for c in named if c.is_subject))
    hits, vectors = list(found.hits), dict(found.sentence_vectors)
    position = {h.chunk.id: i for i, h in enumerate(hits)}
    catalog = found.catalog
    needed: list[int] = []
    for question in questions:
        query = turn.understanding.map(f"{question.text} {subjects}".strip())
        part = services.retriever.search(query, favour=turn.favour, k=PART_HITS)
        vectors.update(part.sentence_vectors)
        for rank, hit in enumerate(part.hits):
            if catalog is not None and catalog.chunk(hit.chunk.id) is None:
                continue  # read from another generation of the index
            if hit.chunk.id not in position:
                position[hit.chunk.id] = len(hits)
                hits.append(hit)
            if rank == 0:
                needed.append(position[hit.chunk.id])
    return replace(found, hits=hits, sentence_vectors=vectors), needed


def keep_needed(order: list[int], needed: list[int], top: int) -> list[int]:
    """The first ``top`` of ``order``, with every position in ``needed`` among them (in place
    of the last others)."""
    kept = order[:top]
    for position in dict.fromkeys(needed):
        if position in kept:
            continue
        others = [i for i in reversed(kept) if i not in needed]
        if not others:
            break
        kept[kept.index(others[0])] = position
    return kept


def _with_unanswered(coverage: Coverage, unanswered: tuple[str, ...]) -> Coverage:
    """Coverage that names the parts no quoted sentence answers (partial, not full)."""
    if not unanswered or coverage.declines:
        return coverage
    # A part naming what coverage already found missing ("what about asthma?") is named once.
    named = tuple(
        u for u in unanswered if not any(gap.lower() in u.lower() for gap in coverage.uncovered)
    )
    if not named:
        return coverage
    finding = f"no quoted sentence answers: {'; '.join(unanswered)}"
    return Coverage(
        CoverageLevel.PARTIAL, coverage.uncovered + named, (*coverage.findings, finding)
    )


def _documents_of(catalog: Catalog, hits: list[RetrievedChunk]) -> dict[str, Document]:
    """The indexed documents the retrieved passages belong to, by id."""
    docs = (catalog.document(h.chunk.doc_id) for h in hits)
    return {d.id: d for d in docs if d is not None}


def _hits(retrieval: Retrieval) -> list[RetrievalHit]:
    return [
        RetrievalHit(
            chunk_id=h.chunk.id,
            source_id=h.chunk.doc_id,
            score=h.score,
            dense_similarity=h.dense_similarity,
            dense_rank=h.dense_rank,
            lexical_rank=h.lexical_rank,
        )
        for h in retrieval.hits
    ]


def finalize(
    services: Services,
    turn: Turn,
    retrieval: Retrieval,
    draft: Draft,
    coverage: Coverage,
    reply: str | None = None,
) -> AnswerRecord:
    """Renumber and verify citations, check coverage on the cited passages, then add the
    disclaimer and pending status in code."""
    # The generation the passages came from, even if the serving catalog reloaded since.
    catalog = retrieval.catalog or services.catalog
    text, order, findings = renumber(draft.text, len(retrieval.hits))
    citations = build_citations(order, retrieval.hits, _documents_of(catalog, retrieval.hits))
    citations = fingerprint(citations, catalog)  # the evidence as it reads in this generation
    findings = draft.findings + findings + verify(text, citations)
    if not draft.refused and citations:
        # What is cited must cover the question too, whoever wrote the answer.
        chunks = (catalog.chunk(c.chunk_id) for c in citations)
        cited = [chunk.embedding_text for chunk in chunks if chunk is not None]
        coverage = assess_coverage(services, turn, cited, retrieval.best_similarity)
    coverage = _with_unanswered(coverage, draft.unanswered)
    refused = draft.refused or not citations or coverage.declines
    wording = services.wording(turn.audience)
    closest: list[str] = []
    if refused:
        # A refusal's wording comes from the pipeline's own templates, never from a model.
        closest = _closest(services, retrieval, coverage)
        text, citations = reply or _refusal_text(wording, coverage, closest), []
        if coverage.level is not CoverageLevel.NONE:
            coverage = Coverage(CoverageLevel.NONE, coverage.uncovered, coverage.findings)
    elif coverage.level is CoverageLevel.PARTIAL:
        gaps = [u for u in draft.unanswered if u in coverage.uncovered]
        text = f"{partial_opening(wording.refusals, coverage, gaps)} {text}"
    if not refused and turn.audience == "patient" and draft.mode == EXTRACTIVE:
        text = framed_doses(text, wording.dose_framing)
    return AnswerRecord(
        id=new_id(),
        conversation_id=turn.conversation.id,
        question=turn.question,
        standalone_question=turn.standalone_question,
        answer=text,
        citations=citations,
        references=_references(catalog, turn, text, citations, retrieval),
        disclaimer=wording.disclaimer,
        review_status=ReviewStatus.PENDING,
        refused=refused,
        generator=draft.generator,
        fallback=draft.fallback_reason,
        mode=draft.mode,
        prompt_version=draft.prompt_version,
        corpus_version=catalog.corpus_version,
        retrieval=_hits(retrieval),
        findings=[*findings, *(f for f in coverage.findings if f not in findings)],
        anchor_article_id=turn.conversation.anchor_article_id,
        audience=turn.audience,
        timings_ms=turn.timings_ms,
        coverage=coverage.level.value,
        uncovered=list(coverage.uncovered),
        corrections=turn.understanding.correction_notes,
        search_question=turn.search_question,
        # The closest approved articles are offered as follow-ups, not quoted in the refusal:
        # their titles carry doses and ages that no citation backs.
        related_questions=closest,
    )


def _references(
    catalog: Catalog, turn: Turn, text: str, citations: list[Citation], retrieval: Retrieval
) -> list[SourceReference]:
    """Each source behind the citations once, by its real citation (assistant/references.py)."""
    if not citations:
        return []
    documents = _documents_of(catalog, retrieval.hits)
    for doc in list(documents.values()):
        for ref in doc.references:
            found = catalog.document(ref.id)
            if found is not None:
                documents.setdefault(found.id, found)
    raw = {h.chunk.id: h.chunk.text for h in retrieval.hits}
    anchor = turn.conversation.anchor_article_id
    return build_references(text, citations, raw, documents, catalog.articles(), anchor)


def _closest(services: Services, retrieval: Retrieval, coverage: Coverage) -> list[str]:
    """Titles of the approved articles nearest a declined question (when any is near)."""
    near = retrieval.best_similarity >= services.settings.answer.min_evidence
    if not (coverage.declines or coverage.uncovered) or not near:
        return []
    return closest_articles(retrieval.hits, {d.id: d for d in services.catalog.documents()})


def _refusal_text(wording: Wording, coverage: Coverage, closest: list[str]) -> str:
    if coverage.declines or coverage.uncovered:
        return coverage_refusal(wording.refusals, coverage, closest)
    return wording.refusal


@dataclass(frozen=True)
class SourcesEvent:
    """First event of a stream: which passages were retrieved for the question."""

    conversation_id: str
    standalone_question: str
    hits: list[RetrievalHit]
    type: str = "sources"


@dataclass(frozen=True)
class DeltaEvent:
    """A piece of answer text as it is generated (provisional until the final event)."""

    text: str
    type: str = "delta"


@dataclass(frozen=True)
class FinalEvent:
    """The authoritative, verified, persisted answer. ``revised`` says whether it differs
    from the concatenated deltas (verification removed or changed something)."""

    record: AnswerRecord
    revised: bool = False
    changes: list[str] = field(default_factory=list)  # what verification changed, in words
    persist_ms: float = 0.0  # storing the record: timed after it, so not in its timings_ms
    type: str = "final"


Event = SourcesEvent | DeltaEvent | FinalEvent


def gate(services: Services, turn: Turn, retrieval: Retrieval) -> tuple[Draft | None, Coverage]:
    """A draft that answers instead of the generator (a message that is no usable question,
    or a question the retrieved passages do not cover), and the coverage found."""
    understanding = turn.understanding
    meaning = services.understander.meaning(understanding.corrected.strip(" ?.!"))
    name = services.generator.name
    own = message_draft(services.wording(turn.audience).refusals, understanding, name, meaning)
    if own is not None:
        return own, Coverage(CoverageLevel.NONE, (), tuple(own.findings))
    passages = [h.chunk.embedding_text for h in retrieval.hits]
    coverage = assess_coverage(services, turn, passages, retrieval.best_similarity)
    if coverage.declines:
        return Draft(text="", generator=name, refused=True), coverage
    return None, coverage


def stream_answer(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> Iterator[Event]:
    """Answer one question as a stream of events; the record is persisted before the final one."""
    turn = prepare(
        services,
        question,
        conversation_id=conversation_id,
        article_id=article_id,
        owner=owner,
        audience=audience,
    )
    turn.understanding = with_parts(turn.understanding, services.understander.concepts)
    clock = time.perf_counter()  # timing: retrieve
    retrieval = retrieve(services, turn)
    turn.timings_ms.update(retrieval.timings_ms)
    turn.timings_ms["retrieve"] = (time.perf_counter() - clock) * 1000
    clock = time.perf_counter()  # timing: a server waits for a generation slot at this yield
    yield SourcesEvent(turn.conversation.id, turn.standalone_question, _hits(retrieval))
    turn.timings_ms["queue_wait"] = (time.perf_counter() - clock) * 1000
    started = time.perf_counter()
    gap, coverage = gate(services, turn, retrieval)
    turn.timings_ms["assess"] = (time.perf_counter() - started) * 1000
    request = generation_request(services, turn, retrieval, audience)
    draft = gap
    streamed: list[str] = []
    changes: list[str] = []
    if draft is None:
        # A model's answer streams after this opening; a quoted answer may name parts of the
        # question it found unanswered, so its opening comes with it, after the record is saved.
        streams = isinstance(services.generator, StreamingGenerator)
        if coverage.level is CoverageLevel.PARTIAL and streams:
            opening = partial_opening(services.wording(audience).refusals, coverage) + " "
            streamed.append(opening)
            yield DeltaEvent(opening)
        for item in draft_stream(services, request, turn.timings_ms):
            if isinstance(item, Draft):
                draft = item
            else:
                streamed.append(item)
                yield DeltaEvent(item)
        assert draft is not None
        clock = time.perf_counter()  # timing: settle (a model's draft verified)
        draft, changes = settle(services, request, draft)
        turn.timings_ms["settle"] = (time.perf_counter() - clock) * 1000
    turn.timings_ms["generate"] = (time.perf_counter() - started) * 1000
    own = gap.text if gap is not None and gap.text else None
    clock = time.perf_counter()  # timing: finalize (citations verified, coverage re-checked)
    record = finalize(services, turn, retrieval, draft, coverage, own)
    record.timings_ms["finalize"] = (time.perf_counter() - clock) * 1000
    clock = time.perf_counter()  # timing: suggest
    if services.suggester is not None:
        asked = [record.question, record.standalone_question, *(a.question for a in turn.history)]
        cited = {c.source_id for c in record.citations} | turn.favour
        suggested = services.suggester.suggest(retrieval.query_vector, cited, asked)
        record.related_questions += [q for q in suggested if q not in record.related_questions]
    record.timings_ms["suggest"] = (time.perf_counter() - clock) * 1000
    clock = time.perf_counter()  # timing: persist (the stored record cannot hold its own)
    services.store.save_answer(record)
    persist_ms = (time.perf_counter() - clock) * 1000
    # What was not streamed (an extractive answer: all of it after any partial opening) is
    # shown now, verified and persisted, sentence by sentence; the final event stays the word.
    shown = "".join(streamed)
    unseen = record.answer[len(shown) :] if record.answer.startswith(shown) else ""
    pieces = sentence_pieces(unseen)
    revised, changes = revision([*streamed, *pieces], record.answer, changes)
    for piece in pieces:
        yield DeltaEvent(piece)
    yield FinalEvent(record, revised=revised, changes=changes, persist_ms=persist_ms)


def answer(
    services: Services,
    question: str,
    *,
    conversation_id: str | None = None,
    article_id: str | None = None,
    owner: str | None = None,
    audience: str = "clinician",
) -> AnswerRecord:
    """Answer one question and persist the record before returning it."""
    events = stream_answer(
        services,
        question,
        conversation_id=conversation_id,
        article_id=article_id,
        owner=owner,
        audience=audience,
    )
    for event in events:
        if isinstance(event, FinalEvent):
            return event.record
    raise AssertionError("stream_answer ended without a final event")
