"""Choosing which ranked sentences an extractive answer quotes (per request).

:class:`Choice` holds what one request's choice needs: the answer settings, and the stems of
the names of what the question asks about, which say nothing new when two sentences are
compared (the article's "oral cefuroxime axetil is given every 24 hours" and the label's "the
standard individual dose is given every 24 hours" state one fact). It picks:

- for a message asking several things, the best sentence for each part in order
  (assistant/generate/parts_choice.py), preferring a sentence that says all an earlier pick
  says and answers this part too over a second sentence;
- then more sentences by maximal marginal relevance, none restating a fact already quoted
  (assistant.answer_form: repeated fact, or a summary of numbers already given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answer_form import contains, repeats, restates
from assistant.config import AnswerSettings
from assistant.generate.base import AskedConcept, AskedPart
from assistant.generate.parts_choice import load_aspects, matches
from assistant.language import quantities
from assistant.language.tokens import content_stems, jaccard

Names = Callable[[tuple[AskedConcept, ...], str], bool]


def distinctive(part: AskedPart, parts: Sequence[AskedPart]) -> tuple[AskedConcept, ...]:
    """What a part names that the other parts do not all name ("..., and what about CRPS?"):
    a sentence answering it must name one of these."""
    others = [p for p in parts if p is not part]
    return tuple(c for c in part.concepts if not all(c in p.concepts for p in others))


def subject_stems(concepts: Iterable[AskedConcept], drugs_only: bool = True) -> frozenset[str]:
    """Stems of the names of the drugs (or, not ``drugs_only``, of everything) a question asks
    about."""
    return frozenset(
        s
        for c in concepts
        if c.drug or not drugs_only
        for form in c.forms
        for s in content_stems(form)
    )


@dataclass(frozen=True)
class Choice:
    """One request's sentence choice (see the module docstring)."""

    settings: AnswerSettings
    ignore: frozenset[str] = frozenset()

    def fill(self, chosen: Sequence[Any], rest: Sequence[Any], limit: int) -> list[Any]:
        """``chosen`` and more of ``rest`` by maximal marginal relevance, up to ``limit``."""
        picked, left = list(chosen), [c for c in rest if c not in chosen]
        limit = max(limit, len(picked))
        while left and len(picked) < limit:
            best = max(left, key=lambda c: self.marginal(c, picked))
            left.remove(best)
            if self.new(best, picked):
                picked.append(best)
        return picked

    def marginal(self, candidate: Any, chosen: Sequence[Any]) -> float:
        if not chosen:
            return float(candidate.score)
        overlap = max(float(np.dot(candidate.vector, c.vector)) for c in chosen)
        return float(candidate.score) - self.settings.redundancy_penalty * overlap

    def new(self, candidate: Any, chosen: Sequence[Any]) -> bool:
        """Whether ``candidate`` adds to ``chosen``: not one of them, no fact said again."""
        if candidate in chosen or restates(candidate.sentence, [c.sentence for c in chosen]):
            return False
        return not any(self.duplicates(candidate, c) for c in chosen)

    def duplicates(self, a: Any, b: Any) -> bool:
        """Near-duplicates by wording (Jaccard) or by meaning (embedding cosine), or one
        stating a fact the other states. Two sentences that each give a number the other does
        not (overall and progression-free survival of one trial) are two facts, however alike
        their words."""
        mine, theirs = quantities.numbers(a.sentence), quantities.numbers(b.sentence)
        if not (mine - theirs and theirs - mine):
            if jaccard(set(a.words), set(b.words)) >= self.settings.near_duplicate_jaccard:
                return True
            if float(np.dot(a.vector, b.vector)) >= self.settings.near_duplicate_cosine:
                return True
        return repeats(a.sentence, b.sentence, self.ignore)

    def per_part(
        self,
        pool: Sequence[Any],
        parts: Sequence[AskedPart],
        texts: Sequence[str],
        vectors: Sequence[np.ndarray],
        names: Names,
        subject: frozenset[str] = frozenset(),
    ) -> tuple[list[Any], list[Any], list[str]]:
        """The best sentence for each part, the other sentences that answer a part, and the
        parts none answers. A part naming a subject of its own ("and what about CRPS?") is
        answered by a sentence naming it (``names``)."""
        table = load_aspects()
        answers, named = [], []
        for part, text, vector in zip(parts, texts, vectors, strict=True):
            own = distinctive(part, parts)
            named.append(bool(own))
            answers.append(
                [
                    m.candidate
                    for m in matches(text, np.asarray(vector), pool, table, subject)
                    if m.answers and (not own or names(own, m.candidate.sentence))
                ]
            )
        # The part with the fewest answers chooses first, and of two with as many the one that
        # names a subject of its own: "what can I add?" may take any sentence, "and a
        # decongestant spray long term?" only one that names decongestants.
        order = sorted(range(len(parts)), key=lambda i: (len(answers[i]), not named[i], i))
        picks: dict[int, Any] = {}
        more: list[Any] = []
        unanswered: set[int] = set()
        for i in order:
            found = answers[i]
            parts_picked, chosen = list(picks), list(picks.values())
            wider = self.widens(found, chosen)
            fresh = [c for c in found if self.new(c, chosen)]
            if wider is not None:  # says what a pick says and answers this part too
                picks[parts_picked[wider[0]]] = wider[1]
            elif fresh:
                picks[i] = fresh[0]
                more += fresh[1:]
            else:
                unanswered.add(i)
        chosen = [picks[i] for i in sorted(picks)]
        missing = [parts[i].text.rstrip(" ?") for i in sorted(unanswered)]
        return chosen, [c for c in more if c not in chosen], missing

    def widens(self, found: Sequence[Any], chosen: Sequence[Any]) -> tuple[int, Any] | None:
        """A sentence answering this part that says all a picked sentence says, and more (the
        label's "overdose, and liver injury" over the article's "overdose"), with the position
        of the pick it replaces; None when the best answer is new or says nothing more."""
        best = found[0] if found else None
        if best is None or best in chosen:
            return None
        for index, pick in enumerate(chosen):
            wider = contains(best.sentence, pick.sentence, self.ignore)
            if wider and not contains(pick.sentence, best.sentence, self.ignore):
                return index, best
        return None
