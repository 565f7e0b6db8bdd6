"""A shortened organism name ("C diff", "H. pylori") is read as the binomial the corpus
writes, and only where one species of the corpus fits."""

from __future__ import annotations

from assistant.understand.organisms import corpus_binomials, shortened_organisms

PASSAGES = [
    "Hands are washed with soap and water because alcohol does not kill Clostridioides "
    "difficile spores. Stool is tested for Clostridioides difficile toxin.",
    "It was formerly called Clostridium difficile. Eradication of Helicobacter pylori is "
    "offered to people who test positive.",
    "Oxybutynin immediate release is started at 5 mg.",  # a sentence start is no binomial
]


def test_a_shortened_organism_is_the_corpus_binomial_it_fits() -> None:
    binomials = corpus_binomials(PASSAGES)
    assert ("oxybutynin", "immediate") not in binomials
    found = dict(shortened_organisms("c diff bug - and H. pylori test?", binomials))
    # the genus the corpus writes most, where it also writes an older name
    assert found == {"c diff": "clostridioides difficile", "H. pylori": "helicobacter pylori"}


def test_no_binomial_fits_and_nothing_is_read() -> None:
    binomials = corpus_binomials(PASSAGES)
    assert shortened_organisms("a dose for E. coli in a child?", binomials) == []
