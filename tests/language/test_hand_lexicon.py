"""The hand lexicons hold only what no dataset gives, and never a term taken from an eval case.

A term in a lexicon file (``assistant/data/lexicons/*.yaml``) that an eval corpus
(``evals/corpora/``) uses, but the sample corpus (``corpus/``) does not, was added to pass an
eval: the figure it buys measures the lexicon's author, not the product.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from assistant.config import PACKAGE_DATA
from assistant.language.grammar import load_data
from assistant.language.terminology.normal import phrase

ROOT = Path(__file__).resolve().parents[2]
LEXICONS = PACKAGE_DATA / "lexicons"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _terms(path: Path) -> list[str]:
    """Every string a lexicon matches text by (class names included; a population's name is
    only how it is shown, never matched)."""
    data = load_data(path)
    keys = [k for name, section in data.items() if isinstance(section, dict)
            and name != "populations" for k in section]  # fmt: skip
    return [t.rstrip("*") for t in (*_strings(data), *keys) if len(t.rstrip("*")) > 2]


def _corpus_text(folder: Path) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()]
    return f" {phrase(' '.join(texts))} "


@lru_cache(maxsize=1)
def _texts() -> tuple[str, str]:
    evals = " ".join(_corpus_text(p) for p in sorted((ROOT / "evals" / "corpora").iterdir()))
    return _corpus_text(ROOT / "corpus"), evals


def _uses(text: str, term: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase(term))}", text) is not None


@lru_cache(maxsize=1)
def _raw() -> tuple[str, str]:
    def read(folder: Path) -> str:
        return " ".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())

    evals = " ".join(read(p) for p in sorted((ROOT / "evals" / "corpora").iterdir()))
    return read(ROOT / "corpus"), evals


def _written(text: str, term: str) -> bool:
    """A short capitals-only term ("ARM") is matched as written, never in "upper arm"."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text) is not None


# Terms the lexicon held before an eval corpus that uses them was written (git log shows
# "hepatic" in clinical.v3.yaml before evals/corpora/adult-mental-health existed, and
# "renal insufficiency" there before evals/corpora/adult-skin-bone-gut, whose Roaccutane
# summary uses the product information's wording; every term below "renal insufficiency" was
# in clinical.v3.yaml from its first commit, be32319, before evals/corpora/adult-infection-
# womens-health was written; "acyclovir", "morphine" and the mu-opioid receptor names were
# there too, before evals/corpora/adult-neuro-eye-ent-palliative used them).
PREDATES_THE_EVAL_CORPUS = frozenset(
    {
        "hepatic",
        "renal insufficiency",
        "BMI",
        "aciclovir",
        "amoxicillin",
        "anthelmintic",
        "blood dyscrasia",
        "co-amoxiclav",
        "flucloxacillin",
        "immunosuppression",
        "phenoxymethylpenicillin",
        "acyclovir",
        "morphine",
        "mu opioid receptor",
        "mu-opioid receptor",
        # In the lexicon before corpus H (heart, kidney, travel, sexual health) was written.
        "GTN",
        "glyceryl trinitrate",
        "ceftriaxone",
        "trimester",
        # In the lexicon before corpus I (rheumatology, endocrine, skin, ENT) was written.
        "liver failure",
        # In the lexicon before corpus J (bladder, bowel, sexual health, travel, skin) was written.
        "cefalexin",
        "frail",
        "immunosuppressed",
        # In the lexicon before corpus K (toxicology, tuberculosis, vascular, trauma) was written.
        "weight-based",
    }
)


@pytest.mark.parametrize("path", sorted(LEXICONS.glob("*.yaml")), ids=lambda p: p.name)
def test_no_lexicon_term_was_taken_from_an_eval_case(path: Path) -> None:
    sample, evals = _texts()
    raw_sample, raw_evals = _raw()
    taken = [
        t
        for t in _terms(path)
        if (_written(raw_evals, t) and not _written(raw_sample, t))
        if t.isupper() and len(t) <= 6
    ] + [
        t
        for t in _terms(path)
        if not (t.isupper() and len(t) <= 6) and _uses(evals, t) and not _uses(sample, t)
    ]
    taken = [t for t in taken if t not in PREDATES_THE_EVAL_CORPUS]
    assert not taken, f"{path.name} lists terms only the eval sets use: {sorted(set(taken))}"


def test_the_check_sees_a_term_taken_from_an_eval_corpus() -> None:
    sample, evals = _texts()
    assert _uses(evals, "croup") and not _uses(sample, "croup")
