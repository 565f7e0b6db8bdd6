"""Question understanding, before retrieval: what the clinician asked, in the corpus's words.

- typos are matched to the approved corpus's vocabulary by edit distance (rapidfuzz) and the
  correction is kept so channels can show it ("naltrexon" -> "naltrexone");
- abbreviations, brand and generic names and lay terms are expanded from the clinical lexicon
  and the aliases articles declare, so "Miralax" searches as polyethylene glycol;
- the message is split into its questions and its context sentences; the concepts each
  question turns on (drugs, conditions, populations, doses) are listed for the coverage check;
- messages that are not a usable question (a bare abbreviation, another language, context
  with no question, only an instruction to ignore the rules) are recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from assistant.lexicon import Lexicon
from assistant.text import STOPWORDS, spelling_variants

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_NUMBER_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)\s*(mg|g|mcg|µg|ml|mL|kg|mmol|units?)\b", re.I)
_AGE = re.compile(r"\b(\d{1,2})\s*(?:-?\s*(?:year|yr)s?[\s-]*old|\s*y/?o\b|\s*yrs?\b)", re.I)
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
# to give ...", "ward pharmacist"): never a concept of their own.
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
    r"started on)\s+[\w-]+(?:\s+\d+(?:\.\d+)?\s*(?:mg|mcg|g)\b)?(?:\s+\w+ly)?\s+for\s+"
    r"(?P<why>(?:(?:her|his|their|a|an|the|its)\s+)?[\w-]+(?:\s+(?!and\b|but\b|ok\b|also\b)"
    r"[a-z][\w-]+)?)",
    re.I,
)
# "dose for ...", "does it work for ...": what follows names the indication asked about.
_INDICATION = re.compile(
    r"\b(?:dose|doses|dosing|dosage|regimen|treatment|treat|work|works|help|helps|used|use|"
    r"effective|indicated|given|give|prescribed?|recommended)\b(?:\s+[\w-]+){0,2}?\s+for\s+"
    r"(?P<what>[^?.,;!]{3,60}?)(?=\s*(?:[?.,;!]|$|\s-\s|\s(?:in|with|during|while|if|when|"
    r"after|before|at)\s))",
    re.I,
)
# Words that grade an indication rather than name it ("acute", "early"): never its subject.
_GRADES = frozenset(
    """acute chronic severe mild moderate early late recurrent uncomplicated complicated simple
    bad worse flare flares symptoms symptom pain relief management her his him them they she
    this that these those one ones people someone""".split()  # noqa: SIM905
)
COMMON_ZIPF = 3.2  # at or above this (general English), a word is everyday, not a term
MIN_TYPO_LENGTH = 5
FOREIGN_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl")


class MessageKind(StrEnum):
    QUESTION = "question"
    TERM_ONLY = "term_only"  # a bare abbreviation or term: ask what the question is
    CONTEXT_ONLY = "context_only"  # clinical context but nothing asked
    FOREIGN = "foreign"  # not English: the approved sources and checks are English
    INJECTION_ONLY = "injection_only"  # nothing left once the instruction to ignore rules goes


class ConceptKind(StrEnum):
    TERM = "term"  # a drug, condition or clinical term from the lexicon
    UNKNOWN = "unknown"  # a specific word that occurs in no approved passage
    RARE = "rare"  # a specific word the corpus has, but maybe not the passages found
    INDICATION = "indication"  # what a drug is asked for ("for long covid"): all its words
    QUALIFIER = "qualifier"
    NUMBER = "number"


@dataclass(frozen=True)
class Concept:
    """Something a question turns on, and every form a passage may name it by."""

    label: str  # how it is named to the user ("low-dose naltrexone", "pregnancy")
    kind: ConceptKind
    forms: tuple[str, ...]
    essential: bool = True  # an uncovered essential concept means the question is not answered
    # The class it belongs to: a passage about opioid analgesics speaks to oxycodone's
    # interactions, not to its dose.
    broader: tuple[str, ...] = ()

    @property
    def is_subject(self) -> bool:
        """A drug or condition (not a population, a dose or a passing word)."""
        return self.kind in (ConceptKind.TERM, ConceptKind.UNKNOWN, ConceptKind.INDICATION)


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
    context: tuple[Concept, ...] = ()  # qualifiers stated outside the questions
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
        """Whether a question of the message names a drug, condition or indication."""
        return any(c.is_subject for q in self.questions for c in q.concepts)

    @property
    def correction_notes(self) -> list[str]:
        """Corrections as shown to the user: "naltrexon → naltrexone"."""
        return [f"{a} → {b}" for a, b in self.corrections]

    def map(self, text: str) -> str:
        """``text`` (e.g. the condensed question) with this message's corrections and synonyms."""
        for wrong, right in self.corrections:
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
        extra = [b for a, b in self.expansions if b.lower() not in text.lower()]
        return f"{text} ({'; '.join(dict.fromkeys(extra))})" if extra else text


