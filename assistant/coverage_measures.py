"""Coverage of the quantity a question asks for: "how long after stopping acitretin?" is not
covered by passages that name acitretin but give no duration for it.

A question that asks for a dose, a duration or a frequency (assistant.language.measures) about
a drug is covered only when a sentence about that drug states a quantity of that kind: a
sentence naming the drug, or any sentence of a passage whose title names it (an SmPC's
sentences rarely repeat the drug's name). "How many" is not checked: any number answers it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.language.measures import DOSE, DURATION, FREQUENCY, asked_measures, stated_measures
from assistant.language.sentences import split_sentences

CHECKED = (DOSE, DURATION, FREQUENCY)
_PHRASES = {
    DOSE: "the dose of {}",
    DURATION: "how long {} takes or lasts",
    FREQUENCY: "how often {} is given",
}

Names = Callable[[str], bool]  # whether a text names the drug asked about


def measure_missing(question: str, drug: str, passages: Sequence[str], names: Names) -> str | None:
    """What the passages do not state of the quantity ``question`` asks about ``drug``
    ("how long acitretin takes or lasts"), or None when they state it or none is asked."""
    asked = [m for m in CHECKED if m in asked_measures(question)]
    if not asked:
        return None
    stated: set[str] = set()
    for passage in passages:
        if not names(passage):
            continue
        sentences = split_sentences(passage)
        about = bool(sentences) and names(sentences[0])  # the title line names the drug
        for sentence in sentences:
            if about or names(sentence):
                stated |= stated_measures(sentence)
    if any(m in stated for m in asked):
        return None
    return _PHRASES[asked[0]].format(drug)
