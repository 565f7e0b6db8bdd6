"""Builds the terminology index from the datasets (once; the result is cached, see cache.py).

What the datasets hold is not all usable as it is, so each name passes a filter:

- inverted and coded forms never written in prose ("abdomen, acute", "d&c black no. 2") go;
- a drug name must have a word that is no everyday English ("all clear" and "at 10" name
  products in the drug dataset; "keytruda" or "vitamin k" are names), unless it is the
  drug's own name and not an everyday word itself ("insulin" stays, "iron" and "milk" go);
- conditions are MeSH descriptors of the diseases (C) and mental disorders (F03) trees,
  without the disease *attributes* ("chronic disease", "recurrence");
- short names that are also English words ("aids") only match when written in capitals.

HPO signs and symptoms join the MeSH descriptor whose name they share ("Seizure" and
"Seizures") or stand as conditions of their own ("Stridor").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.language.terminology import datasets
from assistant.language.terminology.drug_words import CATIONS, NO_MEDICINE_TREES, SALTS, plural
from assistant.language.terminology.hand import HandLexicon
from assistant.language.terminology.normal import phrase

BUILD = "t27"  # bump when the build rules change: cached indexes are rebuilt
MAX_WORDS = 6
EVERYDAY = 4.3  # zipf at or above which a word is everyday English, not a name
COMMON_CONDITION = 5.2  # a one-word condition name this common is not a condition ("will")
CAPITALS_ONLY = 2.5  # a short name this common in English must be written in capitals
_PROSE = re.compile(r"^[a-z0-9][a-z0-9 .'\-+]*$")
_ATTRIBUTES = ("C23.550.291",)  # disease attributes: acute, chronic, progression, recurrence
_TOO_GENERAL = {"C23.888", "C23.550", "C23"}
_SIGNS = "C23.888"  # MeSH: signs and symptoms
# HPO subtrees that are not findings: modes of inheritance, clinical modifiers (onset,
# severity), frequencies, clinical course, blood group, health status ("affected").
_HPO_NOT_FINDINGS = (
    "HP:0000005", "HP:0012823", "HP:0040279", "HP:0031797", "HP:0032223", "HP:0011008",
    "HP:0032319",
)  # fmt: skip
RARE_SYNONYM = 3.0  # zipf under which a one-word synonym is a name, not a modifier


@dataclass
class TermIndex:
    """Concepts by number, and every normal-form name -> the concepts it names."""

    build: str
    ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    broader: list[tuple[int, ...]] = field(default_factory=list)
    variants: dict[str, tuple[int, ...]] = field(default_factory=dict)
    capitals: set[str] = field(default_factory=set)  # names matched only in capitals
    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    same: dict[int, int] = field(default_factory=dict)  # concept -> the one it is the same as
    symptoms: set[int] = field(default_factory=set)  # signs and symptoms, no diseases
    _by_id: dict[str, int] = field(default_factory=dict)

    def concept(self, concept_id: str, kind: str, name: str, source: str) -> int:
        """The number of a concept, added when new."""
        known = self.find(concept_id)
        if known is not None:
            return known
        number = len(self.ids)
        self._by_id[concept_id] = number
        self.ids.append(concept_id)
        self.kinds.append(kind)
        self.names.append(name)
        self.sources.append(source)
        self.broader.append(())
        return number

    def find(self, concept_id: str) -> int | None:
        """The number of a concept by its id, or None."""
        if len(self._by_id) != len(self.ids):  # unpickled from the cache: index it again
            self._by_id = {c: i for i, c in enumerate(self.ids)}
        return self._by_id.get(concept_id)

    def widen(self, number: int, broader: Iterable[int]) -> None:
        """Concept ``number`` is also a kind of each of ``broader`` (each once, in order)."""
        self.broader[number] = tuple(dict.fromkeys((*self.broader[number], *broader)))

    def add(self, name: str, number: int, *, capitals: bool = False) -> None:
        """``name`` (any spelling) names concept ``number``."""
        key = phrase(name)
        if not key or len(key.split()) > MAX_WORDS:
            return
        keys = [key]
        parts = key.split()
        if len(parts) == 2 and all(p.isalpha() for p in parts):  # "breast feeding"
            keys.append("".join(parts))
        for name in keys:
            known = self.variants.get(name, ())
            if number not in known:
                self.variants[name] = (*known, number)
            # A name is matched only in capitals when every dataset that gives it asks so:
            # "acne" is MeSH's entry term but HPO's own name, so it is a name in any case. A
            # name already known and not in capitals was given as a plain word before.
            if not capitals:
                self.capitals.discard(name)
            elif not known:
                self.capitals.add(name)

    def lookup(self, name: str) -> tuple[int, ...]:
        return self.variants.get(phrase(name), ())


def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _distinctive(words: Iterable[str]) -> bool:
    """Whether a name has a word that is no everyday English (a name, not a phrase)."""
    return any(len(w) >= 4 and w.isalpha() and _zipf(w) < EVERYDAY for w in words)


def _short_common(variant: str) -> bool:
    return (
        len(variant) <= 5
        and variant.isalpha()
        and (_zipf(variant) >= CAPITALS_ONLY or len(variant) <= 3)
    )


def add_drugs(index: TermIndex) -> None:
    """Drugs by every name; a drug with narrower drugs in its MeSH tree is a class
    (cephalosporins), a chemical that is no medicine and no class is a substance
    (endorphins): named, but never what decides whether a question is answered."""
    by_tree: dict[str, int] = {}
    medicine: dict[int, bool] = {}
    trees: dict[int, tuple[str, ...]] = {}
    salted: list[tuple[list[str], int]] = []
    for variant, drug in datasets.drug_names():
        low = variant.lower()
        if not _PROSE.match(low):
            continue
        words = phrase(low).split()
        own = low == drug.name.lower()
        if not (_distinctive(words) or (own and len(words) == 1 and _zipf(low) < EVERYDAY)):
            continue
        number = index.concept(f"drug:{drug.name.lower()}", "drug", drug.name, "drugs")
        medicine[number] = medicine.get(number, False) or drug.medicine
        trees[number] = drug.trees or trees.get(number, ())
        index.add(low, number, capitals=not own and _short_common(low))
        salted.append((words, number))
        for tree in drug.trees:
            by_tree.setdefault(tree, number)
    _add_salt_bases(index, salted)
    add_ancestors(index, by_tree)
    parents = {p for n, is_medicine in medicine.items() if is_medicine for p in index.broader[n]}
    for number, is_medicine in medicine.items():
        if is_medicine and not (number in parents and plural(index.names[number])):
            continue  # a medicine under another (naltrexone, naloxone) stays a drug
        if number in parents:  # "biguanides" (a medicine too) is metformin's class
            index.kinds[number] = "class"
        elif trees.get(number) and all(t.startswith(NO_MEDICINE_TREES) for t in trees[number]):
            index.kinds[number] = "substance"
    for number in medicine:  # a drug's broader concepts are its classes, not its relatives
        index.broader[number] = tuple(b for b in index.broader[number] if index.kinds[b] == "class")
    _merge_salts(index)


_DRUGS = ("drug", "class")


def _add_salt_bases(index: TermIndex, names: list[tuple[list[str], int]]) -> None:
    """A drug named only with its salt ("adrenaline acid tartrate") is named by its base too
    ("adrenaline"): the dataset lists the UK base name only in its salts' names."""
    for words, number in names:
        if len(words) < 2 or words[0] in CATIONS or index.lookup(words[0]):
            continue
        rest = words[1:]
        if not all(w in SALTS or w == "acid" for w in rest) or rest == ["acid"]:
            continue
        if _distinctive(words[:1]):
            index.add(words[0], number)


