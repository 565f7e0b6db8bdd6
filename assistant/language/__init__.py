"""The clinical-language layer: the one home of how Followup reads text.

Every stage that reads words goes through this package instead of keeping regexes of its own:

- :mod:`~assistant.language.tokens`: words, stopwords, stems, British/American spellings;
- :mod:`~assistant.language.sentences`: sentences and clauses with character spans
  (clinical abbreviations such as "max." or "e.g." do not end a sentence), passage markup;
- :mod:`~assistant.language.markers`: the citation-marker grammar (``[1]``, ``[2, 3]``,
  ``[1-3]``): parse, renumber, move; the web UI's JavaScript is generated from the same
  definition;
- :mod:`~assistant.language.quantities`: doses, units, ranges, per-kg doses, frequencies and
  bounds as values ("1 g" is "1000 mg", "once a day" is "every 24 hours");
- :mod:`~assistant.language.ages`: age bands a passage gives and ages a message states, in
  years (a duration is no age);
- :mod:`~assistant.language.negation`: negation cues and what they reach;
- :mod:`~assistant.language.terminology`: drugs, conditions, populations and abbreviations
  from maintained datasets shipped in packages, the corpus's own words and a short hand
  lexicon for what no dataset has.
"""
