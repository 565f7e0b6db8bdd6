"""Plain language for patients and carers (audience ``patient``) when no model writes.

The approved sources are written for clinicians; a quoted answer stays verbatim (every number
sits in the sentence that states it), so plain language here means three things, none of them
invented:

- the plainest supporting sentences are preferred (:func:`plainness`: short sentences of
  everyday words, by wordfreq);
- clinical terms are glossed from the terminology datasets, once each: an abbreviation with what
  it stands for ("CRPS (complex regional pain syndrome)"), a sign or condition with its layperson
  name in the Human Phenotype Ontology ("bradycardia (slow heart rate)"); a term no dataset
  gives a lay name is left as it is;
- a sentence stating a dose is introduced by the versioned "your clinician will decide" framing
  (``patient_dose.vN.txt``), added by the pipeline after verification.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.errors import ConfigError
from assistant.language import markers, quantities
from assistant.language.sentences import answer_sentences
from assistant.language.terminology import Concept, Mention, Terminology, looks_like_abbreviation
from assistant.language.terminology.datasets import PHENOTYPES, package_file
from assistant.language.terminology.normal import phrase
from assistant.language.tokens import tokens

EVERYDAY_ZIPF = 6.0  # a word this frequent (wordfreq, English) is as plain as words get
SHORT_SENTENCE = 12  # words; longer sentences are harder to read, by degrees
LONG_SENTENCE = 42
GLOSSED_KINDS = frozenset({"condition", "term", "class"})
_LAY_SYNONYM = re.compile(r'^synonym: "(?P<text>[^"]+)" EXACT layperson')


def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def plainness(sentence: str) -> float:
    """0 to 1: how plain a sentence reads (everyday words, short)."""
    words = [t.lower for t in tokens(markers.strip(sentence)) if t.text[0].isalpha()]
    if not words:
        return 0.0
    everyday = sum(min(_zipf(w), EVERYDAY_ZIPF) for w in words) / (EVERYDAY_ZIPF * len(words))
    length = min(1.0, max(0.0, (LONG_SENTENCE - len(words)) / (LONG_SENTENCE - SHORT_SENTENCE)))
    return 0.7 * everyday + 0.3 * length


@lru_cache(maxsize=1)
def lay_names() -> dict[str, str]:
    """Human Phenotype Ontology: every name and exact synonym of a term (normal form) -> the
    term's first layperson synonym, for the terms that have one."""
    path = package_file(*PHENOTYPES)
    found: dict[str, str] = {}
    names: list[str] = []
    lay: str | None = None
    try:
        with path.open(encoding="utf-8") as handle:
            for raw in handle:
                line = raw.rstrip("\n")
                if line.startswith("["):
                    _keep(found, names, lay)
                    names, lay = [], None
                elif line.startswith("name: "):
                    names.append(line[6:])
                elif (match := _LAY_SYNONYM.match(line)) is not None:
                    lay = lay or match.group("text")
                elif line.startswith('synonym: "') and " EXACT" in line:
                    names.append(line[10:].partition('"')[0])
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"terminology dataset {path} cannot be read: {exc}") from exc
    _keep(found, names, lay)
    return found


def _keep(found: dict[str, str], names: list[str], lay: str | None) -> None:
    if lay:
        for name in names:
            found.setdefault(phrase(name), lay.lower())


class Glossary:
    """Glosses the clinical terms of an answer, each once, from the terminology's datasets."""

    def __init__(self, terminology: Terminology) -> None:
        self._terminology = terminology

    def plain_name(self, mention: Mention) -> str | None:
        """What a mention means in plain words, or None when no dataset says."""
        concept = mention.concept
        if looks_like_abbreviation(mention.text) and concept.is_subject:
            spelled = concept.name if not looks_like_abbreviation(concept.name) else None
            if spelled and phrase(spelled) != phrase(mention.text):
                return self._singular(_display(spelled), concept)
        if concept.kind not in GLOSSED_KINDS:
            return None
        table = lay_names()
        for name in (mention.text, concept.name, *self._terminology.forms(concept)):
            lay = table.get(phrase(name))
            if lay and phrase(lay) not in phrase(mention.text):
                return lay
        return None

    def _singular(self, name: str, concept: Concept) -> str:
        """A heading's plural ("complex regional pain syndromes", as MeSH names it) in the
        singular, when the datasets also give that name."""
        if name.endswith("s") and phrase(name[:-1]) in self._terminology.forms(concept):
            return name[:-1]
        return name

    def gloss(self, sentences: list[str]) -> list[str]:
        """``sentences`` with the first mention of each glossable concept followed by its
        plain name in brackets ("CRPS (complex regional pain syndrome)")."""
        done: set[str] = set()
        glossed = []
        for sentence in sentences:
            pieces, last = [], 0
            for mention in self._terminology.scan(sentence):
                key = mention.concept.id
                plain = None if key in done else self.plain_name(mention)
                if plain is None or _explained(sentence, mention, plain):
                    continue
                done.add(key)
                pieces += [sentence[last : mention.end], f" ({plain})"]
                last = mention.end
            glossed.append("".join(pieces) + sentence[last:])
        return glossed


def _explained(sentence: str, mention: Mention, plain: str) -> bool:
    """Whether the sentence already explains the term: brackets right after it, the term in
    brackets itself ("high-flow nasal cannula (HFNC)"), or the plain name said elsewhere."""
    after = sentence[mention.end : mention.end + 2]
    inside = sentence[: mention.start].rstrip().endswith("(")
    return after.startswith((" (", "(")) or inside or phrase(plain) in phrase(sentence)


def _display(name: str) -> str:
    head, _, tail = name.partition(", ")
    shown = f"{tail} {head}" if tail and "," not in tail else name
    return shown if any(w.isupper() and len(w) > 1 for w in shown.split()) else shown.lower()


def states_dose(sentence: str) -> bool:
    """Whether a sentence states a dose (an amount of a medicine: mg, mL, units, g)."""
    return any(
        q.dimension in quantities.DOSE_DIMENSIONS and q.unit != "kg"
        for q in quantities.values(markers.strip(sentence))
    )


def framed_doses(text: str, framing: str) -> str:
    """A patient answer with ``framing`` ("your clinician will decide ...") put before its
    first sentence that states a dose; unchanged when none does."""
    if not framing:
        return text
    for sentence in answer_sentences(text):
        if states_dose(sentence) and sentence in text:
            at = text.index(sentence)
            return f"{text[:at]}{framing} {text[at:]}"
    return text