def _merge_salts(index: TermIndex) -> None:
    for number, concept_id in enumerate(index.ids):
        name = concept_id.removeprefix("drug:")
        words = name.split()
        for cut in range(len(words) - 1, 0, -1):
            base, rest = " ".join(words[:cut]), words[cut:]
            if base in CATIONS or not all(w in SALTS or w.isdigit() for w in rest):
                continue
            found = [n for n in index.lookup(base) if index.kinds[n] in _DRUGS and n != number]
            if found:
                index.same[number] = found[0]
                break
        _merge_acid(index, number, words)


def _merge_acid(index: TermIndex, number: int, words: list[str]) -> None:
    """An acid is the drug its anion names: "alendronic acid" is alendronate, "valproic
    acid" valproate."""
    if number in index.same or len(words) != 2 or words[1] != "acid" or not words[0].endswith("ic"):
        return
    anion = words[0][:-2] + "ate"
    found = [n for n in index.lookup(anion) if index.kinds[n] in _DRUGS and n != number]
    if found and index.kinds[number] in _DRUGS:
        index.same[number] = found[0]


_NOUN_ENDING = re.compile(r"(?<=[a-z]{4})(?:a|ae)mia$|(?<=[a-z]{4})(?:ia)$")


def _adjective(name: str) -> str | None:
    """The adjective of a one-word condition name ending in -ia ("hypoxia" -> "hypoxic",
    "hypercapnia" -> "hypercapnic", "anaemia" -> "anaemic"): prose says "hypoxic
    respiratory failure" as often as "hypoxia"."""
    if " " in name or not name.endswith("ia"):
        return None
    return name[:-2] + "ic"


