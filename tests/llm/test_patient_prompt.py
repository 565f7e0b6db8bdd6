"""Patient mode with a model (issue 22, item 2): the model is asked, through the versioned
audience prompt, for plain words and the "your clinician will decide" framing; the record names
that prompt's version and carries the patient disclaimer. Against the scripted OpenAI-compatible
server on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.adversary import Adversary, Reply, split, system_prompt
from tests.support.model_answers import MakeServices, ask, best_sentence

pytestmark = pytest.mark.llm


def faithful(body: dict[str, Any]) -> Reply:
    n, sentence = best_sentence(body)
    return Reply(split(f"{sentence} [{n}]."))


def prompt_of(body: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"])


def test_the_model_is_asked_for_plain_words_for_patients_only(
    adversary: Adversary, make_services: MakeServices
) -> None:
    adversary.script = faithful
    services = make_services(adversary.url)
    _, patient = ask(services, audience="patient")
    _, clinician = ask(services, audience="clinician")
    asked_patient, asked_clinician = (prompt_of(b) for b in adversary.requests[-2:])
    assert "patient or carer" in asked_patient and "clinician will decide" in asked_patient
    assert "patient or carer" not in asked_clinician
    assert "precise clinical terms" in asked_clinician
    assert system_prompt(adversary.requests[-1])  # the system prompt is sent either way
    assert "audience_patient.v2" in (patient.record.prompt_version or "")
    assert "audience_clinician" in (clinician.record.prompt_version or "")
    assert patient.record.generator == "adversary" == clinician.record.generator
    assert patient.record.disclaimer.startswith("Information for patients and carers")
    assert clinician.record.disclaimer == services.pipeline.decide.wordings.clinician.disclaimer
    assert patient.record.audience == "patient"
