"""The offline default: an answer composed of sentences quoted from the retrieved passages.

Sentences are ranked by similarity to the question (embedding cosine plus a bonus for the
question's own words and numbers), near-duplicates are dropped, and each quoted sentence
carries the number of the passage it came from. Because every sentence is quoted whole, every
number, dose or unit in the answer sits inside a cited sentence that contains it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.config import AnswerSettings
from assistant.generate.base import Draft, GenerationRequest
from assistant.index.embedder import Embedder
from assistant.text import content_words, jaccard, split_sentences

NAME = "extractive"
MIN_WORDS = 5
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Candidate:
    sentence: str
    passage: int  # 1-based position in the request
    score: float
    similarity: float
    words: frozenset[str]
    vector: np.ndarray


def _candidates(request: GenerationRequest) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    seen: set[str] = set()
    for position, hit in enumerate(request.passages, start=1):
        for sentence in split_sentences(hit.chunk.text):
            # A chunk may start mid-sentence where the splitter cut; skip that fragment.
            if len(sentence.split()) < MIN_WORDS or sentence[0].islower():
                continue
            key = sentence.lower()
            if key not in seen:
                seen.add(key)
                found.append((sentence, position))
    return found


def _overlap_bonus(question_words: set[str], question_numbers: set[str], sentence: str) -> float:
    words = content_words(sentence)
    overlap = len(question_words & words) / len(question_words) if question_words else 0.0
    numbers = set(_NUMBER.findall(sentence))
    number_hit = 1.0 if question_numbers and question_numbers & numbers else 0.0
    return 0.15 * overlap + 0.1 * number_hit


class ExtractiveGenerator:
    """Quotes the most relevant retrieved sentences, each with its citation."""

    name = NAME

    def __init__(self, embedder: Embedder, settings: AnswerSettings) -> None:
        self._embedder = embedder
        self._settings = settings

    def rank(self, request: GenerationRequest) -> list[Candidate]:
        """Every quotable sentence of the passages, best first."""
        pairs = _candidates(request)
        if not pairs:
            return []
        query = request.standalone_question
        vectors = self._embedder.embed([query] + [s for s, _ in pairs])
        similarities = vectors[1:] @ vectors[0]
        q_words, q_numbers = content_words(request.question), set(_NUMBER.findall(request.question))
        q_words |= content_words(query)
        ranked = [
            Candidate(
                sentence=s,
                passage=p,
                similarity=float(sim),
                score=float(sim) + _overlap_bonus(q_words, q_numbers, s),
                words=frozenset(content_words(s)),
                vector=vec,
            )
            for (s, p), sim, vec in zip(pairs, np.asarray(similarities), vectors[1:], strict=True)
        ]
        return sorted(ranked, key=lambda c: c.score, reverse=True)

    def _select(self, ranked: list[Candidate]) -> list[Candidate]:
        """Maximal marginal relevance: each pick is relevant and adds something new."""
        pool = [c for c in ranked if c.similarity >= self._settings.min_sentence_similarity]
        chosen: list[Candidate] = []
        while pool and len(chosen) < self._settings.max_sentences:
            best = max(pool, key=lambda c: self._marginal(c, chosen))
            pool.remove(best)
            if not any(self._duplicates(best, c) for c in chosen):
                chosen.append(best)
        return chosen

    def _marginal(self, candidate: Candidate, chosen: list[Candidate]) -> float:
        if not chosen:
            return candidate.score
        overlap = max(float(np.dot(candidate.vector, c.vector)) for c in chosen)
        return candidate.score - self._settings.redundancy_penalty * overlap

    def _duplicates(self, a: Candidate, b: Candidate) -> bool:
        """Near-duplicates by wording (Jaccard) or by meaning (embedding cosine)."""
        if jaccard(set(a.words), set(b.words)) >= self._settings.near_duplicate_jaccard:
            return True
        return float(np.dot(a.vector, b.vector)) >= self._settings.near_duplicate_cosine

    def generate(self, request: GenerationRequest) -> Draft:
        chosen = self._select(self.rank(request))
        if not chosen:
            return Draft(
                text="",
                generator=NAME,
                refused=True,
                mode=NAME,
                findings=["no sentence relevant enough to quote"],
            )
        text = " ".join(cite(c.sentence, c.passage) for c in chosen)
        return Draft(text=text, generator=NAME, mode=NAME)


def cite(sentence: str, *positions: int) -> str:
    """Put ``[p, ...]`` (the given passage positions) before the sentence's final punctuation."""
    marker = "[" + ", ".join(str(p) for p in positions) + "]"
    match = re.search(r"[.!?]+$", sentence)
    if match:
        return f"{sentence[: match.start()]} {marker}{match.group(0)}"
    return f"{sentence} {marker}."
