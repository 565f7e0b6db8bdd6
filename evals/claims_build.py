"""Build the claims benchmark files from the hand-written seed claims.

``evals/datasets/claims-seed.jsonl`` holds claims written by hand: faithful paraphrases of the
sample corpus (``kind: paraphrase``, supported) and hand-made corruptions (unsupported). This
script adds corruptions made by code from each paraphrase — a number swapped for another of
the same unit from the cited document, a frequency, direction or bound flipped, a negation
added or removed, another drug or population named, a contraindication turned into an
indication — and marker-only and title-only "claims", then writes ``claims-dev.jsonl`` and
``claims-holdout.jsonl``. Deterministic: the generated files are committed, so the set is
fixed; rerun only when the seeds change::

    python -m evals.claims_build
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.ingest.loader import load_corpus
from assistant.language import quantities
from assistant.models import APPROVED

DATASETS = Path(__file__).parent / "datasets"
Row = dict[str, Any]

FREQUENCY_SWAPS = (
    ("every 24 hours", "every 48 hours"),
    ("every 48 hours", "every 24 hours"),
    ("every 12 hours", "every 8 hours"),
    ("every 8 hours", "every 12 hours"),
    ("every 3 weeks", "every 6 weeks"),
    ("every 6 weeks", "every 3 weeks"),
    ("every other day", "every third day"),
    ("every third day", "every other day"),
    ("once daily", "twice daily"),
    ("twice daily", "once daily"),
    ("once a year", "twice a year"),
    ("twice a year", "once a year"),
)
DIRECTION_SWAPS = (
    ("partially", "fully"),
    ("partial", "full"),
    ("full", "partial"),
    ("before", "after"),
    ("after", "before"),
    ("below", "above"),
    ("above", "below"),
    ("or more", "or less"),
    ("or higher", "or lower"),
    ("or lower", "or higher"),
    ("less than", "more than"),
    ("more than", "less than"),
    ("lower", "higher"),
    ("higher", "lower"),
    ("increased", "decreased"),
    ("reduced", "increased"),
    ("dropped", "rose"),
    ("fell", "rose"),
    ("better", "worse"),
    ("at least", "at most"),
    ("up to", "at least"),
)
DRUG_SWAPS = (
    ("low-dose naltrexone", "low-dose naloxone"),
    ("naltrexone", "buprenorphine"),
    ("cefuroxime", "cefalexin"),
    ("albendazole", "mebendazole"),
    ("mebendazole", "albendazole"),
    ("pembrolizumab", "nivolumab"),
    ("macrogol", "senna"),
    ("movicol", "senna"),
    ("contrave", "phentermine"),
    ("high-flow nasal cannula", "CPAP"),
    ("bilevel noninvasive ventilation", "high-flow nasal cannula"),
    ("cpap", "high-flow nasal cannula"),
    ("metronidazole", "albendazole"),
)
POPULATION_SWAPS = (
    ("children", "adults"),
    ("child", "adult"),
    ("adults", "children"),
    ("adult", "child"),
    ("women", "men"),
    ("pregnancy", "childhood"),
    ("infants", "adolescents"),
    ("fibromyalgia", "rheumatoid arthritis"),
    ("copd", "asthma"),
    ("triple-negative", "HER2-positive"),
)
INDICATION_SWAPS = (
    ("is contraindicated in", "is recommended in"),
    ("are contraindications to", "are indications for"),
    ("must not be used in", "can be used in"),
    ("should not be combined with", "can be combined with"),
    ("should be avoided together with", "is recommended together with"),
    ("is not recommended", "is recommended"),
    ("suggests against", "suggests"),
)
_AUXILIARY = re.compile(r"\b(is|are|was|were|can|should|must|does|do)\b(?! not)")


def _swap(sentence: str, pairs: tuple[tuple[str, str], ...]) -> str | None:
    """The sentence with the first of ``pairs`` that occurs in it swapped, or None."""
    for old, new in pairs:
        pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w])", re.IGNORECASE)
        match = pattern.search(sentence)
        if match and new.lower() not in sentence.lower():
            replacement = new[0].upper() + new[1:] if match.group(0)[0].isupper() else new
            return sentence[: match.start()] + replacement + sentence[match.end() :]
    return None


def negation_flip(sentence: str) -> str | None:
    """Remove the first "not"/"no", or put "not" after the first auxiliary verb."""
    for old, new in ((" not ", " "), ("cannot", "can"), ("No ", "A "), (" no ", " a ")):
        if old in sentence:
            return sentence.replace(old, new, 1)
    match = _AUXILIARY.search(sentence)
    if match is None:
        return None
    return sentence[: match.end()] + " not" + sentence[match.end() :]


def number_swap(sentence: str, document_text: str) -> str | None:
    """Replace the first number with a unit by another value of that unit from the document."""
    plain = quantities.masked(sentence)
    found = quantities.quantities(plain)
    present = {q.low for q in found}
    for q in found:
        if q.unit is None or q.is_range:
            continue
        others = sorted(
            {o.low for o in quantities.quantities(document_text) if o.unit == q.unit} - present,
            key=lambda v: (abs(v - q.low), v),
        )
        if others:
            number = q.text.split()[0] if q.text[:1].isdigit() else q.text
            digits = len(number) - len(number.lstrip("0123456789.,"))
            return sentence[: q.start] + f"{others[0]:g}" + sentence[q.start + digits :]
    return None


def corruptions(seed: Row, document_text: str) -> Iterator[tuple[str, str]]:
    """(kind, corrupted sentence) for each corruption that applies to a paraphrase."""
    makers: tuple[tuple[str, Callable[[str], str | None]], ...] = (
        ("number_swap", lambda s: number_swap(s, document_text)),
        ("frequency_swap", lambda s: _swap(s, FREQUENCY_SWAPS)),
        ("direction_flip", lambda s: _swap(s, DIRECTION_SWAPS)),
        ("negation_flip", negation_flip),
        ("wrong_drug", lambda s: _swap(s, DRUG_SWAPS)),
        ("wrong_population", lambda s: _swap(s, POPULATION_SWAPS)),
        ("contra_to_indication", lambda s: _swap(s, INDICATION_SWAPS)),
    )
    for kind, make in makers:
        corrupted = make(seed["sentence"])
        if corrupted and corrupted != seed["sentence"]:
            yield kind, corrupted


def _empty_claims(split: str, titles: dict[str, str]) -> Iterator[Row]:
    """Marker-only and title-only "claims" (unsupported: they say nothing)."""
    ids = sorted(titles)[::2] if split == "dev" else sorted(titles)[1::2]
    for i, doc_id in enumerate(ids):
        other = ids[(i + 1) % len(ids)]
        citations = {"1": doc_id, "2": other}
        yield {"kind": "title_only", "citations": citations, "sentence": f"{titles[doc_id]} [1]."}
        markers = " [1] [2]" if i % 2 else " [1, 2] [2]"
        yield {"kind": "marker_only", "citations": citations, "sentence": markers}


def build(
    seeds: list[Row], documents: dict[str, str], titles: dict[str, str]
) -> dict[str, list[Row]]:
    """Claims per split: the seeds, their code-made corruptions and the empty claims."""
    out: dict[str, list[Row]] = {"dev": [], "holdout": []}
    for seed in seeds:
        out[seed["split"]].append(_row(seed, seed["id"]))
        if seed["kind"] != "paraphrase":
            continue
        text = " ".join(documents[ref] for ref in seed["citations"].values())
        for kind, sentence in corruptions(seed, text):
            row = {**seed, "kind": kind, "sentence": sentence, "supported": False}
            out[seed["split"]].append(_row(row, f"{seed['id']}-{kind}", origin="code"))
    for split, rows in out.items():
        for n, empty in enumerate(_empty_claims(split, titles), start=1):
            rows.append(_row({**empty, "supported": False}, f"{split}-empty-{n:03d}", "code"))
    return out


def _row(row: Row, claim_id: str, origin: str | None = None) -> Row:
    return {
        "id": claim_id,
        "sentence": row["sentence"],
        "citations": row["citations"],
        "supported": row["supported"],
        "kind": row["kind"],
        "origin": origin or row.get("origin", "hand"),
    }


def main() -> None:
    """Read the seeds and the sample corpus; write claims-dev.jsonl and claims-holdout.jsonl."""
    seeds = [json.loads(line) for line in (DATASETS / "claims-seed.jsonl").open(encoding="utf-8")]
    loaded = load_corpus([Path(__file__).parent.parent / "corpus"])
    documents = {d.id: d.text for d in loaded.documents}
    titles = {d.id: d.title for d in loaded.documents if d.is_article and d.status == APPROVED}
    for split, rows in build(seeds, documents, titles).items():
        path = DATASETS / f"claims-{split}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"{path}: {len(rows)} claims")


if __name__ == "__main__":
    main()
