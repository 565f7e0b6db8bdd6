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

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from assistant.answer_form import ends_complete, unexplained_opening
from assistant.config import AnswerSettings
from assistant.generate.base import AskedConcept, Draft, GenerationRequest
from assistant.generate.choice import Choice, subject_stems
from assistant.generate.naming import SentenceNames, names_asked
from assistant.generate.parts_choice import framed
from assistant.generate.plain import Glossary, plainness
from assistant.index.embedder import Embedder
from assistant.index.sentences import quotable_sentences, sentence_key
from assistant.language import quantities
from assistant.language.ages import age_bands, ages_in_years
from assistant.language.markers import cite
from assistant.language.measures import answers_measure
from assistant.language.terminology import Terminology
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import content_stems, content_words

NAME = "extractive"
PLAIN_WEIGHT = 1.0  # for patients: how much a plainer sentence is preferred
PLAIN_MARGIN = 0.35  # ... among the sentences this close to the best one
PATIENT_SENTENCES = 3  # a patient answer quotes fewer sentences
TOPIC_SHARE = 0.6  # of the concept bonus, for a sentence whose passage title names them
OVERLAP_WEIGHT = 0.15  # the question words a sentence holds, weighted by rarity in the pool
MEASURE_WEIGHT = 0.15  # a sentence stating the kind of quantity asked for ("how long": weeks)
VOUCH_MARGIN = 0.1  # how far under the similarity floor the bonuses may carry a sentence
VOUCH_BONUS = 0.35  # ... when they add at least this much
# What a kind of question asks for, the words of a sentence that gives it, and its weight.
_INTENTS = (
    (
        re.compile(r"\b(?:where|obtain|buy|source|supplied|made up|get (?:it|them|hold))\b", re.I),
        re.compile(
            r"\b(?:pharmacy|pharmacies|compounded|compounding|prepared by|supplied)\b", re.I
        ),
        0.3,
    ),
    (
        re.compile(
            r"\b(?:problem|issue|interact\w*|together|combine\w*|with (?:her|his|their)|"
            r"while (?:on|taking)|also (?:on|taking)|(?:she|he|they) (?:takes?|is on|are on)|"
            r"is taking|are taking|add|adding|give (?:them|both))\b",
            re.I,
        ),
        re.compile(r"\b(?:contraindicat\w*|interaction\w*|concomitant|overdose)\b", re.I),
        0.25,
    ),
    (
        re.compile(r"\b(?:safe|safety|harm\w*|risky?|ok|okay|pregnan\w*|breast\w*)\b", re.I),
        re.compile(
            r"\b(?:safe|harm\w*|can be used|not known|negligible|contraindicat\w*|caution)\b", re.I
        ),
        0.15,
    ),
    (
        re.compile(
            r"\b(?:side[- ]effects?|adverse (?:effects?|events?|reactions?)|unwanted effects?)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:side[- ]effects?|adverse|reactions?|undesirable|reported|common(?:ly)?|"
            r"risk of|can cause|may cause)\b",
            re.I,
        ),
        0.2,
    ),
    (
        re.compile(
            r"\b(?:with|after|before) (?:food|meals?|milk|coffee|tea|juice|breakfast)\b|"
            r"\bempty stomach\b|\bwash(?:ed)? (?:it|them) down\b|\b(?:coffee|tea|milk|juice)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:food|meals?|water|drinks?|empty stomach|breakfast|with or without|absorption)\b",
            re.I,
        ),
        0.25,
    ),
    (
        re.compile(r"\b(?:why|reason|rationale)\b", re.I),
        re.compile(
            r"\b(?:because|due to|as a result|so that|since|reason|to (?:avoid|prevent|reduce|"
            r"allow|ensure|lower))\b",
            re.I,
        ),
        0.2,
    ),
    (
        re.compile(r"\b(?:licen[cs]ed|licen[cs]e|on-label|approved for|authori[sz]ed)\b", re.I),
        re.compile(r"\b(?:off-label|labelled|approved|indicated|indication)\b", re.I),
        0.25,
    ),
    (
        re.compile(
            r"\b(?:results?|outcomes?|findings?|show(?:ed|n)?|found|any good|help(?:ed)?|"
            r"worth)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:not superior|superior to|significant\w*|did not|no difference|reduced|"
            r"improved|primary outcome|than placebo|with placebo)\b",
            re.I,
        ),
        0.2,
    ),
    (  # how a medicine is taken: "any advice on how she should take it?"
        re.compile(
            r"\bhow (?!long|often|much|many|soon|quickly)(?:\w+ ){0,3}(?:take|taken|use|used|"
            r"give|given|apply|applied|administer\w*)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:swallow\w*|water|upright|lying down|food|meals?|empty stomach|crush\w*|"
            r"chew\w*|dissolv\w*|appl(?:y|ied)|rub\w*)\b",
            re.I,
        ),
        0.25,
    ),
    (  # symptoms that go on after treatment: "still tired and achy - what now?"
        re.compile(
            r"\b(?:still|persist\w*|not (?:better|improv\w*|settl\w*|clear\w*)|no better|"
            r"what now|what next)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:continu\w*|persist\w*|second course|further course|not (?:respond\w*|"
            r"improv\w*|settl\w*|resolv\w*)|fails?|failure)\b",
            re.I,
        ),
        0.25,
    ),
    (
        re.compile(r"\b(?:refer(?:red|ral)?|admit(?:ted)?|admission|specialist)\b", re.I),
        re.compile(
            r"\b(?:refer(?:red|ral)?|admit(?:ted)?|admission|specialist|same[- ]day|urgent\w*)\b",
            re.I,
        ),
        0.25,
    ),
    (
        re.compile(
            r"\b(?:at night|in the (?:morning|evening)|bedtime|time of (?:the )?day)\b", re.I
        ),
        re.compile(r"\b(?:morning|evening|night|bedtime|time of (?:the )?day|breakfast)\b", re.I),
        0.2,
    ),
    (
        re.compile(r"\b(?:miss(?:es|ed)?|forg[eo]t\w*)\b", re.I),
        re.compile(r"\b(?:missed|forgotten|remembered|as soon as possible|next dose)\b", re.I),
        0.3,
    ),
    (
        re.compile(r"\b(?:crush\w*|chew\w*|split\w*|halve\w*|dissolv\w*|swallow\w*)\b", re.I),
        re.compile(r"\b(?:crush\w*|chew\w*|split|halved|dispers\w*|dissolv\w*|swallow\w*)\b", re.I),
        0.25,
    ),
    (
        re.compile(r"\b(?:evidence|work|works|effective|efficacy|benefit|trials?|studies)\b", re.I),
        re.compile(r"\b(?:trial|placebo|evidence|effective|benefit|randomi[sz]ed)\b", re.I),
        0.1,
    ),
)


