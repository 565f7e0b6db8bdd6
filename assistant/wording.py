"""What the pipeline says in its own words, per audience: the disclaimer and the refusals.

Every wording is a versioned template (assistant/prompts), never a model's text. Loaded once
by the composition (assistant/compose.py) and handed to the stages that speak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.prompts import Prompt, load_prompt

AUDIENCES = ("clinician", "patient")


@dataclass(frozen=True)
class Refusals:
    """The templates of what the pipeline says when it does not answer (or answers in part)."""

    coverage: Prompt  # $missing, $closest
    closest: Prompt  # the closest approved articles are offered as related questions
    partial: Prompt  # $missing
    partial_part: Prompt  # $parts: parts of the question no quoted sentence answers
    term_only: Prompt  # $term, $meaning
    context_only: Prompt
    language: Prompt
    injection: Prompt

    @classmethod
    def load(cls, folder: Path, audience: str = "clinician") -> Refusals:
        """The templates; for patients, the wording written for them where there is one."""
        own = "_patient" if audience == "patient" else ""
        return cls(
            coverage=load_prompt(folder, f"refusal_coverage{own}", expect={"missing", "closest"}),
            closest=load_prompt(folder, "refusal_closest", expect=set()),
            partial=load_prompt(folder, "coverage_partial", expect={"missing"}),
            partial_part=load_prompt(folder, "coverage_partial_part", expect={"parts"}),
            term_only=load_prompt(folder, "clarify_term", expect={"term", "meaning"}),
            context_only=load_prompt(folder, "clarify_context", expect=set()),
            language=load_prompt(folder, "refusal_language", expect=set()),
            injection=load_prompt(folder, "refusal_injection", expect=set()),
        )


@dataclass(frozen=True)
class Wording:
    """What the pipeline says, in code, to one audience: the disclaimer, its refusals and,
    for patients, the framing put before a quoted dose."""

    disclaimer: str
    refusal: str
    refusals: Refusals
    dose_framing: str = ""

    @classmethod
    def clinician(cls, folder: Path, disclaimer_version: int | None = None) -> Wording:
        """The clinicians' wording (the disclaimer at ``disclaimer_version``)."""
        return cls(
            disclaimer=load_prompt(folder, "disclaimer", disclaimer_version, expect=set()).text,
            refusal=load_prompt(folder, "refusal", expect=set()).text,
            refusals=Refusals.load(folder),
        )

    @classmethod
    def patient(cls, folder: Path) -> Wording:
        """The patients' wording (the newest ``*_patient`` templates)."""
        return cls(
            disclaimer=load_prompt(folder, "disclaimer_patient", expect=set()).text,
            refusal=load_prompt(folder, "refusal_patient", expect=set()).text,
            refusals=Refusals.load(folder, "patient"),
            dose_framing=load_prompt(folder, "patient_dose", expect=set()).text,
        )


@dataclass(frozen=True)
class Wordings:
    """The wording for each audience."""

    clinician: Wording
    patient: Wording | None = None

    def of(self, audience: str) -> Wording:
        """The wording for ``audience`` (clinician unless patient wording was loaded)."""
        if audience == "patient" and self.patient is not None:
            return self.patient
        return self.clinician

    @classmethod
    def load(cls, folder: Path, disclaimer_version: int | None = None) -> Wordings:
        return cls(Wording.clinician(folder, disclaimer_version), Wording.patient(folder))
