"""The content gate on streamed model text (pure, no server): a stretch that says nothing is
never shown; a sentence with content streams word by word as it comes."""

from __future__ import annotations

from assistant.drafting import ContentGate
from assistant.generate.select_mode import selection_labels

TITLES = [
    "Low-dose naltrexone dosing: partial versus full opioid blockade in fibromyalgia and CRPS"
]


def stream(pieces: list[str]) -> tuple[list[str], str]:
    gate = ContentGate(TITLES)
    shown = [gate.feed(p) for p in pieces]
    return shown, "".join(shown) + gate.finish()


def test_bare_markers_titles_and_punctuation_are_never_shown() -> None:
    for reply in (
        " [1] [2, 3] [4, 5]",
        "[1] Low-dose naltrexone dosing: partial versus full opioid blockade [2, 3] ",
        " . , ;  ...\n\n !? — [1]. ",
    ):
        _, text = stream([reply[i : i + 3] for i in range(0, len(reply), 3)])
        assert text == "", (reply, text)


def test_a_sentence_with_content_streams_before_it_ends() -> None:
    shown, text = stream(["Naltrexone ", "50 mg ", "gives ", "full ", "blockade [1]. ", "[2] [3]"])
    # "Naltrexone" alone only repeats a title word: held until the sentence says something.
    assert shown[0] == "" and shown[1] == "Naltrexone 50 mg " and shown[2] == "gives "
    assert text == "Naltrexone 50 mg gives full blockade [1]. "


def test_selection_lines_are_told_from_free_text() -> None:
    assert selection_labels("SENTENCES: S4, S2") == [4, 2]
    assert selection_labels("[S3] [S1]") == [3, 1]
    assert selection_labels("Sentences: 5 and 7") == [5, 7]
    assert selection_labels("Naltrexone 4.5 mg gives partial blockade [1].") is None
    assert selection_labels("[1] [2, 3]") is None  # citation markers are not labels
