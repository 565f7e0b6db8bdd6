"""Drug classes read from a drug's International Nonproprietary Name: its WHO INN stem.

The drug dataset gives each drug's chemical tree, not its pharmacological class, so a corpus
that speaks of "an ACE inhibitor" did not answer a question about ramipril, nor "alpha-blockers"
one about doxazosin. WHO builds every INN on a stem that names its class ("-pril", "-sartan",
"-olol"); the table of stems (package data, ``assistant/data/terminology/inn_stems.vN.yaml``)
gives each drug whose name carries one the class it names, the way the hand lexicon's
``classes`` give their members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.config import PACKAGE_DATA
from assistant.errors import ConfigError
from assistant.language.grammar import load_entries
from assistant.language.terminology.build import TermIndex, resolve

STEMS = PACKAGE_DATA / "terminology"
MIN_ROOT = 2  # letters a name has before (after) its stem: "heparin" is no "-parin"


@dataclass(frozen=True)
class Stem:
    """A class and the stems that name its members."""

    klass: str
    names: tuple[str, ...] = ()
    endings: tuple[str, ...] = ()
    beginnings: tuple[str, ...] = ()


def _words(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip().lower() if key != "names" else v.strip() for v in value)


@lru_cache(maxsize=4)
def load_stems(folder: Path = STEMS, version: int = 1) -> tuple[Stem, ...]:
    """The stems table, checked when read: a bad entry is a ConfigError naming it."""
    path = folder / f"inn_stems.v{version}.yaml"
    entries = load_entries(path, "stems")
    found = []
    for i, entry in enumerate(entries, start=1):
        where = f"{path} entry {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
            raise ConfigError(f"{where}: needs a class and endings or beginnings")
        stem = Stem(
            entry["class"].strip(),
            _words(entry, "names", where),
            _words(entry, "endings", where),
            _words(entry, "beginnings", where),
        )
        if not stem.endings and not stem.beginnings:
            raise ConfigError(f"{where}: needs endings or beginnings")
        found.append(stem)
    return tuple(found)


def add_stem_classes(index: TermIndex, stems: tuple[Stem, ...]) -> None:
    """Give every drug of the index whose name carries a stem the class it names (added as a
    class where the datasets name none), and the class its further names."""
    classes = []
    for stem in stems:
        known = [index.find(f"drug:{stem.klass.lower()}"), *resolve(index, stem.klass)]
        number = next((n for n in known if n is not None), None)
        if number is None:
            number = index.concept(f"class:{stem.klass.lower()}", "class", stem.klass, "stems")
        index.kinds[number] = "class"
        for name in (stem.klass, *stem.names):
            index.add(name, number)
        classes.append((stem, number))
    endings = {e: k for stem, k in classes for e in stem.endings}
    beginnings = {b: k for stem, k in classes for b in stem.beginnings}
    ending = re.compile(rf"^.{{{MIN_ROOT},}}?({_alternatives(endings)})$")
    beginning = re.compile(rf"^({_alternatives(beginnings)}).{{{MIN_ROOT},}}$")
    for number, kind in enumerate(index.kinds):
        if kind != "drug":
            continue
        name = index.names[number].lower()
        found = [endings[m.group(1)] for m in [ending.match(name)] if m]
        found += [beginnings[m.group(1)] for m in [beginning.match(name)] if m]
        index.widen(number, [klass for klass in found if klass != number])


def _alternatives(stems: dict[str, int]) -> str:
    """A regex alternation of every stem, longest first (one that matches nothing if none)."""
    return "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) or "(?!)"
