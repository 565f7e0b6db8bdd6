"""The hand lexicon: what no maintained dataset gives, and nothing else.

``assistant/data/lexicons/clinical.vN.yaml`` (newest version unless one is asked for):

- ``synonyms``: groups of names for one thing that the datasets lack or keep apart - UK/US
  drug name pairs the drug dataset holds as two drugs (glyceryl trinitrate / nitroglycerin),
  brand names it lacks (Movicol), clinical shorthand (LDN). The first name is preferred.
- ``classes``: drug classes the sources speak of, with their members ("opioid analgesics":
  oxycodone, ...): a passage about the class speaks to a member's safety and interactions,
  not to its dose.
- ``populations``: the groups that narrow a question (pregnancy, children, renal impairment);
  ``essential`` ones change whether or how a drug may be used.
- ``aspects``: what is asked about something (its mechanism, a trial outcome, where it is
  supplied): they widen the search but never decide whether a question is answered.

Articles add synonym groups of their own through the ``aliases`` field of their front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.language.grammar import load_data

_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.yaml$")


@dataclass(frozen=True)
class Population:
    """A group that narrows a question, with every word a question or passage names it by."""

    name: str
    essential: bool
    terms: tuple[str, ...]
    ages: tuple[float, float] | None = None  # years: an age group (children: 0 to 18)
    default: bool = False  # assumed where a passage names no age group (adults)
    conditions: tuple[str, ...] = ()  # conditions (and narrower ones) that put a patient in it


@dataclass(frozen=True)
class HandLexicon:
    """The parsed hand lexicon."""

    version: str
    synonyms: tuple[tuple[str, ...], ...] = ()
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    populations: tuple[Population, ...] = ()
    aspects: tuple[tuple[str, ...], ...] = ()

    def terms(self) -> list[str]:
        """Every term the file lists (for the check that no eval term was added by hand)."""
        found = [t for group in (*self.synonyms, *self.aspects) for t in group]
        found += [t for name, members in self.classes.items() for t in (name, *members)]
        found += [t for p in self.populations for t in (*p.terms, *p.conditions)]
        return found

    def with_synonyms(self, groups: list[tuple[str, ...]], label: str) -> HandLexicon:
        """This lexicon with more synonym groups (an article's ``aliases``) in front."""
        return HandLexicon(f"{self.version}+{label}", (*groups, *self.synonyms), self.classes,
                           self.populations, self.aspects)  # fmt: skip


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"lexicon {where}: must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_hand_lexicon(data: Any, version: str) -> HandLexicon:
    """Validate a hand lexicon's parsed YAML. Raises ConfigError naming the bad entry."""
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"lexicon {version}: must be a non-empty mapping")
    unknown = set(data) - {"synonyms", "classes", "populations", "aspects"}
    if unknown:
        raise ConfigError(f"lexicon {version}: unknown section(s) {', '.join(sorted(unknown))}")
    synonyms = tuple(
        _strings(g, f"{version} synonyms[{i}]") for i, g in enumerate(data.get("synonyms") or [])
    )
    aspects = tuple(
        _strings(g, f"{version} aspects[{i}]") for i, g in enumerate(data.get("aspects") or [])
    )
    classes = {
        str(name): _strings(members, f"{version} classes.{name}")
        for name, members in (data.get("classes") or {}).items()
    }
    populations = []
    for name, spec in (data.get("populations") or {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"lexicon {version} populations.{name}: must be a mapping")
        terms = _strings(spec.get("terms"), f"{version} populations.{name}.terms")
        ages = spec.get("ages")
        if ages is not None and not (
            isinstance(ages, list)
            and len(ages) == 2
            and all(isinstance(a, int | float) for a in ages)
        ):
            raise ConfigError(f"lexicon {version} populations.{name}.ages: must be [low, high]")
        band = (float(ages[0]), float(ages[1])) if ages else None
        essential, default = bool(spec.get("essential", False)), bool(spec.get("default", False))
        conditions = _strings(spec.get("conditions") or [], f"{version} populations.{name}")
        populations.append(Population(str(name), essential, terms, band, default, conditions))
    return HandLexicon(version, synonyms, classes, tuple(populations), aspects)


def lexicon_path(folder: Path, name: str = "clinical", version: int | None = None) -> Path:
    """The newest (or the given) version of lexicon ``name`` in ``folder``."""
    versions = {}
    for path in folder.glob(f"{name}.v*.yaml"):
        match = _FILE.match(path.name)
        if match and match.group("name") == name:
            versions[int(match.group("version"))] = path
    chosen = version if version is not None else max(versions, default=None)
    if chosen is None or chosen not in versions:
        raise ConfigError(f"no lexicon {name!r} (version {version or 'any'}) in {folder}")
    return versions[chosen]


def load_hand_lexicon(folder: Path, version: int | None = None) -> HandLexicon:
    """Load the newest (or the given) version of the hand lexicon from ``folder``."""
    path = lexicon_path(folder, "clinical", version)
    return parse_hand_lexicon(load_data(path), path.stem)
