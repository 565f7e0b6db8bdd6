"""Keep only the answer sentences their cited passages support.

Every sentence is treated as a claim and passes the rules of :mod:`assistant.verify.rules`:
it must say something, carry a citation ``[n]`` to a passage given to the model, state only
values its cited passages state, hold most of their words, and be supported by the cited
passages (:mod:`assistant.verify.support`).

**Unsupported sentences are removed, not marked.** A clinician reads the answer quickly and
a marked-but-present invented dose is still read; the removed sentences are kept verbatim in
the record's findings, each naming the rule that removed it, so reviewers see exactly what the
model wrote and why it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.language import markers
from assistant.language.markers import markers_last
from assistant.language.sentences import answer_sentences
from assistant.language.terminology import Terminology
from assistant.verify.rules import CITED_PASSAGE, REPEATED, Claim, Problem, first_problem, tagged
from assistant.verify.support import best_support


@dataclass
class Checked:
    """The kept text (request-position markers), what was removed and why."""

    text: str
    removed: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    # Why each removed sentence went, in the order of ``removed``.
    problems: list[Problem] = field(default_factory=list)
    # Each kept sentence with the cited sentence that supports it (for an optional judge).
    supports: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        """Whether anything that says something survived: when False the answer is unusable
        and the extractive fallback answers instead."""
        return bool(self.text.strip())


def sentence_problem(
    sentence: str,
    passages: Sequence[str],
    question: str,
    min_support: float,
    contexts: Sequence[str] | None = None,
    terminology: Terminology | None = None,
) -> str | None:
    """Why a sentence (with request-position markers) is unsupported, or None if it is fine.
    ``contexts`` are the passages' titles and headings, by position."""
    problem = first_problem(Claim(sentence, passages, question, min_support, contexts, terminology))
    return problem.why if problem else None


def check_sentences(
    text: str,
    passages: Sequence[str],
    question: str,
    min_support: float,
    contexts: Sequence[str] | None = None,
    terminology: Terminology | None = None,
) -> Checked:
    """Keep the sentences of ``text`` that its cited passages support; report the rest.
    ``contexts`` (title and heading of each passage, by position) let a sentence name a drug
    its passage's title names, and mark a repeated title as saying nothing."""
    result = Checked(text="")
    kept: list[str] = []
    for raw in answer_sentences(text):
        dropped: list[str] = []
        sentence = markers_last(markers.keep_valid(raw, len(passages), dropped).strip())
        result.findings += [tagged(f, CITED_PASSAGE.id) for f in dropped]
        if sentence.strip() in kept:  # a model that repeats itself says it once
            result.findings.append(
                f"{tagged('removed a repeated sentence', REPEATED.id)}: {raw[:200]!r}"
            )
            continue
        claim = Claim(sentence, passages, question, min_support, contexts, terminology)
        problem = first_problem(claim)
        if problem is None:
            kept.append(sentence.strip())
            result.supports.append((sentence.strip(), best_support(sentence, claim.evidence)))
            continue
        result.removed.append(raw)
        result.problems.append(problem)
        head = tagged(f"removed unsupported sentence ({problem.why})", problem.rule)
        result.findings.append(f"{head}: {raw[:200]!r}")
    result.text = " ".join(kept)
    return result
