"""The one citation-marker grammar: parse, renumber, move, and the UI's generated copy."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from assistant.language import markers


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("A [1].", [1]),
        ("A [2, 3].", [2, 3]),
        ("A [1-3].", [1, 2, 3]),
        ("A [1–3, 5].", [1, 2, 3, 5]),
        ("A [2 - 4] and [6].", [2, 3, 4, 6]),
        ("No marker in [a] or [1a] or 4.5 mg.", []),
    ],
)
def test_markers_name_their_numbers_ranges_included(text: str, numbers: list[int]) -> None:
    assert markers.cited_indices(text) == numbers


def test_a_range_too_long_names_only_its_ends() -> None:
    assert markers.numbers("1-900") == [1, 900]


def test_renumber_orders_by_first_appearance_and_drops_unknown() -> None:
    text, order, findings = markers.renumber("A [3]. B [1, 3]. C [7].", n_passages=3)
    assert text == "A [1]. B [2, 1]. C."
    assert order == [3, 1]
    assert findings == ["removed citation [7]: no passage with that number was retrieved"]


def test_a_range_is_renumbered_number_by_number() -> None:
    text, order, _ = markers.renumber("Doses differ [2-3]. See also [3].", n_passages=3)
    assert text == "Doses differ [1, 2]. See also [2]."
    assert order == [2, 3]


def test_invalid_numbers_are_dropped_and_reported_without_renumbering() -> None:
    findings: list[str] = []
    assert markers.keep_valid("Give 5 mg [2, 9].", 3, findings) == "Give 5 mg [2]."
    assert findings == ["removed citation [9]: no passage with that number was given"]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("[2] The dose is 500 mg.", "The dose is 500 mg [2]."),
        ("[1] Is it safe in pregnancy?", "Is it safe in pregnancy [1]?"),
        ("[1, 2] Give 5 mg. [3]", "Give 5 mg [1, 2, 3]."),
        ("[1-2] Give 5 mg.", "Give 5 mg [1, 2]."),
        ("The dose is 500 mg [2].", "The dose is 500 mg [2]."),
        ("[2]", "[2]"),
    ],
)
def test_markers_that_open_a_sentence_are_moved_to_its_end(written: str, kept: str) -> None:
    assert markers.markers_last(written) == kept


def test_cite_puts_the_marker_before_the_final_stop() -> None:
    assert markers.cite("Give 5 mg.", 2) == "Give 5 mg [2]."
    assert markers.cite("Give 5 mg", 1, 3) == "Give 5 mg [1, 3]."


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_ui_module_reads_markers_as_python_does(tmp_path: pytest.TempPathFactory) -> None:
    """The JavaScript the web UI imports is generated from the same definition; node runs it
    on the same texts and must find the same numbers."""
    texts = ["A [1].", "B [2, 3].", "C [1-3].", "D [1–3, 5].", "E [2 - 4] [6].", "F [1-900]."]
    module = tmp_path / "markers.mjs"  # type: ignore[operator]
    module.write_text(markers.javascript_module(), encoding="utf-8")
    script = (
        f"import {{ markerPattern, markerNumbers }} from '{module}';\n"
        f"const texts = {json.dumps(texts)};\n"
        "console.log(JSON.stringify(texts.map((t) => [...t.matchAll(markerPattern())]"
        ".flatMap((m) => markerNumbers(m[1])))));\n"
    )
    run = tmp_path / "run.mjs"  # type: ignore[operator]
    run.write_text(script, encoding="utf-8")
    out = subprocess.run(["node", str(run)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [markers.cited_indices(t) for t in texts]
