"""The reviewer's routes on the live server: queue, detail with passages, decisions, audit."""

from __future__ import annotations

import httpx

from tests.support.live_server import LiveServer


def _ask(live: LiveServer, question: str) -> dict:
    with live.client("alice") as alice:
        cid = alice.post("/api/conversations", json={}).json()["id"]
        record: dict = alice.post(
            f"/api/conversations/{cid}/messages", json={"question": question}
        ).json()
        return record


def seen_version(client: httpx.Client, answer_id: str) -> dict:
    """The version the console shows (its number and SHA-256): what every decision names."""
    latest = client.get(f"/api/review/answers/{answer_id}").json()["versions"][-1]
    return {"version": latest["version"], "sha256": latest["sha256"]}


def test_edit_then_approve_is_audited_and_seen_by_the_clinician(live: LiveServer) -> None:
    record = _ask(live, "What dose of mebendazole for a 14 kg child with roundworm?")
    with live.client("rita") as rita:
        queue = rita.get("/api/review/queue").json()
        assert record["id"] in [r["id"] for r in queue]
        detail = rita.get(f"/api/review/answers/{record['id']}").json()
        assert detail["record"]["citations"][0]["passage"]
        edited_text = record["answer"].split("] ")[0] + "]."  # the first sentence only
        version = rita.post(
            f"/api/review/answers/{record['id']}/edit",
            json={"text": edited_text, "comment": "clarified", **seen_version(rita, record["id"])},
        )
        assert version.status_code == 200, version.text
        assert version.json()["version"] == 2
        own = rita.post(
            f"/api/review/answers/{record['id']}/approve",
            json={"comment": "ok", **seen_version(rita, record["id"])},
        )
        assert own.status_code == 409 and "four eyes" in own.json()["error"]["message"]
    with live.client("adam") as adam:
        seen = seen_version(adam, record["id"])
        approved = adam.post(
            f"/api/review/answers/{record['id']}/approve", json={"comment": "ok", **seen}
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["to_status"] == "approved"
        assert (approved.json()["version"], approved.json()["version_sha256"]) == (
            seen["version"],
            seen["sha256"],
        )
        again = adam.post(f"/api/review/answers/{record['id']}/approve", json=seen)
        assert again.status_code == 409 and "approved" in again.json()["error"]["message"]
        after = adam.get(f"/api/review/answers/{record['id']}").json()
        assert [e["action"] for e in after["audit"]][-2:] == ["edit", "approve"]
        pending = [r["id"] for r in adam.get("/api/review/queue").json()]
        assert record["id"] not in pending
    with live.client("alice") as alice:
        mine = alice.get(f"/api/conversations/{record['conversation_id']}").json()["answers"][0]
    assert mine["review_status"] == "approved"
    assert mine["answer"] == edited_text  # the clinician sees the approved, edited text


def test_reject_needs_a_reason(live: LiveServer) -> None:
    record = _ask(live, "Is polyethylene glycol safe in pregnancy?")
    with live.client("adam") as admin:
        seen = seen_version(admin, record["id"])
        blank = admin.post(
            f"/api/review/answers/{record['id']}/reject", json={"reason": "", **seen}
        )
        assert blank.status_code == 422
        unbound = admin.post(
            f"/api/review/answers/{record['id']}/reject", json={"reason": "wrong source"}
        )
        assert unbound.status_code == 422 and "version" in unbound.json()["error"]["message"]
        rejected = admin.post(
            f"/api/review/answers/{record['id']}/reject", json={"reason": "wrong source", **seen}
        )
        assert rejected.status_code == 200, rejected.text
        listed = admin.get("/api/review/queue", params={"status": "rejected"}).json()
        assert record["id"] in [r["id"] for r in listed]


def test_clinicians_cannot_review_and_unknown_answers_are_404(live: LiveServer) -> None:
    record = _ask(live, "What dose of naltrexone for alcohol dependence?")
    with live.client("alice") as alice:
        denied = alice.post(f"/api/review/answers/{record['id']}/approve", json={})
        assert denied.status_code == 403
    with live.client("rita") as rita:
        assert rita.get("/api/review/answers/" + "0" * 32).status_code == 404
        bad = rita.get("/api/review/queue", params={"status": "everything"})
        assert bad.status_code == 422
    assert httpx.get(live.url + "/api/review/queue").status_code == 401


def test_a_reviewer_cannot_author_and_approve_a_wrong_dose(live: LiveServer) -> None:
    """Issue 11 finding 1, as probed: edit to 900 mg, then approve it yourself."""
    record = _ask(live, "What dose of mebendazole for a 14 kg child with roundworm?")
    url = f"/api/review/answers/{record['id']}"
    with live.client("rita") as rita:
        edited = rita.post(
            url + "/edit",
            json={"text": "Give 900 mg mebendazole [1].", **seen_version(rita, record["id"])},
        )
        assert edited.status_code == 200, edited.text
        assert any("900 mg" in f for f in edited.json()["findings"])
        own = rita.post(
            url + "/approve", json={"justification": "trust me", **seen_version(rita, record["id"])}
        )
        assert own.status_code == 409, own.text
    with live.client("adam") as adam:
        shown = adam.get(url).json()
        assert shown["approval_needs_justification"] and "900 mg" in shown["findings"][0]
        seen = seen_version(adam, record["id"])
        bare = adam.post(url + "/approve", json=seen)
        assert bare.status_code == 422 and "justification" in bare.json()["error"]["message"]
        why = "Checked with pharmacy: weight-based dose for this patient."
        ok = adam.post(url + "/approve", json={"justification": why, **seen})
        assert ok.status_code == 200 and ok.json()["justification"] == why
        audit = adam.get(url).json()["audit"]
        assert audit[-1]["action"] == "approve" and audit[-1]["payload"]["justification"] == why
