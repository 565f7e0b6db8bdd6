"""The offline default: an answer composed of sentences quoted from the retrieved passages.

Sentences are ranked by similarity to the mapped question (embedding cosine plus bonuses for
naming the concepts the question turns on, for the question's own words and numbers, and for
the kind of statement the question asks for: "where do patients get it?" wants where it is
prepared, "is that a problem with X?" wants a contraindication), near-duplicates are dropped,
and each quoted sentence carries the number of the passage it came from. Sentences whose
subject is a bare pronoun ("It summarises ...") are not quoted: out of their passage they no
longer say what they are about. Because every sentence is quoted whole, every number, dose or
unit in the answer sits inside a cited sentence that contains it.

Nothing is embedded here when retrieval hands on what it has: the query vector it searched
with and the sentence vectors ingest stored for each passage.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.answer_form import ends_complete, unexplained_opening
from assistant.config import AnswerSettings
from assistant.generate.base import AskedConcept, Draft, GenerationRequest
from assistant.generate.choice import Choice, subject_stems
from assistant.generate.naming import SentenceNames, names_asked
from assistant.generate.parts_choice import framed
from assistant.generate.plain import Glossary, plainness
from assistant.generate.ranking import (
    MEASURE_WEIGHT,
    TOPIC_SHARE,
    Candidate,
    age_bonus,
    another_drug,
    candidates,
    concept_bonus,
    intent_bonus,
    overlap_bonus,
    rarity,
)
from assistant.index.embedder import Embedder
from assistant.language.ages import ages_in_years
from assistant.language.markers import cite
from assistant.language.measures import answers_measure
from assistant.language.terminology import Terminology
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import content_stems, content_words

NAME = "extractive"
PLAIN_WEIGHT = 1.0  # for patients: how much a plainer sentence is preferred
PLAIN_MARGIN = 0.35  # ... among the sentences this close to the best one
PATIENT_SENTENCES = 3  # a patient answer quotes fewer sentences
VOUCH_MARGIN = 0.1  # how far under the similarity floor the bonuses may carry a sentence
VOUCH_BONUS = 0.35  # ... when they add at least this much


class ExtractiveGenerator:
    """Quotes the most relevant retrieved sentences, each with its citation."""

    name = NAME

    def __init__(
        self, embedder: Embedder, settings: AnswerSettings, terminology: Terminology | None = None
    ) -> None:
        self._embedder = embedder
        self._settings = settings
        self._terminology = terminology

    def _vectors(
        self, request: GenerationRequest, found: list[tuple[str, int, np.ndarray | None]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(query vector, sentence vectors): handed on by retrieval, embedded only if absent."""
        query = request.search_question or request.standalone_question
        texts = [] if request.query_vector is not None else [query]
        texts += [s for s, _, vec in found if vec is None]
        fresh = iter(self._embedder.embed(texts)) if texts else iter(())
        query_vector = request.query_vector if request.query_vector is not None else next(fresh)
        rows = [vec if vec is not None else next(fresh) for _, _, vec in found]
        return np.asarray(query_vector, dtype=np.float32), np.stack(rows)

    def rank(self, request: GenerationRequest) -> list[Candidate]:
        """Every quotable sentence of the passages, best first."""
        found = candidates(request)
        if not found:
            return []
        query = request.search_question or request.standalone_question
        query_vector, vectors = self._vectors(request, found)
        similarities = vectors @ query_vector
        pairs = [(s, p) for s, p, _ in found]
        rare = rarity(content_stems(request.question) | content_stems(query), [s for s, _ in pairs])
        names = [self._names(s) for s, _ in pairs]
        # A sentence that does not repeat its topic ("Remission is reached after 16 to 24
        # weeks") is still about what its passage's title names.
        topics = {
            position: self._names(f"{hit.chunk.title}. {hit.chunk.heading}")
            for position, hit in enumerate(request.passages, start=1)
        }
        ages = ages_in_years(f"{request.question} {query}")
        ranked = [
            Candidate(
                sentence=s,
                passage=p,
                similarity=float(sim),
                score=float(sim)
                + overlap_bonus(request.question, rare, s)
                + max(
                    concept_bonus(request, s, named),
                    TOPIC_SHARE * concept_bonus(request, "", topics[p]),
                )
                + intent_bonus(request.question, s)
                + MEASURE_WEIGHT * answers_measure(request.question, s)
                + age_bonus(ages, s),
                words=frozenset(content_words(s)),
                vector=vec,
            )
            for (s, p), sim, vec, named in zip(
                pairs, np.asarray(similarities), vectors, names, strict=True
            )
            if not another_drug(request, named)
        ]
        return sorted(ranked, key=lambda c: c.score, reverse=True)

    def _names(self, sentence: str) -> SentenceNames:
        if self._terminology is None:
            return SentenceNames()
        found = self._terminology.scan(sentence)
        # A group whose members no dataset lists ("an antiviral") is no other drug.
        drugs = [
            m.concept for m in found
            if m.concept.kind in ("drug", "class") and not m.concept.unlisted_group
        ]  # fmt: skip
        classes = frozenset(b for d in drugs for b in d.broader)
        ids = frozenset(m.concept.id for m in found)
        return SentenceNames(ids, frozenset(d.id for d in drugs), classes)

    def _select(
        self, ranked: list[Candidate], request: GenerationRequest, limit: int
    ) -> tuple[list[Candidate], tuple[str, ...]]:
        """The sentences to quote, and the covered parts of the question none answers.

        Only sentences that read well out of their passage are used (whole, with their own
        subject). A message that asks several things gets, first and in its order, the best
        sentence for each part, then more sentences that answer one of its parts; any other
        message gets maximal marginal relevance: each pick is relevant and adds something new.
        No pick says again what an earlier one said (assistant/generate/choice.py).
        """
        floor = self._settings.min_sentence_similarity
        usable = [c for c in ranked if _reads_alone(c.sentence)]
        pool = [c for c in usable if c.similarity >= floor or _vouched(c, floor)]
        choice = Choice(self._settings, subject_stems(request.concepts))
        parts = [p for p in request.parts if p.covered]
        if len(request.parts) > 1 and parts:
            # A part may be far from the message as a whole: every usable sentence may answer it.
            subject = "; ".join(dict.fromkeys(c.forms[0] for c in request.concepts if c.forms))
            texts = framed([p.text for p in parts])
            vectors = self._embedder.embed([f"{t} ({subject})" if subject else t for t in texts])
            subjects = subject_stems(request.concepts, drugs_only=False)
            chosen, more, unanswered = choice.per_part(
                self._on_topic(request, usable),
                parts,
                texts,
                list(vectors),
                self._names_one,
                subjects,
            )
            # The age a part asks for ("crushed for a 2 year old") is answered too: the best
            # sentence whose age band holds it may join, as the citations must cover it.
            ages = ages_in_years(request.question)
            fits = [c for c in pool if c not in chosen + more and age_bonus(ages, c.sentence) > 0]
            more += fits[:1]
            if chosen:
                return choice.fill(chosen, more, limit), tuple(unanswered)
        return choice.fill([], pool, limit), ()

    def _on_topic(self, request: GenerationRequest, pool: list[Candidate]) -> list[Candidate]:
        """The sentences of passages that name a condition or a drug the message is about
        (or an earlier turn was), where it names one: in a conversation on rosacea, "what
        oral antibiotic can I add?" is not answered from a passage on another infection; "and
        how is cefuroxime adjusted in renal impairment?" is, by one on cefuroxime. A class
        ("antibiotics") names too much to tell passages apart."""
        topic = tuple(c for c in request.concepts if c.condition or (c.drug and not c.kind_class))
        if not any(c.condition for c in topic):
            return pool
        passages = request.passages
        on_topic = {
            i
            for i in {c.passage for c in pool}
            if self._names_one(topic, passages[i - 1].chunk.embedding_text)
        }
        return [c for c in pool if c.passage in on_topic]

    def _names_one(self, concepts: tuple[AskedConcept, ...], sentence: str) -> bool:
        """Whether ``sentence`` names one of the concepts a part names (by the terminology,
        or a name)."""
        named = self._names(sentence)
        lowered = f" {phrase(sentence)} "
        return any(
            names_asked(c, named) or any(f" {form} " in lowered for form in c.forms)
            for c in concepts
        )

    def generate(self, request: GenerationRequest) -> Draft:
        ranked = self.rank(request)
        patient = request.audience == "patient"
        if patient:  # the plainest of the sentences that support the answer first
            ranked = _plainest_first(ranked)
        limit = self._settings.max_sentences
        limit = min(limit, PATIENT_SENTENCES) if patient else limit
        chosen, unanswered = self._select(ranked, request, limit)
        if not chosen:
            return Draft(
                text="",
                generator=NAME,
                refused=True,
                mode=NAME,
                findings=["no sentence relevant enough to quote"],
            )
        sentences = [c.sentence for c in chosen]
        if patient and self._terminology is not None:
            sentences = Glossary(self._terminology).gloss(sentences)
        text = " ".join(cite(s, c.passage) for s, c in zip(sentences, chosen, strict=True))
        return Draft(text=text, generator=NAME, mode=NAME, unanswered=unanswered)