def _condition_ok(trees: tuple[str, ...]) -> bool:
    if not any(t.startswith("C") or t.startswith("F03") for t in trees):
        return False
    return not all(t.startswith(_ATTRIBUTES) or t in _TOO_GENERAL for t in trees)


def _modifier_left_alone(low: str, own: bool) -> bool:
    """An everyday past participle left alone by an inverted heading ("combined" of
    "Carboxylase Deficiency, Combined") qualifies a name; it never names a condition."""
    return " " not in low and not own and low.endswith("ed") and _zipf(low) >= EVERYDAY


def add_conditions(index: TermIndex) -> dict[str, int]:
    """MeSH disease descriptors; returns tree number -> concept number (for ancestors)."""
    by_tree: dict[str, int] = {}
    for variant, descriptor in datasets.condition_names():
        if not _condition_ok(descriptor.trees):
            continue
        low = variant.lower()
        if not _PROSE.match(low):
            continue
        own = phrase(low) == phrase(descriptor.name)
        if " " not in low and _zipf(low) >= COMMON_CONDITION:
            continue
        if _modifier_left_alone(low, own):
            continue
        number = index.concept(
            f"condition:{descriptor.name.lower()}", "condition", descriptor.name, "mesh"
        )
        index.add(low, number, capitals=not own and _short_common(low))
        if all(t.startswith(_SIGNS) for t in descriptor.trees):
            index.symptoms.add(number)
        adjective = _adjective(low)
        if adjective:
            index.add(adjective, number)
        for tree in descriptor.trees:
            by_tree.setdefault(tree, number)
    return by_tree


def add_ancestors(index: TermIndex, by_tree: dict[str, int]) -> None:
    """Each concept's broader concepts: up to two levels above it in a MeSH tree, never a
    whole branch ("Infections")."""
    for tree, number in by_tree.items():
        parts = tree.split(".")
        above = [".".join(parts[:n]) for n in range(max(2, len(parts) - 2), len(parts))]
        parents = tuple(by_tree[t] for t in above if t in by_tree and by_tree[t] != number)
        index.widen(number, parents)


# Words that say how a condition runs, not which it is: "recurrent genital herpes" is genital
# herpes (HPO files it apart from MeSH's, with no link between them).
_COURSE = ("recurrent", "chronic", "acute", "persistent", "severe", "mild", "moderate",
           "early", "late", "primary", "secondary", "uncomplicated", "complicated")  # fmt: skip


def add_course_parents(index: TermIndex) -> None:
    """A condition named by a course word and another condition's name ("recurrent genital
    herpes") has that condition as a broader one."""
    for number, kind in enumerate(index.kinds):
        if kind != "condition":
            continue
        words = index.names[number].lower().split()
        if len(words) < 2 or words[0] not in _COURSE:
            continue
        rest = [n for n in index.lookup(" ".join(words[1:])) if index.kinds[n] == "condition"]
        parents = [n for n in rest if n != number]
        index.widen(number, parents)


def _hpo_excluded(terms: list[datasets.Phenotype]) -> set[str]:
    children: dict[str, list[str]] = {}
    for term in terms:
        for parent in term.parents:
            children.setdefault(parent, []).append(term.hp_id)
    excluded: set[str] = set()
    stack = list(_HPO_NOT_FINDINGS)
    while stack:
        hp_id = stack.pop()
        if hp_id not in excluded:
            excluded.add(hp_id)
            stack.extend(children.get(hp_id, ()))
    return excluded


def add_phenotypes(index: TermIndex) -> None:
    terms = [t for t in datasets.phenotypes() if t.hp_id and not t.obsolete]
    excluded = _hpo_excluded(terms)
    numbers: dict[str, int] = {}
    own_terms: set[str] = set()
    for term in terms:
        if term.hp_id in excluded or term.name.lower().startswith("abnormal"):
            continue
        names = [term.name, *term.synonyms]
        names = [n for n in names if not (" " not in n and _zipf(n.lower()) >= COMMON_CONDITION)]
        if not names:
            continue
        known = [n for name in names for n in index.lookup(name) if index.kinds[n] == "condition"]
        number = (
            known[0]
            if known
            else index.concept(f"condition:{term.name.lower()}", "condition", term.name, "hpo")
        )
        if not known:  # a phenotype of HPO's own is a finding, not a disease
            index.symptoms.add(number)
            if index.sources[number] == "hpo":
                own_terms.add(term.hp_id)
        numbers[term.hp_id] = number
        for name in names:
            low = name.lower()
            own = low == term.name.lower()
            # Everyday one-word names go, the term's own too (HPO's root is "All"); a one-word
            # synonym must be a name ("pyrexia"), not a modifier ("recurrent").
            single = " " not in low
            if not _PROSE.match(low) or (single and _zipf(low) >= COMMON_CONDITION):
                continue
            if number in index.lookup(low):
                # MeSH and HPO both name this concept by the word ("hives"): a name in any case
                index.add(low, number)
                continue
            if single and not own and _zipf(low) >= RARE_SYNONYM:
                continue
            index.add(low, number, capitals=not own and _short_common(low))
    _widen_by_parents(index, [t for t in terms if t.hp_id in own_terms], numbers)