@dataclass(frozen=True)
class Candidate:
    sentence: str
    passage: int  # 1-based position in the request
    score: float
    similarity: float
    words: frozenset[str]
    vector: np.ndarray


def _candidates(request: GenerationRequest) -> list[tuple[str, int, np.ndarray | None]]:
    """Each quotable sentence once (first passage wins), with its vector stored at ingest."""
    found: list[tuple[str, int, np.ndarray | None]] = []
    seen: set[str] = set()
    for position, hit in enumerate(request.passages, start=1):
        sentences = quotable_sentences(hit.chunk.text)
        group = request.sentence_vectors.get(sentence_key(hit.chunk))
        if group is not None and group.shape[0] != len(sentences):
            group = None  # stored by another version of the splitter: embed afresh
        for row, sentence in enumerate(sentences):
            key = sentence.lower()
            if key not in seen:
                seen.add(key)
                found.append((sentence, position, None if group is None else group[row]))
    return found


def _bounds(text: str) -> set[tuple[str, float]]:
    """(side, value) of each bounded number: "CrCl <10" is the "below 10" sentence, not "10 to
    less than 30"."""
    return {(side, q.low) for q, side in quantities.bounds(text)}


def _rarity(question_stems: frozenset[str], sentences: list[str]) -> dict[str, float]:
    """How much each word of the question tells its sentences apart: a word every retrieved
    sentence holds (the drug asked about) tells nothing; one few hold ("washed", "alternate",
    "review") points at the sentence that answers what is asked about it."""
    held = [content_stems(s) for s in sentences]
    size = len(held)
    # Numbers count once, as numbers (the number bonus): "4.5 mg" in "where do patients get
    # 4.5 mg?" is what is asked about, not what is asked.
    words = [s for s in question_stems if not s[0].isdigit()]
    return {s: math.log((size + 1) / (sum(s in h for h in held) + 0.5)) for s in words}