def _vouched(candidate: Candidate, floor: float) -> bool:
    """A sentence a little under the similarity floor that the bonuses vouch for: it is about
    what was asked (its words or its passage's title) and gives the kind of statement asked
    for ("with plain water only" for "can she wash it down with coffee?")."""
    return (
        candidate.similarity >= floor - VOUCH_MARGIN
        and candidate.score - candidate.similarity >= VOUCH_BONUS
    )


def _plainest_first(ranked: list[Candidate]) -> list[Candidate]:
    """``ranked`` re-ranked for a patient: among the sentences close to the best one, a
    plainer sentence (assistant.generate.plain) ranks higher."""
    if not ranked:
        return ranked
    floor = ranked[0].score - PLAIN_MARGIN
    boosted = [
        replace(c, score=c.score + PLAIN_WEIGHT * (plainness(c.sentence) - 0.5))
        if c.score >= floor
        else c
        for c in ranked
    ]
    return sorted(boosted, key=lambda c: c.score, reverse=True)


def _reads_alone(sentence: str) -> bool:
    """Whether a passage sentence can be quoted alone: it ends as a sentence (not where a
    passage was cut) and its subject is no pronoun ("It recommends"); a document named by its
    kind ("The label warns") is the one its citation will name (assistant.answer_form)."""
    return ends_complete(sentence) and not unexplained_opening(sentence, introduced=True)
