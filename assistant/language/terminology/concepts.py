"""What the terminology names: a concept (drug, condition, population, class, term) and a
mention of one in a text."""

from __future__ import annotations

from dataclasses import dataclass

SUBJECTS = frozenset({"drug", "condition", "class", "term"})


@dataclass(frozen=True)
class Concept:
    """A drug, condition, population, drug class, clinical term or aspect."""

    id: str
    kind: str  # drug | condition | population | class | term | aspect
    name: str
    source: str  # drugs | mesh | hpo | hand | aliases | abbreviations
    broader: tuple[str, ...] = ()  # ids of its classes or broader conditions
    essential: bool = True  # a population that changes whether or how a drug may be used
    ages: tuple[float, float] | None = None  # an age group's ages, in years
    default: bool = False  # an age group assumed where a passage names none (adults)
    symptom: bool = False  # a sign or symptom (MeSH's "signs and symptoms", HPO), no disease

    @property
    def is_subject(self) -> bool:
        """A drug, condition, class or clinical term: what a question can be about."""
        return self.kind in SUBJECTS

    @property
    def unlisted_group(self) -> bool:
        """A group of drugs the datasets name in the plural without listing its members
        ("antiviral agents", "laxatives"): any drug may be one of them."""
        last = self.name.rsplit(" ", 1)[-1]
        return self.kind == "drug" and last.endswith("s") and not last.endswith(("ss", "us", "is"))


@dataclass(frozen=True)
class Mention:
    """Where a text names a concept, and by which name."""

    concept: Concept
    start: int
    end: int
    text: str
    certain: bool = True  # False: an abbreviation read without the corpus to confirm it
