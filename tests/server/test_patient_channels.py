"""Patient mode and grouped references on every HTTP channel of the live server: the JSON API,
the stream, and the OpenAI-compatible endpoint (model ``followup-patient``, or
``metadata.audience``), with the official openai client (issue 22, items 2 and 3)."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.support.live_server import LiveServer
from tests.support.sse import sse_events

DOSE = "What dose of mebendazole for a 14 kg child with roundworm?"
PATIENT = "Information for patients and carers"
CLINICIAN = "Professional medical disclaimer"
FRAMING = "Your clinician will decide whether this medicine is right for you and at what dose."


def ask(client: httpx.Client, audience: str | None, *, conversation: str = "clinician") -> dict:
    cid = client.post("/api/conversations", json={"audience": conversation}).json()["id"]
    body = {"question": DOSE} | ({"audience": audience} if audience else {})
    response = client.post(f"/api/conversations/{cid}/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_json_api_answers_patients_in_their_own_words(live: LiveServer) -> None:
    with live.client("alice") as client:
        clinician = ask(client, None)
        patient = ask(client, None, conversation="patient")
        switched = ask(client, "patient")  # a clinician conversation, this answer for a patient
    assert clinician["disclaimer"].startswith(CLINICIAN) and FRAMING not in clinician["answer"]
    for record in (patient, switched):
        assert record["audience"] == "patient"
        assert record["disclaimer"].startswith(PATIENT)
        assert FRAMING in record["answer"]
        assert record["review_status"] == "pending_review"


def test_the_stream_answers_patients_and_streams_what_it_stores(live: LiveServer) -> None:
    with live.client("alice") as client:
        cid = client.post("/api/conversations", json={"audience": "patient"}).json()["id"]
        response = client.post(f"/api/conversations/{cid}/stream", json={"question": DOSE})
        assert response.status_code == 200, response.text
        events = sse_events(response)
        stored = client.get(f"/api/conversations/{cid}").json()["answers"][0]
    record = events[-1][1]["record"]
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    assert record["disclaimer"].startswith(PATIENT) and FRAMING in streamed
    assert streamed == record["answer"] == stored["answer"]


def test_the_json_api_names_each_source_once_with_its_article(live: LiveServer) -> None:
    with live.client("alice") as client:
        record = ask(client, None)
    refs = record["references"]
    assert refs and len({r["source_id"] for r in refs}) == len(refs)
    assert {n for r in refs for n in r["numbers"]} == {c["n"] for c in record["citations"]}
    assert all(r["citation"] and r["via"] for r in refs)
    assert not any("sample article" in r["citation"] for r in refs)


def client_for(live: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=live.url + "/v1", api_key=live.keys["alice"], max_retries=0)


def test_the_openai_endpoint_offers_a_patient_model(live: LiveServer) -> None:
    api = client_for(live)
    assert {m.id for m in api.models.list()} == {"followup", "followup-patient"}
    completion = api.chat.completions.create(
        model="followup-patient", messages=[{"role": "user", "content": DOSE}]
    )
    content = completion.choices[0].message.content or ""
    assert PATIENT in content and FRAMING in content and CLINICIAN not in content
    assert completion.model == "followup-patient"
    assert completion.model_extra["followup"]["audience"] == "patient"  # type: ignore[index]
    clinician = api.chat.completions.create(
        model="followup", messages=[{"role": "user", "content": DOSE}]
    )
    assert CLINICIAN in (clinician.choices[0].message.content or "")


def test_openai_metadata_asks_for_the_patient_answer_streamed_too(live: LiveServer) -> None:
    stream = client_for(live).chat.completions.create(
        model="followup",
        messages=[{"role": "user", "content": DOSE}],
        metadata={"audience": "patient"},
        stream=True,
    )
    content = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert PATIENT in content and FRAMING in content and CLINICIAN not in content


@pytest.mark.parametrize(
    "body",
    [
        {"model": "followup", "metadata": {"audience": "children"}},
        {"model": "followup-carer"},
    ],
)
def test_an_unknown_audience_or_model_is_a_clear_4xx(live: LiveServer, body: dict) -> None:
    with live.client("alice") as client:
        response = client.post(
            "/v1/chat/completions", json=body | {"messages": [{"role": "user", "content": DOSE}]}
        )
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["message"]
