"""Citation renumbering and number grounding, the checks every generator's output goes through."""

from __future__ import annotations

import pytest

from assistant.citations import grounded, markers_last, quantities, renumber, sentences, verify
from assistant.models import Citation


def citation(n: int, passage: str) -> Citation:
    return Citation(n=n, source_id=f"s{n}", chunk_id=f"s{n}::0", title="t", passage=passage)


def test_renumber_orders_by_first_appearance_and_drops_unknown() -> None:
    text, order, findings = renumber("A [3]. B [1, 3]. C [7].", n_passages=3)
    assert text == "A [1]. B [2, 1]. C."
    assert order == [3, 1]
    assert findings == ["removed citation [7]: no passage with that number was retrieved"]


def test_quantities_keep_units_and_ranges() -> None:
    found = quantities("LDN at 1-5 mg, usually 4.5 mg, vs 50 mg once daily for 3 days [2].")
    assert found == ["1-5 mg", "4.5 mg", "50 mg", "3 days"]


def test_grounding_needs_the_same_value_and_unit() -> None:
    assert grounded("4.5 mg", ["take 4.5mg at bedtime"])
    assert grounded("1-5 mg", ["doses of 1 to 5 mg"])
    assert not grounded("50 mg", ["50 mL of water"])
    assert not grounded("3", ["for 3.5 days"])
    assert grounded("twice daily", ["100 mg twice daily for 3 days"])


def test_verify_flags_ungrounded_and_uncited_numbers() -> None:
    cites = [citation(1, "Naltrexone 50 mg once daily gives full blockade.")]
    assert verify("Naltrexone 50 mg once daily gives full blockade [1].", cites) == []
    findings = verify("Naltrexone 100 mg gives full blockade [1]. Use 7 mg.", cites)
    assert any("'100 mg' is not in the cited passage" in f for f in findings)
    assert any("uncited sentence states 7 mg" in f for f in findings)
    assert any("resolves to no retrieved passage" in f for f in verify("X 50 mg [2].", cites))


def test_sentences_keep_decimal_points() -> None:
    assert sentences("Give 4.5 mg nightly [1]. Then stop [2].") == [
        "Give 4.5 mg nightly [1].",
        "Then stop [2].",
    ]


def test_a_marker_opening_a_line_cites_the_sentence_it_precedes() -> None:
    # Small models write "[1] sentence" line by line; the marker is no sentence of its own.
    text = "[1] Give 4.5 mg nightly. Then stop.\n[2] Check the dose weekly."
    assert sentences(text) == [
        "[1] Give 4.5 mg nightly.",
        "Then stop.",
        "[2] Check the dose weekly.",
    ]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("[2] The dose is 500 mg.", "The dose is 500 mg [2]."),
        ("[1] Is it safe in pregnancy?", "Is it safe in pregnancy [1]?"),
        ("[1, 2] Give 5 mg. [3]", "Give 5 mg [1, 2, 3]."),
        ("The dose is 500 mg [2].", "The dose is 500 mg [2]."),
        ("[2]", "[2]"),
    ],
)
def test_markers_that_open_a_sentence_are_moved_to_its_end(written: str, kept: str) -> None:
    assert markers_last(written) == kept