@lru_cache(maxsize=20000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


class Understander:
    """Understands messages against one corpus vocabulary and lexicon. Build once per index."""

    def __init__(self, vocabulary: Iterable[str], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.vocabulary = frozenset(w.lower() for w in vocabulary) | lexicon.words()
        self._choices = sorted(w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH - 1)

    def knows(self, word: str) -> bool:
        lowered = word.lower()
        if lowered in self.vocabulary or lowered.rstrip("s") in self.vocabulary:
            return True
        return any(v in self.vocabulary for v in spelling_variants(lowered))

    def correct(self, word: str) -> str | None:
        """The corpus word ``word`` is a typo of, or None when it is no typo."""
        if len(word) < MIN_TYPO_LENGTH or self.knows(word) or zipf(word.lower()) >= COMMON_ZIPF:
            return None
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(
            word.lower(), self._choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=5
        )
        # Same first letter first (typos rarely hit it), then the smallest distance.
        ranked = sorted(found, key=lambda f: (f[0][0] != word[0].lower(), f[1], -len(f[0])))
        return ranked[0][0] if ranked else None

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
        sentences = [s.strip() for s in _SENTENCE.split(kept) if s.strip()]
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
        pairs = []
        for entry, _, _ in self.lexicon.find(text):
            for form in (*entry.forms, *entry.broader):
                if form.lower() != entry.term.lower() and self._in_corpus(form):
                    pairs.append((entry.term, form))
        return tuple(dict.fromkeys(pairs))[:12]

    def _in_corpus(self, term: str) -> bool:
        words = re.findall(r"[A-Za-z][A-Za-z0-9]+", term)
        return bool(words) and all(w.lower() in self.vocabulary for w in words)

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
        """The drugs, conditions, populations and doses ``sentence`` turns on."""
        found: list[Concept] = []
        taken = [False] * len(sentence)
        for history in _HISTORY.finditer(sentence):
            taken[history.start("why") : history.end("why")] = [True] * len(history.group("why"))
        for entry, start, end in self.lexicon.find(sentence):
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            kind = ConceptKind.RARE if entry.aspect else ConceptKind.TERM
            found.append(
                Concept(entry.preferred, kind, entry.forms, not entry.aspect, entry.broader)
            )
        qualifiers = self._qualifiers(sentence)
        for concept in qualifiers:  # a qualifier's words are not terms of their own
            for form in concept.forms:
                for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", sentence, re.I):
                    taken[match.start() : match.end()] = [True] * (match.end() - match.start())
        rest = "".join(" " if t else ch for ch, t in zip(sentence, taken, strict=True))
        found.extend(qualifiers)
        found.extend(self._indications(rest, taken))
        found.extend(self._specific_words(rest))
        found.extend(_numbers(sentence))
        return list({c.label.lower(): c for c in found}.values())

    def _qualifiers(self, sentence: str) -> list[Concept]:
        # "a rash with amoxicillin as a kid" is the patient's history, not a population.
        sentence = _PAST.sub(" ", sentence)
        found = []
        for qualifier in self.lexicon.qualifiers:
            pattern = "|".join(re.escape(t) for t in qualifier.terms)
            if re.search(rf"(?<![\w-])(?:{pattern})(?![\w-])", sentence, re.I):
                found.append(Concept(qualifier.name, ConceptKind.QUALIFIER, qualifier.terms,
                                     qualifier.essential))  # fmt: skip
        age = _AGE.search(sentence)
        child = next((q for q in self.lexicon.qualifiers if q.name == "children"), None)
        if age and int(age.group(1)) < 16 and child and all(c.label != child.name for c in found):
            found.append(Concept(child.name, ConceptKind.QUALIFIER, child.terms, child.essential))
        return found

    def _indications(self, rest: str, taken: list[bool]) -> list[Concept]:
        """What a drug is asked for, when no lexicon term names it ("LDN dose for long
        covid"): every word of it must be in one passage. ``rest``: the sentence with lexicon
        terms and qualifiers blanked out (``taken``); beside such a term, the words the
        corpus knows only qualify it ("intestinal Ascaris")."""
        found = []
        for match in _INDICATION.finditer(rest):
            what = match.group("what")
            words = [w for w in _TOKEN.findall(what) if _names_indication(w)]
            start, end = match.span("what")
            beside_term = any(taken[max(0, start - 2) : end + 2])
            forms = [w.lower() for w in words if not (beside_term and self.knows(w))]
            if forms:
                found.append(Concept(" ".join(words), ConceptKind.INDICATION, tuple(forms)))
        return found

    def _specific_words(self, text: str) -> list[Concept]:
        found = []
        for word in _TOKEN.findall(text):
            lowered = word.lower().strip("'")
            if len(lowered) < 4 or lowered in STOPWORDS or lowered in GENERIC_WORDS:
                continue
            if zipf(lowered) >= COMMON_ZIPF:
                continue
            forms = (lowered, *spelling_variants(lowered))
            if lowered.startswith("non-") and self.knows(lowered[4:]):
                continue  # "non-CRC": a group set apart from a known term, not a subject
            # An abbreviation the lexicon does not know is too ambiguous to decline on.
            if self.knows(lowered) or word.isupper():
                found.append(Concept(lowered, ConceptKind.RARE, forms, essential=False))
            else:
                found.append(Concept(word, ConceptKind.UNKNOWN, forms))
        return found


def _names_indication(word: str) -> bool:
    lowered = word.lower()
    return len(lowered) > 2 and not (
        lowered in STOPWORDS or lowered in GENERIC_WORDS or lowered in _GRADES
    )


def _numbers(sentence: str) -> list[Concept]:
    return [
        Concept(f"{m.group(1)} {m.group(2)}", ConceptKind.NUMBER, (m.group(1),), essential=False)
        for m in _NUMBER_UNIT.finditer(sentence)
        if m.group(2).lower() != "kg"
    ]


def _without_injection(text: str) -> tuple[str, bool]:
    """``text`` without its sentences that tell the assistant to drop its rules."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
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
