"""The language package is the one home of the sentence, marker and dose grammars: no other
module (nor the web UI's JavaScript) keeps a regular expression of its own for them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "assistant" / "language"
# Fragments of each grammar as a pattern spells it (the language package's own spelling).
GRAMMARS = {
    "citation marker": re.compile(r"\\\[\(?\\d|\\\[\[\\d"),
    "sentence end": re.compile(r"\(\?<=\[\.!\?|\[\.!\?\]\\s\+|\[\.!\?\]\)\\s"),
    "dose unit": re.compile(r"mg\|mcg|mcg\|µg|\bmg\|g\b|\(\?:mg\||\|mL\||mmol\|"),
}
SOURCES = [
    *[p for d in ("assistant", "server", "evals", "benchmarks") for p in (ROOT / d).rglob("*.py")],
    *(ROOT / "server" / "static").rglob("*.js"),
]


@pytest.mark.parametrize("grammar", sorted(GRAMMARS))
def test_no_grammar_regex_outside_the_language_package(grammar: str) -> None:
    pattern = GRAMMARS[grammar]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in SOURCES
        if HOME not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"{grammar} regex outside assistant/language: {found}"


def test_the_check_finds_each_grammar_in_its_home() -> None:
    home = "\n".join(p.read_text(encoding="utf-8") for p in HOME.rglob("*.py"))
    for grammar, pattern in GRAMMARS.items():
        if grammar != "dose unit":  # units are package data (grammar.v1.yaml)
            assert pattern.search(home), grammar
