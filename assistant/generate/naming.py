"""What a quoted sentence names, and whether that is what the question asks about."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.generate.base import AskedConcept


@dataclass(frozen=True)
class SentenceNames:
    """What a sentence names: every concept id, and the ids of its drugs and drug classes."""

    ids: frozenset[str] = frozenset()
    drugs: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()  # the classes of the drugs it names


def names_asked(concept: AskedConcept, named: SentenceNames) -> bool:
    """Whether a sentence names what ``concept`` is: the concept or one of its classes, a
    drug of a class asked about, or the drug a form asked about is a form of ("naltrexone"
    for "low-dose naltrexone")."""
    if concept.ids & (named.ids | named.classes):
        return True
    return any(_names_drug(form, drug) for form in concept.forms for drug in named.drugs)


def _names_drug(form: str, drug_id: str) -> bool:
    """Whether a name (normal form) has the drug's name as its own words."""
    name = drug_id.partition(":")[2]
    return bool(name) and f" {name} " in f" {form} "
