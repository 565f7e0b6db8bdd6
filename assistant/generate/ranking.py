"""How one retrieved sentence is scored as an answer to a question: the sentences a request
may quote (:func:`candidates`), and the bonuses the extractive generator adds to a sentence's
embedding similarity: for the concepts it names, the question's rarer words and numbers, the
age band asked about, and the kind of statement asked for; and the sentences it never quotes
(:func:`another_drug`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from assistant.generate.base import GenerationRequest
from assistant.generate.naming import SentenceNames, names_asked
from assistant.index.sentences import quotable_sentences, sentence_key
from assistant.language import quantities
from assistant.language.ages import age_bands
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import content_stems

TOPIC_SHARE = 0.6  # of the concept bonus, for a sentence whose passage title names them
OVERLAP_WEIGHT = 0.15  # the question words a sentence holds, weighted by rarity in the pool
MEASURE_WEIGHT = 0.15  # a sentence stating the kind of quantity asked for ("how long": weeks)
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


def candidates(request: GenerationRequest) -> list[tuple[str, int, np.ndarray | None]]:
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


def rarity(question_stems: frozenset[str], sentences: list[str]) -> dict[str, float]:
    """How much each word of the question tells its sentences apart: a word every retrieved
    sentence holds (the drug asked about) tells nothing; one few hold ("washed", "alternate",
    "review") points at the sentence that answers what is asked about it."""
    held = [content_stems(s) for s in sentences]
    size = len(held)
    # Numbers count once, as numbers (the number bonus): "4.5 mg" in "where do patients get
    # 4.5 mg?" is what is asked about, not what is asked.
    words = [s for s in question_stems if not s[0].isdigit()]
    return {s: math.log((size + 1) / (sum(s in h for h in held) + 0.5)) for s in words}


def overlap_bonus(question: str, rarity: dict[str, float], sentence: str) -> float:
    total = sum(rarity.values())
    words = content_stems(sentence)
    overlap = sum(w for s, w in rarity.items() if s in words) / total if total > 0 else 0.0
    question_numbers = quantities.numbers(question)
    numbers = quantities.numbers(sentence)
    number_hit = 1.0 if question_numbers and question_numbers & numbers else 0.0
    bound_hit = 1.0 if _bounds(question) & _bounds(sentence) else 0.0
    return OVERLAP_WEIGHT * overlap + 0.1 * number_hit + 0.1 * bound_hit


def age_bonus(ages: list[float], sentence: str) -> float:
    """For a question about a given age, a sentence whose age band holds it answers it, and
    one that gives only other bands answers another child ("4yo": not the 6-12 years dose)."""
    if not ages:
        return 0.0
    bands = age_bands(sentence)
    if not bands:
        return 0.0
    holds = any(low <= age < high or low == age for age in ages for low, high in bands)
    return 0.05 if holds else -0.15


def concept_bonus(request: GenerationRequest, sentence: str, named: SentenceNames) -> float:
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


def another_drug(request: GenerationRequest, named: SentenceNames) -> bool:
    """Whether a sentence speaks of a drug the question does not ask about and of none that
    it does: "how many more doses?" about lorazepam is not answered by paracetamol's limit."""
    asked = [c for c in request.concepts if c.drug]
    if not asked or not named.drugs or any(c.kind_class for c in asked):
        return False  # a class asked about ("steroids") may be any of its members
    return not any(names_asked(c, named) for c in asked)


def intent_bonus(question: str, sentence: str) -> float:
    """Bonus for a sentence that gives the kind of statement the question asks for."""
    return sum(w for asks, gives, w in _INTENTS if asks.search(question) and gives.search(sentence))