def _widen_by_parents(
    index: TermIndex, terms: list[datasets.Phenotype], numbers: dict[str, int]
) -> None:
    """Each phenotype of HPO's own is a kind of its HPO parents ("Impotence" is a kind of
    "Erectile dysfunction"), where both are read: one step, as HPO states it. A term merged
    into a disease another dataset names keeps that disease's place."""
    for term in terms:
        number = numbers[term.hp_id]
        parents = [numbers[p] for p in term.parents if p in numbers and numbers[p] != number]
        if parents:
            index.widen(number, parents)


def add_abbreviations(index: TermIndex) -> None:
    index.abbreviations = {k: tuple(v) for k, v in datasets.abbreviations().items()}


def resolve(index: TermIndex, term: str) -> list[int]:
    """The drugs, conditions, terms, classes and substances ``term`` names."""
    kinds = ("drug", "condition", "term", "class", "substance")
    return [n for n in index.lookup(term) if index.kinds[n] in kinds]


def _hand(index: TermIndex, kind: str, name: str) -> int:
    return index.concept(f"{kind}:{name.lower()}", kind, name, "hand")


def add_hand(index: TermIndex, hand: HandLexicon) -> dict[int, int]:
    """The hand lexicon's synonyms, classes, populations and aspects. Returns the merges
    (concept number -> the number it is the same as) its synonym groups imply."""
    same: dict[int, int] = {}
    for group in hand.synonyms:
        known = [n for term in group for n in resolve(index, term)]
        number = (
            known[0]
            if known
            else index.concept(f"term:{group[0].lower()}", "term", group[0], "hand")
        )
        for other in known[1:]:
            if other != number:
                same[other] = number
        for term in group:
            index.add(term, number, capitals=term.isupper() and len(term) <= 6)
    for klass, members in hand.classes.items():
        known = resolve(index, klass)
        cls = known[0] if known else _hand(index, "class", klass)
        index.kinds[cls] = "class"
        index.add(klass, cls)
        for member in members:
            found = resolve(index, member)
            number = (
                found[0]
                if found
                else index.concept(f"drug:{member.lower()}", "drug", member, "hand")
            )
            index.add(member, number)
            index.widen(number, [cls])
    for population in hand.populations:
        number = index.concept(
            f"population:{population.name}", "population", population.name, "hand"
        )
        for term in population.terms:
            index.add(term, number, capitals=term.isupper() and len(term) <= 6)
    for group in hand.aspects:
        number = _hand(index, "aspect", group[0])
        for term in group:
            index.add(term, number, capitals=term.isupper() and len(term) <= 6)
    return same


_ADJECTIVE_ENDINGS = (
    "al", "ic", "ous", "ary", "ive", "ile", "ar", "ed", "ing", "oid", "ent", "ant",
)  # fmt: skip
_HEADED = frozenset(
    {"infection", "infections", "disease", "diseases", "syndrome", "disorder", "infestation"}
)
HEAD_NAME = 3.5  # zipf under which the first word of "X disease" names it alone


def add_head_names(index: TermIndex) -> None:
    """A condition named "X infection" or "X disease" is also named "X" when X is no
    everyday word and names nothing else ("tapeworm", "Kawasaki", "Lyme")."""
    heads: dict[str, set[int]] = {}
    for name, numbers in index.variants.items():
        words = name.split()
        if len(words) == 2 and words[1] in _HEADED and words[0].isalpha() and len(words[0]) >= 4:
            conditions = {n for n in numbers if index.kinds[n] == "condition"}
            if conditions:
                heads.setdefault(words[0], set()).update(conditions)
    for head, named in heads.items():
        # "intestinal diseases" is no "intestinal": an adjective names nothing alone
        alone = len(named) == 1 and not head.endswith(_ADJECTIVE_ENDINGS)
        if alone and head not in index.variants and _zipf(head) < HEAD_NAME:
            index.add(head, next(iter(named)))


def build_datasets() -> TermIndex:
    """The index of the maintained datasets alone (what the cache keeps)."""
    index = TermIndex(BUILD)
    add_drugs(index)
    by_tree = add_conditions(index)
    add_ancestors(index, by_tree)
    add_phenotypes(index)
    add_course_parents(index)
    add_head_names(index)
    add_abbreviations(index)
    return index
