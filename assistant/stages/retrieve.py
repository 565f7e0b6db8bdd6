"""Retrieve: approved passages for the turn's mapped question, and for each part of a
message that asks several things."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from assistant.coverage import coverage_order
from assistant.index.retriever import Retrieval, Retriever
from assistant.language.terminology import Terminology
from assistant.stages.data import Turn

PART_HITS = 2  # passages searched for each part of a message that asks several things


@dataclass(frozen=True)
class Retrieve:
    retriever: Retriever
    terminology: Terminology
    top_k: int

    def __call__(self, turn: Turn) -> Retrieval:
        """Of twice the passages an answer uses, those naming more of the question's concepts
        (typos fixed, synonyms added); each part's best passage among them."""
        clock = time.perf_counter()
        top = self.top_k
        found = self.retriever.search(turn.search_question, favour=turn.favour, k=2 * top)
        found, needed = self._with_part_hits(turn, found)
        texts = [h.chunk.embedding_text for h in found.hits]
        ordered = coverage_order(turn.understanding, texts, self.terminology)
        order = keep_needed(ordered, needed, top)
        retrieval = replace(found, hits=[found.hits[i] for i in order])
        turn.timings_ms.update(retrieval.timings_ms)
        turn.timings_ms["retrieve"] = (time.perf_counter() - clock) * 1000
        return retrieval

    def _with_part_hits(self, turn: Turn, found: Retrieval) -> tuple[Retrieval, list[int]]:
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
            part = self.retriever.search(query, favour=turn.favour, k=PART_HITS)
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
