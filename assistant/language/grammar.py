"""The closed-class word lists of the language layer (``data/grammar.v1.yaml``), compiled once.

Package data, versioned like the prompts. A missing or malformed file is a ConfigError naming
it, at first use: never a silent fallback to no grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError

GRAMMAR = Path(__file__).parent / "data" / "grammar.v1.yaml"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it


@dataclass(frozen=True)
class Unit:
    """A unit of measure: its canonical name, what it measures and its size in the base unit
    of that dimension ("g": mass, 1000 mg)."""

    unit: str
    dimension: str
    base: float


@dataclass(frozen=True)
class Grammar:
    """The compiled lists."""

    version: str
    abbreviations: frozenset[str]
    units: Mapping[str, Unit]  # every written form (lower case) -> its unit
    unit_pattern: str  # regex source: any unit form, longest first
    denominators: Mapping[str, str]  # written form -> canonical ("per kg" -> "kg")
    denominator_pattern: str
    frequencies: Mapping[str, str]  # written phrase -> doses per day, "night" or "single"
    frequency_pattern: re.Pattern[str]
    before: tuple[tuple[str, re.Pattern[str]], ...]  # ("below"|"above", words ending a text)
    after: tuple[tuple[str, re.Pattern[str]], ...]  # the same, words starting a text
    negations: frozenset[str]
    name_shape: re.Pattern[str]  # a word shaped like a drug, disease or procedure name
    routes: tuple[tuple[str, re.Pattern[str]], ...]  # route of administration, its words
    # A family's words and the routes they cover ("for injection": intravenous, ...).
    route_families: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = ()

    def route_words(self, route: str) -> tuple[re.Pattern[str], ...]:
        """The patterns that name ``route``: its own words, then its families' words."""
        own = [pattern for name, pattern in self.routes if name == route]
        return (*own, *(words for words, covers in self.route_families if route in covers))


def read_yaml(text: str) -> Any:
    """Safe YAML (plain data, no tags), parsed by libyaml when PyYAML was built with it."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def load_data(path: Path) -> Any:
    """A packaged YAML file's data; ConfigError naming the file when it is missing, empty or
    not valid YAML."""
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{path} is empty or not a mapping")
    return data


def load_entries(path: Path, key: str) -> list[Any]:
    """The list under ``key`` of a packaged YAML file (aspects, stems); ConfigError naming the
    file when it has none."""
    entries = load_data(path).get(key)
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list under {key!r}")
    return entries


def alternatives(terms: Iterable[str]) -> str:
    """Regex source matching any of ``terms`` as written (spaces as any whitespace), longest
    first so "once a day" beats "once"."""
    ordered = sorted(set(terms), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in t.split()) for t in ordered)


def _strings(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(v, str | int | float) for v in raw):
        raise ConfigError(f"{GRAMMAR.name} {where}: must be a list of strings")
    return [str(v).strip() for v in raw if str(v).strip()]


def _units(raw: Sequence[Mapping[str, Any]]) -> dict[str, Unit]:
    found = {}
    for spec in raw:
        unit = Unit(str(spec["unit"]), str(spec["dimension"]), float(spec["base"]))
        for form in _strings(spec["forms"], f"units.{unit.unit}"):
            found[form.lower()] = unit
    return found


def _bound(terms: Sequence[str], *, ending: bool) -> re.Pattern[str]:
    """Comparator words ending the text before a number ("below a creatinine clearance of")
    or starting the text after it ("/min or more")."""
    words = alternatives(terms)
    if ending:
        thing = r"(?:\s+(?:a|an|the)\b)?(?:\s+[\w-]+){1,3}\s+of"
        return re.compile(rf"(?<![\w-])(?:{words})(?:{thing})?\s*$", re.IGNORECASE)
    unit = r"(?:\s*[a-zA-Zµ%²0-9.]*(?:/\w+)*)?"
    return re.compile(rf"^{unit}\s*(?:{words})(?![\w])", re.IGNORECASE)


def _route(words: Sequence[str]) -> re.Pattern[str]:
    """A route's words: abbreviations ("IV", "PO") as written, the rest in any case."""
    short = [w for w in words if w.isupper() or "." in w]
    long = [w for w in words if w not in short]
    body = [f"(?i:{alternatives(long)})"] if long else []
    body += [alternatives(short)] if short else []
    return re.compile(rf"(?<![\w.])(?:{'|'.join(body)})(?![\w])")


def parse_grammar(raw: Mapping[str, Any], version: str) -> Grammar:
    """Validate and compile the grammar's data. Raises ConfigError naming the bad part."""
    try:
        units = _units(raw["units"])
        denominators = {
            form.lower(): str(spec["per"])
            for spec in raw["denominators"]
            for form in _strings(spec["forms"], f"denominators.{spec['per']}")
        }
        frequencies = {
            phrase.lower(): str(rate)
            for rate, phrases in raw["frequencies"].items()
            for phrase in _strings(phrases, f"frequencies.{rate}")
        }
        cmp = raw["comparators"]
        before = tuple(
            (side, _bound(_strings(cmp[side], side), ending=True)) for side in ("below", "above")
        )
        after = tuple(
            (side, _bound(_strings(cmp[f"{side}_after"], side), ending=False))
            for side in ("below", "above")
        )
        abbreviations = frozenset(a.lower() for a in _strings(raw["abbreviations"], "abbr"))
        negations = frozenset(n.lower() for n in _strings(raw["negations"], "negations"))
        prefixes = "|".join(_strings(raw["name_prefixes"], "name_prefixes"))
        suffixes = "|".join(_strings(raw["name_suffixes"], "name_suffixes"))
        name_shape = re.compile(
            rf"\b(?:(?:{prefixes})[a-z]+|[a-z]+(?:{suffixes}))\b", re.IGNORECASE
        )
        routes = tuple(
            (str(name), _route(_strings(words, f"routes.{name}")))
            for name, words in raw["routes"].items()
        )
        route_families = tuple(
            (
                _route(_strings(family["words"], f"route_families.{name}.words")),
                frozenset(_strings(family["covers"], f"route_families.{name}.covers")),
            )
            for name, family in raw.get("route_families", {}).items()
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ConfigError(f"{version}: malformed grammar ({exc!r})") from exc
    return Grammar(
        version=version,
        abbreviations=abbreviations,
        units=units,
        unit_pattern=alternatives(units),
        denominators=denominators,
        denominator_pattern=alternatives(denominators),
        frequencies=frequencies,
        frequency_pattern=re.compile(
            rf"(?<![\w.-])(?:{alternatives(frequencies)})(?![\w-])", re.IGNORECASE
        ),
        before=before,
        after=after,
        negations=negations,
        name_shape=name_shape,
        routes=routes,
        route_families=route_families,
    )


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """The packaged grammar, compiled once."""
    return parse_grammar(load_data(GRAMMAR), GRAMMAR.stem)
