"""Sentences with their spans, abbreviations that end none, and the clause grammars."""

from __future__ import annotations

import pytest

from assistant.language.negation import excluded_stems
from assistant.language.sentences import (
    answer_sentences,
    claim_parts,
    clauses,
    message_sentences,
    parts,
    sentence_spans,
    split_sentences,
    strip_markup,
)
from assistant.language.tokens import stem


@pytest.mark.parametrize(
    "text",
    [
        "Give max. 500 mg in 24 hours. Review daily.",
        "Use a small volume, e.g. 5 mL of water. Review daily.",
        "It takes approx. 4 hours to work. Review daily.",
        "Compare with placebo (vs. 50 mg) at 12 weeks. Review daily.",
        "Described by Bruun et al. 2024 in women. Review daily.",
    ],
)
def test_clinical_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert [s.text for s in sentence_spans(text)][1] == "Review daily."
    assert len(sentence_spans(text)) == 2


@pytest.mark.parametrize(
    ("message", "sentences"),
    [
        ("clarithromycin dose for H. pylori eradication?", 1),  # a genus's initial
        ("E. coli UTI in pregnancy. What now?", 2),
        ("Give drug A. Then review.", 2),  # a capital letter then a new sentence
        ("58F. On LDN.\nWhat dose?", 3),
    ],
)
def test_a_message_is_cut_where_its_sentences_end(message: str, sentences: int) -> None:
    assert len(message_sentences(message)) == sentences


def test_spans_point_at_the_sentence_in_the_text() -> None:
    text = "First one here.  Second, 4.5 mg.\nThird line"
    spans = sentence_spans(text)
    assert [s.text for s in spans] == ["First one here.", "Second, 4.5 mg.", "Third line"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_passage_markup_is_stripped_before_splitting() -> None:
    passage = "## Dosing\n- **LDN** is 4.5 mg [1]. It is off-label [2].\n- Give at night."
    assert strip_markup(passage) == "LDN is 4.5 mg. It is off-label.\nGive at night."
    assert split_sentences(passage) == ["LDN is 4.5 mg.", "It is off-label.", "Give at night."]


def test_answer_sentences_keep_decimal_points_and_markers() -> None:
    assert answer_sentences("Give 4.5 mg nightly [1]. Then stop [2].") == [
        "Give 4.5 mg nightly [1].",
        "Then stop [2].",
    ]


def test_a_marker_opening_a_line_cites_the_sentence_it_precedes() -> None:
    text = "[1] Give 4.5 mg nightly. Then stop.\n[2] Check the dose weekly."
    assert answer_sentences(text) == [
        "[1] Give 4.5 mg nightly.",
        "Then stop.",
        "[2] Check the dose weekly.",
    ]


def test_clause_grammars() -> None:
    assert clauses("250 mg every 12 hours and 500 mg for skin infections") == [
        "250 mg every 12 hours",
        "500 mg for skin infections",
    ]
    assert clauses("between 10 and 30 mL/min or when 30 or more") == [
        "between 10 and 30 mL/min",
        "when 30 or more",
    ]
    assert [p for _, p in parts("4.5 mg blocks partially, whereas 50 mg blocks fully")] == [
        "4.5 mg blocks partially",
        "50 mg blocks fully",
    ]
    assert claim_parts("It lowers pain [1]; it does not improve sleep [2].") == [
        "It lowers pain",
        "it does not improve sleep.",
    ]


def test_what_a_sentence_sets_aside_is_read_apart() -> None:
    setting_aside = "every 48 hours below 10 mL/min without haemodialysis"
    assert excluded_stems(setting_aside) == {stem("haemodialysis")}
    assert excluded_stems("taken with or without food") == set()
    assert stem("rash") in excluded_stems("apart from rash, no effects were reported")
