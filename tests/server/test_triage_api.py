"""The console's triage data: queue rows with asker, coverage, refusal kind and findings in
plain words; one answer's findings by sentence and its sources as links. Findings as the
pipeline and the review workflow store them, said again in words."""

from __future__ import annotations

import pytest

from server.findings_words import explain, explain_all
from tests.support.live_server import LiveServer


@pytest.mark.parametrize(
    ("raw", "says", "sentence"),
    [
        (
            "best passage similarity 0.14 is under the floor 0.20",
            "No approved passage is close to this question (best match 14% similar, 20% needed)",
            None,
        ),
        (
            "not addressed by the passages: metformin",
            "The approved sources do not address: metformin.",
            None,
        ),
        ("message: injection_only", "only tried to change the assistant's rules", None),
        (
            "removed unsupported sentence (only 14% of its words are in the cited passage(s)): "
            "'Convulsions have been reported [1].'",
            "Removed from the answer: most of its words are not in the passage it cites",
            "Convulsions have been reported [1].",
        ),
        (
            "unsupported sentence (50 mg, 24 hours are not stated together in the cited sentence "
            "(closest: 'A 50 mg dose blocks 25 mg IV heroin for 24 hours.')): "
            "'A 50 mg dose blocks for 24 hours [2].'",
            "Not supported by its citation: the cited passage does not state 50 mg, 24 hours "
            "together",
            "A 50 mg dose blocks for 24 hours [2].",
        ),
        (
            "unsupported sentence (the answer negates what the cited sentence states without "
            "negation (closest: 'LDN is 1 to 5 mg.')): \"LDN isn't 1 to 5 mg [1].\"",
            "it negates what the cited passage states",
            "LDN isn't 1 to 5 mg [1].",
        ),
        (
            "removed unsupported sentence (no citation) [rule: cited]: 'Take 9 mg.'",
            "Removed from the answer: it cites no source.",
            "Take 9 mg.",
        ),
        (
            "'900 mg' is not in the cited passage(s): 'Give 900 mg [1].'",
            "The cited passage does not state 900 mg.",
            "Give 900 mg [1].",
        ),
        (
            "removed 2 HTML tag(s) from the model's text [rule: markup]",
            "Removed 2 HTML tag(s) from the model's text.",
            None,
        ),
        (
            "removed citation [7]: no passage with that number was given [rule: cited-passage]",
            "Citation [7] pointed to no passage retrieved",
            None,
        ),
        ("uncited sentence states 9 mg: 'Take 9 mg.'", "States 9 mg without citing", "Take 9 mg."),
        (
            "removed citation [7]: no passage with that number was retrieved",
            "Citation [7] pointed to no passage retrieved",
            None,
        ),
        ("a finding nobody has worded yet", "A finding nobody has worded yet", None),
    ],
)
def test_findings_are_said_in_words_naming_their_sentence(
    raw: str, says: str, sentence: str | None
) -> None:
    finding = explain(raw)
    assert says in finding.says
    assert finding.sentence == sentence
    assert finding.raw == raw


def test_two_checks_saying_the_same_of_a_sentence_are_shown_once() -> None:
    shown = explain_all(
        [
            "'900 mg' is not in the cited passage(s): 'Give 900 mg [1].'",
            "unsupported sentence ('900 mg' is not in the cited passage(s)): 'Give 900 mg [1].'",
            "'900 mg' is not in the cited passage(s): 'Take 900 mg [2].'",
        ]
    )
    assert [(f.sentence, f.says) for f in shown] == [
        ("Give 900 mg [1].", "The cited passage does not state 900 mg."),
        ("Take 900 mg [2].", "The cited passage does not state 900 mg."),
    ]


def test_triage_rows_and_explained_answer(live: LiveServer) -> None:
    with live.client("bob") as bob:
        cid = bob.post("/api/conversations", json={}).json()["id"]
        asked = {
            q: bob.post(f"/api/conversations/{cid}/messages", json={"question": q}).json()
            for q in (
                "What is the capital of France?",
                "What is the usual LDN dose for fibromyalgia? Is it safe while breastfeeding?",
            )
        }
    off_topic, partial = asked.values()
    with live.client("rita") as rita:
        rows = rita.get("/api/review/triage", params={"status": "all"}).json()
        by_id = {row["id"]: row for row in rows}
        explained = rita.get(f"/api/review/answers/{partial['id']}/explained").json()
    with live.client("bob") as bob:
        denied = bob.get("/api/review/triage")
    refusal, answer = by_id[off_topic["id"]], by_id[partial["id"]]
    assert refusal["asker"] == "bob" and refusal["refused"] and refusal["kind"] == "off_topic"
    assert refusal["coverage"] == "none" and refusal["problems"] >= 1
    assert refusal["findings"][0]["says"].startswith("No approved passage is close")
    assert answer["kind"] == "answer" and answer["coverage"] == "partial"
    assert answer["uncovered"] == ["low-dose naltrexone in breastfeeding"]
    assert "breastfeeding" in answer["findings"][0]["says"]
    assert denied.status_code == 403  # clinicians do not see the queue
    sources = explained["sources"]
    assert [s["n"] for s in sources] == [c["n"] for c in partial["citations"]]
    assert all(s["url"] or s["article"] for s in sources), sources
    assert explained["findings"][0]["sentence"] is None  # about the question as a whole
