"""Does the supporting sentence say what the answer sentence says? Checks on meaning, in code,
one module per thing compared: :mod:`~assistant.meaning.sentence` puts them together;
:mod:`~assistant.meaning.values` (numbers, doses, frequencies, bounds),
:mod:`~assistant.meaning.ages`, :mod:`~assistant.meaning.entities` (what is named),
:mod:`~assistant.meaning.advice` (for or against), :mod:`~assistant.meaning.clauses` (which clause
says what: polarity, attachment, order); their word lists in :mod:`~assistant.meaning.lexicon`.
"""

from assistant.meaning.sentence import contradiction, meaning_problem

__all__ = ["contradiction", "meaning_problem"]
