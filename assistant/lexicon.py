"""The clinical lexicon: synonym groups, drug classes and population qualifiers.

Versioned package data like the prompts (``assistant/data/lexicons/NAME.vN.yaml``, newest
version unless one is asked for). Articles may add synonym groups of their own through the
``aliases`` field of their front matter; :meth:`Lexicon.with_groups` merges them in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError

_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.yaml$")
_ABBREVIATION = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,5}$")


@dataclass(frozen=True)
class Qualifier:
    """A population or situation that narrows a question (pregnancy, children, renal...)."""

    name: str
    essential: bool  # changes whether or how a drug may be used
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One lexicon term and what it means: its group's preferred term and every equal form."""

    term: str
    preferred: str
    forms: tuple[str, ...]  # every term that counts as the same concept in a passage
    aspect: bool = False  # what is asked about something (never a reason to decline)
    broader: tuple[str, ...] = ()  # the class a member belongs to ("opioid analgesics")


@dataclass
class Lexicon:
    """Synonym groups, one-way class memberships and qualifiers, with a term matcher."""

    version: str
    groups: list[tuple[str, ...]]
    classes: dict[str, tuple[str, ...]]
    qualifiers: list[Qualifier]
    aspects: list[tuple[str, ...]] = field(default_factory=list)
    # Classes of conditions: what is said of skin infections holds for cellulitis, doses too.
    condition_classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _entries: dict[str, Entry] = field(default_factory=dict, init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for group in self.groups:
            for term in group:
                self._entries.setdefault(_key(term), Entry(term, group[0], group))
        for group in self.aspects:
            for term in group:
                self._entries.setdefault(_key(term), Entry(term, group[0], group, aspect=True))
        for klass, members in self.classes.items():
            for member in members:
                self._add_class(member, klass)
        for klass, members in self.condition_classes.items():
            forms = self._forms_of(klass) or (klass,)
            for member in members:
                known = self._entries.get(_key(member))
                group = known.forms if known else (member,)
                entry = Entry(member, group[0], tuple(dict.fromkeys((*group, klass, *forms))))
                for form in group:
                    self._entries[_key(form)] = replace(entry, term=form)
        terms = sorted(self._entries.values(), key=lambda e: len(e.term), reverse=True)
        alternatives = "|".join(_term_pattern(e.term) for e in terms)
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if terms else None

    def _add_class(self, member: str, klass: str) -> None:
        """``member`` belongs to ``klass``: a member that is also in a synonym group keeps its
        group's forms and gains the class as broader."""
        broader = tuple(dict.fromkeys((klass, *self._forms_of(klass))))
        known = self._entries.get(_key(member))
        if known is None:
            self._entries[_key(member)] = Entry(member, member, (member,), broader=broader)
            return
        wider = tuple(dict.fromkeys((*known.broader, *broader)))
        for form in known.forms:  # every form of the group shares the class
            entry = self._entries.get(_key(form))
            if entry is not None and entry.forms == known.forms:
                self._entries[_key(form)] = replace(entry, broader=wider)

    def _forms_of(self, term: str) -> tuple[str, ...]:
        for group in self.groups:
            if _key(term) in {_key(t) for t in group}:
                return group
        return ()

    def with_groups(self, groups: Iterable[tuple[str, ...]], version: str) -> Lexicon:
        """A lexicon with extra synonym groups (an article's ``aliases``) merged in front."""
        return Lexicon(f"{self.version}+{version}", [*groups, *self.groups], self.classes,
                       self.qualifiers, self.aspects, self.condition_classes)  # fmt: skip

    def find(self, text: str) -> list[tuple[Entry, int, int]]:
        """Lexicon terms in ``text``, longest first where they overlap: (entry, start, end)."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(text):
            entry = self.entry(match.group(0))
            if entry is not None:
                found.append((entry, match.start(), match.end()))
        return found

    def entry(self, term: str) -> Entry | None:
        return self._entries.get(_key(term)) or self._entries.get(term)

    def words(self) -> set[str]:
        """Every lower-cased word of every lexicon and qualifier term (known words for typos)."""
        keys = [*self._entries, *(t for q in self.qualifiers for t in q.terms)]
        return {w for key in keys for w in re.findall(r"[a-z][a-z-]+", key.lower())}


def _key(term: str) -> str:
    # Short capitalised abbreviations match as written ("ARM" is not "arm"); the rest ignore case.
    return term if _ABBREVIATION.match(term) and term.upper() == term else term.lower()


def _term_pattern(term: str) -> str:
    body = r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", term))
    if _key(term) == term and _ABBREVIATION.match(term):
        return body
    return f"(?i:{body})"


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"lexicon {where}: must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_lexicon(data: Any, version: str) -> Lexicon:
    """Validate a lexicon's parsed YAML. Raises ConfigError naming the bad entry."""
    if not isinstance(data, dict):
        raise ConfigError(f"lexicon {version}: must be a mapping")
    groups = [_strings(g, f"{version} groups[{i}]") for i, g in enumerate(data.get("groups", []))]
    aspects = [
        _strings(g, f"{version} aspects[{i}]") for i, g in enumerate(data.get("aspects", []))
    ]
    classes, condition_classes = (
        {
            str(name): _strings(members, f"{version} {section}.{name}")
            for name, members in (data.get(section) or {}).items()
        }
        for section in ("classes", "condition_classes")
    )
    qualifiers = []
    for name, spec in (data.get("qualifiers") or {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"lexicon {version} qualifiers.{name}: must be a mapping")
        terms = _strings(spec.get("terms"), f"{version} qualifiers.{name}.terms")
        qualifiers.append(Qualifier(str(name), bool(spec.get("essential", False)), terms))
    return Lexicon(version, groups, classes, qualifiers, aspects, condition_classes)


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster when built


def read_yaml(text: str) -> Any:
    """Safe YAML (plain data, no tags), parsed by libyaml when PyYAML was built with it."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def load_lexicon(folder: Path, name: str = "clinical", version: int | None = None) -> Lexicon:
    """Load the newest (or the given) version of lexicon ``name`` from ``folder``."""
    versions = {}
    for path in folder.glob(f"{name}.v*.yaml"):
        match = _FILE.match(path.name)
        if match and match.group("name") == name:
            versions[int(match.group("version"))] = path
    chosen = version if version is not None else max(versions, default=None)
    if chosen is None or chosen not in versions:
        raise ConfigError(f"no lexicon {name!r} (version {version or 'any'}) in {folder}")
    try:
        data = read_yaml(versions[chosen].read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"lexicon {versions[chosen]} is not valid YAML: {exc}") from exc
    return parse_lexicon(data, f"{name}.v{chosen}")
