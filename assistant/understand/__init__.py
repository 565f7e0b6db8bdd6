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

Modules: :mod:`~assistant.understand.understanding` (what a message is understood as),
:mod:`~assistant.understand.understander` (how: terminology, typos, concepts),
:mod:`~assistant.understand.message` (the message as a whole: asked or stated, another language,
an instruction to ignore the rules), :mod:`~assistant.understand.background` (what a sentence
says of the patient's medicines and history rather than asks).
"""

from assistant.understand.message import is_foreign, zipf
from assistant.understand.understander import GENERIC_WORDS, Understander
from assistant.understand.understanding import (
    Concept,
    ConceptKind,
    MessageKind,
    Question,
    Understanding,
)

__all__ = [
    "GENERIC_WORDS",
    "Concept",
    "ConceptKind",
    "MessageKind",
    "Question",
    "Understander",
    "Understanding",
    "is_foreign",
    "zipf",
]
