"""Decide: answer, answer in part, or decline; the one place that decides, with the reason
put on the record.

Before generation it says whether there is anything to generate from (a message that is no
usable question, or passages that do not cover it: the generator is not called); after
verification it takes the decision on the verified draft and what its citations cover.
Every wording is the pipeline's own (assistant/wording.py), never a model's.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.coverage import Coverage, CoverageLevel, missing_phrase
from assistant.decline import closest_articles, coverage_refusal, message_draft, partial_opening
from assistant.generate.base import Draft
from assistant.generate.extractive import NAME as EXTRACTIVE
from assistant.generate.plain import framed_doses
from assistant.index.retriever import Retrieval
from assistant.stages.data import Assessment, Cited, Decision, Outcome, Turn
from assistant.stages.understand import Serving
from assistant.understand import MessageKind
from assistant.wording import Wording, Wordings


@dataclass(frozen=True)
class Decide:
    wordings: Wordings
    index: Serving  # the approved articles offered when declining
    min_evidence: float

    def before_generating(self, turn: Turn, assessment: Assessment, generator: str) -> Draft | None:
        """The refusal draft that stands in for the generator's when there is nothing to
        generate from (a message that is no usable question, uncovered passages), else None."""
        refusals = self.wordings.of(turn.audience).refusals
        if assessment.message is not MessageKind.QUESTION:
            return message_draft(refusals, turn.understanding, generator, assessment.meaning)
        if assessment.coverage.declines:
            return Draft(text="", generator=generator, refused=True)
        return None

    def opening(self, turn: Turn, assessment: Assessment) -> str | None:
        """The opening of a partial answer, streamed before a model's text (None if full)."""
        if assessment.coverage.level is not CoverageLevel.PARTIAL:
            return None
        return partial_opening(self.wordings.of(turn.audience).refusals, assessment.coverage)

    def __call__(
        self, turn: Turn, retrieval: Retrieval, assessment: Assessment, draft: Draft, cited: Cited
    ) -> Decision:
        """The decision on the verified draft and its checked citations."""
        coverage = with_unanswered(cited.coverage or assessment.coverage, draft.unanswered)
        wording = self.wordings.of(turn.audience)
        reason = _decline_reason(assessment, draft, cited, coverage)
        if reason is not None:
            closest = self._closest(retrieval, coverage)
            if assessment.message is not MessageKind.QUESTION:
                text = draft.text  # the message's own reply (assistant/decline.py)
            else:
                text = _refusal_text(wording, coverage, closest)
            if coverage.level is not CoverageLevel.NONE:
                coverage = Coverage(CoverageLevel.NONE, coverage.uncovered, coverage.findings)
            return Decision(Outcome.DECLINE, reason, text, [], coverage, closest)
        text = cited.text
        outcome, reason = Outcome.ANSWER, "the cited passages cover the question"
        if coverage.level is CoverageLevel.PARTIAL:
            gaps = [u for u in draft.unanswered if u in coverage.uncovered]
            text = f"{partial_opening(wording.refusals, coverage, gaps)} {text}"
            outcome = Outcome.ANSWER_IN_PART
            reason = f"the sources do not address {missing_phrase(coverage)}"
        if turn.audience == "patient" and draft.mode == EXTRACTIVE:
            text = framed_doses(text, wording.dose_framing)
        return Decision(outcome, reason, text, cited.citations, coverage)

    def _closest(self, retrieval: Retrieval, coverage: Coverage) -> list[str]:
        """Questions of the approved articles nearest a declined question (when any is near)."""
        near = retrieval.best_similarity >= self.min_evidence
        if not (coverage.declines or coverage.uncovered) or not near:
            return []
        documents = {d.id: d for d in self.index.catalog.documents()}
        return closest_articles(retrieval.hits, documents)


def _decline_reason(
    assessment: Assessment, draft: Draft, cited: Cited, coverage: Coverage
) -> str | None:
    """Why the answer is declined, or None when it is not."""
    if assessment.message is not MessageKind.QUESTION:
        return f"not a usable question ({assessment.message})"
    if assessment.coverage.declines:
        return f"the retrieved passages do not address {missing_phrase(assessment.coverage)}"
    if draft.refused:
        why = draft.fallback_reason or "the generator declined"
        return f"no usable answer: {why}"
    if not cited.citations:
        return "the answer cites no retrieved passage"
    if coverage.declines:
        return f"the cited passages do not address {missing_phrase(coverage)}"
    return None


def with_unanswered(coverage: Coverage, unanswered: tuple[str, ...]) -> Coverage:
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


def _refusal_text(wording: Wording, coverage: Coverage, closest: list[str]) -> str:
    if coverage.declines or coverage.uncovered:
        return coverage_refusal(wording.refusals, coverage, closest)
    return wording.refusal
