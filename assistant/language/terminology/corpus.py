"""Vocabulary a corpus teaches: the names its own text gives a concept in passing.

Clinical writing names a thing and, in brackets, another name for it: "ascariasis
(roundworm)", "low-dose naltrexone (LDN)", "epinephrine (adrenaline)". When one side is a
concept the terminology knows and the other is a name it does not (a word that is no
everyday English, or an abbreviation), the corpus has said they are the same thing - a
hospital's corpus brings its own brands, abbreviations and lay words this way, with no one
editing a lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.language.terminology import Concept, Terminology
from assistant.language.tokens import STOPWORDS

# "<up to four words> (<one to four words>)"
_BRACKETED = re.compile(
    r"(?P<before>[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,3})\s*\((?P<inside>[^()\d;:,]{2,60})\)"
)
NAME_LIKE = 3.4  # zipf under which a word reads as a name ("roundworm", not "tablets")
MAX_WORDS = 4


@dataclass(frozen=True)
class Alias:
    """A name the corpus gives a concept."""

    name: str
    concept: Concept


@lru_cache(maxsize=20000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _name(text: str) -> bool:
    """Whether a bracketed text or a word reads as a name: an abbreviation, or words that are
    not everyday English, not a phrase ("such as ...", "the FINAL trial")."""
    words = text.split()
    if not words or len(words) > MAX_WORDS or words[0].lower() in STOPWORDS:
        return False
    if len(words) == 1 and words[0].isupper() and len(words[0]) >= 2:
        return True
    return any(len(w) >= 4 and _zipf(w.lower()) < NAME_LIKE for w in words)


BRAND_LIKE = 3.0  # zipf under which a capitalised word before a drug's bracket is its name


def _brand_like(word: str) -> bool:
    """Whether a word written before a bracketed drug name can be another name of the drug:
    a brand or an abbreviation ("Macrobid (nitrofurantoin)"), not the product's form
    ("capsules (Macrobid)"), which is lower case or everyday English."""
    if word.isupper() and len(word) >= 2:
        return True
    return word[:1].isupper() and _zipf(word.lower()) < BRAND_LIKE


def _known(terminology: Terminology, text: str) -> Concept | None:
    """The concept a bracketed text names: whole ("paracetamol"), or the one subject it
    names with a form around it ("midazolam oromucosal solution")."""
    found = [c for c in terminology.lookup(text) if c.is_subject or c.kind == "population"]
    if found:
        return found[0]
    inside = {m.concept for m in terminology.scan(text) if m.concept.kind == "drug"}
    return inside.pop() if len(inside) == 1 else None


def _last_mention(terminology: Terminology, before: str) -> Concept | None:
    """The concept named by the words just before the bracket, if a name ends there."""
    mentions = [m for m in terminology.scan(before) if m.end == len(before)]
    return mentions[-1].concept if mentions else None


def bracketed_aliases(terminology: Terminology, texts: Iterable[str]) -> list[Alias]:
    """Every "A (B)" of the texts where one side names a known concept and the other is a
    name the terminology does not know."""
    found: dict[str, Alias] = {}
    for text in texts:
        for match in _BRACKETED.finditer(text):
            before, inside = match.group("before"), " ".join(match.group("inside").split())
            named = _last_mention(terminology, before)
            if named is not None and not terminology.lookup(inside) and _name(inside):
                found.setdefault(inside.lower(), Alias(inside, named))
                continue
            last = before.split()[-1]
            inner = _known(terminology, inside)
            learnable = inner is not None and not terminology.lookup(last) and _name(last)
            if learnable and inner is not None and (inner.kind != "drug" or _brand_like(last)):
                found.setdefault(last.lower(), Alias(last, inner))
        for brand, drug in _products(terminology, text):
            found.setdefault(brand.lower(), Alias(brand, drug))
    return list(found.values())


# "Lyclear Dermal Cream (permethrin 5% w/w)": a product's name, its form, and in brackets the
# drug it holds with its strength.
_PRODUCT = re.compile(
    r"(?P<name>(?:[A-Z][\w'-]*\s+){0,3}[A-Z][\w'-]*)\s*\((?P<inside>[^()]{2,60})\)"
)


def _products(terminology: Terminology, text: str) -> list[tuple[str, Concept]]:
    """(brand, drug) for every capitalised product name followed by the one drug it holds in
    brackets, its strength beside it: the brand is the product name's first word, when it is
    brand-like and no name the terminology knows ("Lyclear" of "Lyclear Dermal Cream")."""
    found = []
    for match in _PRODUCT.finditer(text):
        inside = match.group("inside")
        if not any(ch.isdigit() for ch in inside):
            continue  # without a strength: bracketed_aliases reads it
        drug = _known(terminology, inside)
        brand = match.group("name").split()[0]
        if drug is None or drug.kind != "drug" or terminology.lookup(brand) or brand.isupper():
            continue
        if _brand_like(brand) and _name(brand):
            found.append((brand, drug))
    return found


def learn(terminology: Terminology, texts: Iterable[str]) -> list[Alias]:
    """Teach the terminology the names ``texts`` (an approved corpus) give known concepts,
    and keep the texts for reading its shorthand (:meth:`Terminology.dose_shorthand`)."""
    texts = list(texts)
    terminology.corpus_texts = tuple(texts)
    aliases = bracketed_aliases(terminology, texts)
    for alias in aliases:
        terminology.add_name(alias.name, alias.concept)
    return aliases