def _overlap_bonus(question: str, rarity: dict[str, float], sentence: str) -> float:
    total = sum(rarity.values())
    words = content_stems(sentence)
    overlap = sum(w for s, w in rarity.items() if s in words) / total if total > 0 else 0.0
    question_numbers = quantities.numbers(question)
    numbers = quantities.numbers(sentence)
    number_hit = 1.0 if question_numbers and question_numbers & numbers else 0.0
    bound_hit = 1.0 if _bounds(question) & _bounds(sentence) else 0.0
    return OVERLAP_WEIGHT * overlap + 0.1 * number_hit + 0.1 * bound_hit


def _age_bonus(ages: list[float], sentence: str) -> float:
    """For a question about a given age, a sentence whose age band holds it answers it, and
    one that gives only other bands answers another child ("4yo": not the 6-12 years dose)."""
    if not ages:
        return 0.0
    bands = age_bands(sentence)
    if not bands:
        return 0.0
    holds = any(low <= age < high or low == age for age in ages for low, high in bands)
    return 0.05 if holds else -0.15


def _concept_bonus(request: GenerationRequest, sentence: str, named: SentenceNames) -> float:
    """Share of the question's concepts the sentence names: by the terminology's reading
    (oxycodone through "opioid analgesics"), or by one of their names."""
    concepts = [c for c in request.concepts if not c.leaned]
    if not concepts:
        return 0.0
    lowered = f" {phrase(sentence)} "
    hits = sum(
        bool(c.ids & named.ids) if c.ids else any(f" {form} " in lowered for form in c.forms)
        for c in concepts
    )
    return 0.25 * hits / len(concepts)


def _another_drug(request: GenerationRequest, named: SentenceNames) -> bool:
    """Whether a sentence speaks of a drug the question does not ask about and of none that
    it does: "how many more doses?" about lorazepam is not answered by paracetamol's limit."""
    asked = [c for c in request.concepts if c.drug]
    if not asked or not named.drugs or any(c.kind_class for c in asked):
        return False  # a class asked about ("steroids") may be any of its members
    return not any(names_asked(c, named) for c in asked)


def _intent_bonus(question: str, sentence: str) -> float:
    """Bonus for a sentence that gives the kind of statement the question asks for."""
    return sum(w for asks, gives, w in _INTENTS if asks.search(question) and gives.search(sentence))


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
        found = _candidates(request)
        if not found:
            return []
        query = request.search_question or request.standalone_question
        query_vector, vectors = self._vectors(request, found)
        similarities = vectors @ query_vector
        pairs = [(s, p) for s, p, _ in found]
        rarity = _rarity(
            content_stems(request.question) | content_stems(query), [s for s, _ in pairs]
        )
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
                + _overlap_bonus(request.question, rarity, s)
                + max(
                    _concept_bonus(request, s, named),
                    TOPIC_SHARE * _concept_bonus(request, "", topics[p]),
                )
                + _intent_bonus(request.question, s)
                + MEASURE_WEIGHT * answers_measure(request.question, s)
                + _age_bonus(ages, s),
                words=frozenset(content_words(s)),
                vector=vec,
            )
            for (s, p), sim, vec, named in zip(
                pairs, np.asarray(similarities), vectors, names, strict=True
            )
            if not _another_drug(request, named)
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
            fits = [c for c in pool if c not in chosen + more and _age_bonus(ages, c.sentence) > 0]
            more += fits[:1]
            if chosen:
                return choice.fill(chosen, more, limit), tuple(unanswered)
        return choice.fill([], pool, limit), ()

    def _on_topic(self, request: GenerationRequest, pool: list[Candidate]) -> list[Candidate]:
        """The sentences of passages that name a condition the message is about, where it
        names one (or an earlier turn did): in a conversation on rosacea, "what oral
        antibiotic can I add?" is not answered from a passage on another infection."""
        conditions = tuple(c for c in request.concepts if c.condition)
        if not conditions:
            return pool
        passages = request.passages
        on_topic = {
            i
            for i in {c.passage for c in pool}
            if self._names_one(conditions, passages[i - 1].chunk.embedding_text)
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
