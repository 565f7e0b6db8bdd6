"""Every first-contact eval corpus keeps the corpus README's rules, and its sets are sound.

The eval corpora (issue 19 item 4, issue 20 item 6) measure the assistant on clinical areas
it was not built on. Their figures mean nothing unless each corpus follows the sample corpus's
rules (articles parse, every sentence cited, every number stated by a source it cites, each
non-approved fact kept out of approved content) and each set is what evals/README.md says:
every wording and must-decline kind, key facts stated by approved relevant documents, claims
that are faithful paraphrases or minimal corruptions of every kind. One table lists the
corpora; every test runs over each row, so a new corpus is one row.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.ingest.loader import load_corpus
from assistant.models import Document
from evals.build import build
from evals.cases import EvalCase, load_cases, load_config
from evals.claims import Claim, load_claims
from evals.scoring import answer_text

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MARKERS = re.compile(r"\[(\d+(?:,\s*\d+)*)\]")


@dataclass(frozen=True)
class NumberCheck:
    """A self-test of a number check on the corpus's own passages: ``good`` passes and
    ``bad`` reports exactly ``missing``."""

    refs: tuple[str, ...]
    good: str
    bad: str
    missing: tuple[str, ...]
    passage: str = ""  # what a paraphrase check reads instead of the cited sources


@dataclass(frozen=True)
class EvalCorpus:
    """One eval corpus and its sets. Sets are (name, least size, least per kind): for
    follow-ups the least number of must-decline cases, for claims the least of each corruption.
    A corpus with a held-out split lists its tuning set first."""

    folder: str
    unique_facts: dict[str, tuple[str, ...]]
    unapproved_words: str
    followups: tuple[tuple[str, int, int], ...]
    claims: tuple[tuple[str, int, int], ...]
    article_check: NumberCheck
    paraphrase_check: NumberCheck

    @property
    def path(self) -> Path:
        return ROOT / "evals" / "corpora" / self.folder

    @property
    def articles(self) -> list[Path]:
        return sorted((self.path / "articles").glob("*.md"))


CORPORA = (
    EvalCorpus(
        folder="acute-paediatrics",
        unique_facts={
            "ondansetron-gastroenteritis-vomiting": (
                "ondansetron",
                "orally disintegrating",
                "Zofran",
            ),
            "adrenaline-auto-injector-by-weight": ("EpiPen", "auto-injector", "30 kg or more"),
        },
        unapproved_words=r"ondansetron|zofran|epipen|auto-?injector|\bjr\b|adult pen",
        followups=(
            ("followups-acute-paediatrics", 60, 20),
            ("followups-acute-paediatrics-holdout", 24, 8),
        ),
        claims=(
            ("claims-acute-paediatrics", 60, 4),
            ("claims-acute-paediatrics-holdout", 24, 2),
        ),
        article_check=NumberCheck(
            ("nice-cks-croup", "bnfc-croup"),
            "Dexamethasone 0.15 mg/kg [1] or 150 micrograms/kg [2].",
            "Dexamethasone 0.6 mg/kg is given [1], up to 5 mg [2], within 15 minutes [1, 2].",
            ("0.6", "15"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Adults get 0.5 mg and 500 mL to 1 L [1].",
            "Adults get 300 micrograms, twice in 5 minutes [1].",
            ("300", "5"),
            passage="Adrenaline 500 micrograms (0.5 mL); fluids 500-1000 mL for adults.",
        ),
    ),
    EvalCorpus(
        folder="adult-chronic-care",
        unique_facts={
            "dabigatran-af-dosing": ("dabigatran", "Pradaxa", "110 mg"),
            "semaglutide-weekly-type-2-diabetes": ("semaglutide", "Ozempic", "0.25 mg once weekly"),
        },
        unapproved_words=r"dabigatran|pradaxa|semaglutide|ozempic",
        followups=(("followups-adult-chronic-care", 64, 22),),
        claims=(("claims-adult-chronic-care", 64, 5),),
        article_check=NumberCheck(
            ("eliquis-smpc", "xarelto-smpc"),
            "Apixaban 2.5 mg twice daily [1] or rivaroxaban 15 mg once daily [2].",
            "Apixaban 10 mg is given [1], rivaroxaban 20 mg [2], for 7 days [1, 2].",
            ("10", "7"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "No more than 3000 mg a day, 1 g at 30-44 [1].",
            "No more than 2 g a day, below 45 [1].",
            ("2", "45"),
            passage="Metformin up to 3 g daily; 1000 mg at a GFR of 30-44 mL/min.",
        ),
    ),
    EvalCorpus(
        folder="adult-mental-health",
        unique_facts={
            "mirtazapine-depression": ("mirtazapine", "Zispin", "15 or 30 mg"),
            "rimegepant-migraine": ("rimegepant", "Vydura", "75 mg every other day"),
        },
        unapproved_words=r"mirtazapine|zispin|rimegepant|vydura",
        followups=(("followups-adult-mental-health", 64, 22),),
        claims=(("claims-adult-mental-health", 64, 5),),
        article_check=NumberCheck(
            ("champix-varenicline-smpc", "imigran-sumatriptan-smpc"),
            "Varenicline 0.5 mg once daily [1] or sumatriptan 50 mg [2].",
            "Varenicline 3.5 mg is given [1], sumatriptan 100 mg [2], for 9 days [1, 2].",
            ("3.5", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Paracetamol 1 g, no more than 300 mg a day [1].",
            "Paracetamol 2 g, no more than 200 mg [1].",
            ("2", "200"),
            passage="Paracetamol 1000 mg alone; sumatriptan up to 300 mg in 24 hours.",
        ),
    ),
    EvalCorpus(
        folder="adult-skin-bone-gut",
        unique_facts={
            "denosumab-osteoporosis": ("denosumab", "Prolia", "60 mg once every 6 months"),
            "linaclotide-ibs-constipation": ("linaclotide", "Constella", "290 micrograms"),
        },
        unapproved_words=r"denosumab|prolia|linaclotide|constella",
        followups=(("followups-adult-skin-bone-gut", 80, 25),),
        claims=(("claims-adult-skin-bone-gut", 67, 5),),
        article_check=NumberCheck(
            ("fosamax-alendronic-acid-smpc-administration", "tamsulosin-mr-capsules-smpc"),
            "Alendronic acid 70 mg once weekly [1] or tamsulosin 400 micrograms [2].",
            "Alendronic acid 35 mg is given [1], tamsulosin 400 micrograms [2], for 9 days [1, 2].",
            ("35", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Omeprazole 20 mg, with 0.2 L of water [1].",
            "Omeprazole 40 mg, with 250 ml of water [1].",
            ("40", "250"),
            passage="Omeprazole 20 mg full dose; alendronic acid 70 mg, 200 ml water.",
        ),
    ),
    EvalCorpus(
        folder="adult-infection-womens-health",
        unique_facts={
            "fosfomycin-uncomplicated-uti": ("fosfomycin", "Monuril", "single 3 g sachet"),
            "tranexamic-acid-heavy-menstrual-bleeding": (
                "tranexamic acid",
                "Cyklokapron",
                "1 g three times a day for up to 4 days",
            ),
        },
        unapproved_words=r"fosfomycin|monuril|tranexamic|cyklokapron",
        followups=(("followups-adult-infection-womens-health", 90, 30),),
        claims=(("claims-adult-infection-womens-health", 67, 5),),
        article_check=NumberCheck(
            ("aciclovir-zovirax-tablets-smpc", "nice-ng109-uti-first-choice"),
            "Aciclovir 800 mg five times a day [1] or trimethoprim 200 mg twice a day [2].",
            "Aciclovir 400 mg is given [1], trimethoprim 200 mg [2], for 9 days [1, 2].",
            ("400", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Amoxicillin 0.5 g, CRP over 100 mg/L [1].",
            "Amoxicillin 1 g, CRP over 20 mg/L [1].",
            ("1", "20"),
            passage="Amoxicillin 500 mg three times a day; CRP above 100 mg/litre.",
        ),
    ),
    EvalCorpus(
        folder="adult-neuro-eye-ent-palliative",
        unique_facts={
            "naloxegol-opioid-induced-constipation": ("naloxegol", "Moventig", "naloxegol 25 mg"),
            "opicapone-parkinsons-motor-fluctuations": (
                "opicapone",
                "Ongentys",
                "50 mg at bedtime",
            ),
        },
        unapproved_words=r"naloxegol|moventig|opicapone|ongentys",
        followups=(("followups-adult-neuro-eye-ent-palliative", 90, 30),),
        claims=(("claims-adult-neuro-eye-ent-palliative", 65, 5),),
        article_check=NumberCheck(
            ("keppra-levetiracetam-smpc", "ebixa-memantine-smpc"),
            "Levetiracetam 250 mg twice a day [1] or memantine 20 mg once a day [2].",
            "Levetiracetam 750 mg is given [1], memantine 20 mg [2], for 9 days [1, 2].",
            ("750", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Morphine 0.02 g a day, latanoprost 0.05 mg/ml [1].",
            "Morphine 40 mg a day, latanoprost 5 micrograms/ml [1].",
            ("40", "5"),
            passage="Oral morphine 20 to 30 mg a day; latanoprost 50 micrograms/ml.",
        ),
    ),
    EvalCorpus(
        folder="adult-respiratory-allergy-blood",
        unique_facts={
            "bilastine-allergic-rhinitis": ("bilastine", "Ilaxten", "bilastine 20 mg"),
            "ferric-maltol-iron-deficiency": ("ferric maltol", "Feraccru", "30 mg twice a day"),
        },
        unapproved_words=r"bilastine|ilaxten|ferric maltol|feraccru",
        followups=(("followups-adult-respiratory-allergy-blood", 90, 30),),
        claims=(("claims-adult-respiratory-allergy-blood", 65, 5),),
        article_check=NumberCheck(
            ("zirtek-cetirizine-smpc", "bnf-hydroxocobalamin"),
            "Cetirizine 10 mg once a day [1] or hydroxocobalamin 1 mg every 3 months [2].",
            "Cetirizine 20 mg is given [1], hydroxocobalamin 1 mg [2], for 9 days [1, 2].",
            ("20", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Ferrous sulfate 0.2 g, hydroxocobalamin 1000 micrograms [1].",
            "Ferrous sulfate 400 mg, hydroxocobalamin every 2 months [1].",
            ("400", "2"),
            passage="Ferrous sulfate 200 mg once a day; hydroxocobalamin 1 mg every 3 months.",
        ),
    ),
    EvalCorpus(
        folder="adult-heart-kidney-travel-sexual-health",
        unique_facts={
            "avanafil-erectile-dysfunction": ("avanafil", "Spedra", "avanafil 100 mg"),
            "ivabradine-stable-angina": ("ivabradine", "Procoralan", "ivabradine 5 mg"),
        },
        unapproved_words=r"ivabradine|procoralan|avanafil|spedra",
        followups=(("followups-adult-heart-kidney-travel-sexual-health", 90, 30),),
        claims=(("claims-adult-heart-kidney-travel-sexual-health", 65, 5),),
        article_check=NumberCheck(
            ("viagra-sildenafil-smpc", "cialis-tadalafil-smpc"),
            "Sildenafil 50 mg about 1 hour before [1] or tadalafil 10 mg [2].",
            "Sildenafil 75 mg is given [1], tadalafil 20 mg [2], for 9 days [1, 2].",
            ("75", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Ceftriaxone 1000 mg, doxycycline 0.1 g for 21 days [1].",
            "Ceftriaxone 500 mg, doxycycline for 14 days [1].",
            ("500", "14"),
            passage="Ceftriaxone 1 g intramuscular; doxycycline 100 mg twice a day for 21 days.",
        ),
    ),
    EvalCorpus(
        folder="adult-rheum-endocrine-skin-ent",
        unique_facts={
            "doxylamine-pyridoxine-pregnancy-sickness": ("doxylamine", "Xonvea", "10 mg/10 mg"),
            "sarilumab-polymyalgia-rheumatica": ("sarilumab", "Kevzara", "200 mg every 2 weeks"),
        },
        unapproved_words=r"sarilumab|kevzara|doxylamine|xonvea",
        followups=(("followups-adult-rheum-endocrine-skin-ent", 90, 30),),
        claims=(("claims-adult-rheum-endocrine-skin-ent", 65, 5),),
        article_check=NumberCheck(
            ("lamisil-terbinafine-tablets-smpc", "nice-ng153-impetigo-widespread-oral"),
            "Terbinafine 250 mg once a day [1] or flucloxacillin 500 mg four times a day [2].",
            "Terbinafine 500 mg is given [1], flucloxacillin 500 mg [2], for 9 days [1, 2].",
            ("500", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Terbinafine 0.25 g, hydrocortisone 100000 micrograms [1].",
            "Terbinafine 500 mg, hydrocortisone 50 mg [1].",
            ("500", "50"),
            passage="Terbinafine 250 mg once a day; hydrocortisone 100 mg intramuscularly.",
        ),
    ),
    EvalCorpus(
        folder="adult-bladder-bowel-sexual-travel-skin",
        unique_facts={
            "bezlotoxumab-clostridioides-difficile-recurrence": (
                "bezlotoxumab",
                "Zinplava",
                "10 mg/kg",
            ),
            "vibegron-overactive-bladder": ("vibegron", "Gemtesa", "75 mg once daily"),
        },
        unapproved_words=r"vibegron|gemtesa|bezlotoxumab|zinplava",
        followups=(("followups-adult-bladder-bowel-sexual-travel-skin", 90, 30),),
        claims=(("claims-adult-bladder-bowel-sexual-travel-skin", 65, 5),),
        article_check=NumberCheck(
            ("bnf-oab-antimuscarinics", "nice-ng199-cdi-antibiotics"),
            "Solifenacin 5 mg once daily [1] or vancomycin 125 mg four times a day [2].",
            "Solifenacin 20 mg is given [1], vancomycin 125 mg [2], for 9 days [1, 2].",
            ("20", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Vancomycin 0.125 g, co-amoxiclav 500 mg for 5 days [1].",
            "Vancomycin 250 mg, co-amoxiclav for 7 days [1].",
            ("250", "7"),
            passage="Vancomycin 125 mg four times a day; co-amoxiclav 500/125 mg for 5 days.",
        ),
    ),
    EvalCorpus(
        folder="adult-toxicology-tb-vascular-trauma",
        unique_facts={
            "patiromer-hyperkalaemia": ("patiromer", "Veltassa", "8.4 g"),
            "cilostazol-intermittent-claudication": ("cilostazol", "Pletal", "100 mg twice daily"),
        },
        unapproved_words=r"patiromer|veltassa|cilostazol|pletal",
        followups=(("followups-adult-toxicology-tb-vascular-trauma", 90, 30),),
        claims=(("claims-adult-toxicology-tb-vascular-trauma", 65, 5),),
        article_check=NumberCheck(
            ("bnf-antituberculosis-drugs", "plavix-clopidogrel-smpc"),
            "Isoniazid 300 mg once daily [1] or clopidogrel 75 mg once a day [2].",
            "Isoniazid 900 mg is given [1], clopidogrel 75 mg [2], for 9 days [1, 2].",
            ("900", "9"),
        ),
        paraphrase_check=NumberCheck(
            (),
            "Isoniazid 0.3 g, clopidogrel 75000 micrograms [1].",
            "Isoniazid 600 mg, clopidogrel 150 mg [1].",
            ("600", "150"),
            passage="Isoniazid 300 mg once daily; clopidogrel 75 mg once a day.",
        ),
    ),
)
WORDINGS = {
    "brand",
    "abbreviation",
    "synonym",
    "lay",
    "terse",
    "typo",
    "chatty",
    "context",
    "multi_question",
    "multi_turn",
}
DECLINES = {
    "must_decline_population",
    "must_decline_drug",
    "must_decline_indication",
    "must_decline_setting",
    "unapproved",
    "drift",
    "nonsense",
    "no_question",
    "injection",
}
CORRUPTIONS = {
    "wrong_drug",
    "wrong_condition",
    "wrong_population",
    "polarity",
    "direction",
    "number",
    "frequency",
    "unsupported_addition",
}


def by_folder(corpus: EvalCorpus) -> str:
    return corpus.folder


def followup_sets() -> list[tuple[EvalCorpus, str, int, int]]:
    return [(c, *row) for c in CORPORA for row in c.followups]


def claim_sets() -> list[tuple[EvalCorpus, str, int, int]]:
    return [(c, *row) for c in CORPORA for row in c.claims]


def set_id(value: object) -> str:
    return value.folder if isinstance(value, EvalCorpus) else str(value)


@pytest.fixture(scope="module")
def loaded() -> dict[str, dict[str, Document]]:
    """folder -> document id -> document, for every eval corpus."""
    out = {}
    for corpus in CORPORA:
        result = load_corpus([corpus.path])
        assert not result.errors, [str(e) for e in result.errors]
        out[corpus.folder] = {d.id: d for d in result.documents}
    return out


@pytest.fixture(scope="module")
def plain(loaded: dict[str, dict[str, Document]]) -> dict[str, dict[str, tuple[str, str]]]:
    """folder -> document id -> (status, plain text)."""
    return {
        folder: {d.id: (d.status, answer_text(d.text)) for d in docs.values()}
        for folder, docs in loaded.items()
    }


@pytest.fixture(scope="module")
def source_lines() -> dict[str, dict[str, dict[str, str]]]:
    """folder -> source id -> its JSON object, read straight from the files."""
    out = {}
    for corpus in CORPORA:
        files = sorted((corpus.path / "sources").glob("*.jsonl"))
        lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
        records = [json.loads(line) for line in lines if line.strip()]
        by_id = {r["id"]: r for r in records}
        assert len(by_id) == len(records), f"{corpus.folder}: a source id appears twice"
        out[corpus.folder] = by_id
    return out


def split_article(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def reference_ids(meta: dict[str, Any]) -> list[str]:
    """The source ids of an article's references, in marker order ([1] is the first)."""
    return [str(r["id"]) for r in meta["references"]]


def numbers_not_in_cited_sources(
    line: str, references: list[str] | tuple[str, ...], sources: dict[str, dict[str, str]]
) -> list[str]:
    """Numbers of each cited stretch of ``line`` that none of the passages it cites states."""
    parts = MARKERS.split(line)
    missing = []
    for text, marks in zip(parts[0::2], parts[1::2], strict=False):
        cited = [sources[references[int(m) - 1]]["text"] for m in marks.split(",")]
        for number in NUMBER.findall(text):
            alone = re.compile(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)")
            if not any(alone.search(passage) for passage in cited):
                missing.append(number)
    return missing


def numbers_not_stated(sentence: str, passage: str) -> list[str]:
    """Numbers of ``sentence`` that ``passage`` states neither as written nor in a unit
    a thousand times bigger or smaller (1 g = 1000 mg, 0.5 mg = 500 micrograms)."""
    stated = {float(n) for n in NUMBER.findall(passage)}
    missing = []
    for number in NUMBER.findall(re.sub(r"\[\d+\]", "", sentence)):
        value = float(number)
        if not {value, round(value * 1000, 6), round(value / 1000, 9)} & stated:
            missing.append(number)
    return missing


# -- the corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", CORPORA, ids=by_folder)
def test_the_corpus_has_the_articles_and_statuses_the_issue_asks_for(
    corpus: EvalCorpus, loaded: dict[str, dict[str, Document]]
) -> None:
    documents = loaded[corpus.folder]
    articles = {p.stem: split_article(p)[0] for p in corpus.articles}
    statuses = [str(meta["status"]) for meta in articles.values()]
    assert statuses.count("approved") >= 6
    assert statuses.count("under_review") == 1 and statuses.count("submitted") == 1
    assert set(corpus.unique_facts) == {a for a, m in articles.items() if m["status"] != "approved"}
    for stem, meta in articles.items():
        assert meta["id"] == stem and meta["audience"] == "clinician", stem
        assert meta["question"] and meta["references"], stem
        assert documents[stem].status == meta["status"], stem
    readme = (corpus.path / "README.md").read_text(encoding="utf-8")
    assert "SAMPLE CONTENT — NOT CLINICAL GUIDANCE" in readme
    assert all(f"`{stem}`" in readme for stem in articles)


@pytest.mark.parametrize("corpus", CORPORA, ids=by_folder)
def test_source_passages_are_short_summaries_in_our_own_words(
    corpus: EvalCorpus, source_lines: dict[str, dict[str, dict[str, str]]]
) -> None:
    for sid, record in source_lines[corpus.folder].items():
        words = len(record["text"].split())
        assert 60 <= words <= 180, f"{sid}: {words} words"
        assert record["kind"] == "summary" and record["title"], sid
        assert record["status"] in ("approved", "under_review", "submitted"), sid
        assert record.get("url", "https://").startswith("https://"), sid


def test_no_two_corpora_share_a_document_id(loaded: dict[str, dict[str, Document]]) -> None:
    sample = {d.id for d in load_corpus([ROOT / "corpus"]).documents}
    seen: set[str] = set(sample)
    for folder, documents in loaded.items():
        assert not seen & set(documents), f"{folder}: {sorted(seen & set(documents))}"
        seen |= set(documents)


ARTICLES = [(c, p) for c in CORPORA for p in c.articles]


def article_id(value: object) -> str:
    return value.stem if isinstance(value, Path) else set_id(value)


@pytest.mark.parametrize(("corpus", "path"), ARTICLES, ids=article_id)
def test_article_sections_and_citations_follow_the_corpus_readme(
    corpus: EvalCorpus, path: Path, source_lines: dict[str, dict[str, dict[str, str]]]
) -> None:
    sources = source_lines[corpus.folder]
    meta, body = split_article(path)
    references = reference_ids(meta)
    assert all(r in sources for r in references), references
    wanted = "approved" if meta["status"] == "approved" else meta["status"]
    assert all(sources[r]["status"] == wanted for r in references), references
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings[0] == "## Direct answer" and 3 <= len(headings) <= 6, headings
    assert all(h.startswith("## ") for h in headings)
    for line in body.splitlines():
        if not line.strip() or line.startswith("## "):
            continue
        assert line.rstrip().endswith("]."), f"{path.name}: uncited text in {line!r}"
        cited = [int(m) for group in MARKERS.findall(line) for m in group.split(",")]
        assert cited and all(1 <= m <= len(references) for m in cited), line


@pytest.mark.parametrize(("corpus", "path"), ARTICLES, ids=article_id)
def test_every_number_in_an_article_sentence_is_stated_by_a_source_it_cites(
    corpus: EvalCorpus, path: Path, source_lines: dict[str, dict[str, dict[str, str]]]
) -> None:
    meta, body = split_article(path)
    references = reference_ids(meta)
    for line in body.splitlines():
        if line.strip() and not line.startswith("## "):
            missing = numbers_not_in_cited_sources(line, references, source_lines[corpus.folder])
            assert not missing, f"{path.name}: {missing} not in the sources cited by {line!r}"


@pytest.mark.parametrize("corpus", CORPORA, ids=by_folder)
def test_the_number_check_catches_a_number_its_source_does_not_state(
    corpus: EvalCorpus, source_lines: dict[str, dict[str, dict[str, str]]]
) -> None:
    check, sources = corpus.article_check, source_lines[corpus.folder]
    assert numbers_not_in_cited_sources(check.good, check.refs, sources) == []
    assert numbers_not_in_cited_sources(check.bad, check.refs, sources) == list(check.missing)


UNIQUE = [(c, a) for c in CORPORA for a in sorted(c.unique_facts)]


@pytest.mark.parametrize(("corpus", "article"), UNIQUE, ids=set_id)
def test_each_non_approved_fact_is_found_nowhere_in_approved_content(
    corpus: EvalCorpus,
    article: str,
    loaded: dict[str, dict[str, Document]],
    source_lines: dict[str, dict[str, dict[str, str]]],
) -> None:
    documents, lines = loaded[corpus.folder], source_lines[corpus.folder]
    sources = reference_ids(split_article(corpus.path / "articles" / f"{article}.md")[0])
    for needle in corpus.unique_facts[article]:
        pattern = re.compile(re.escape(needle), re.IGNORECASE)
        leaks = [
            d.id
            for d in documents.values()
            if d.status == "approved" and pattern.search(f"{d.title}\n{d.text}")
        ]
        assert not leaks, f"{needle!r} is in approved content: {leaks}"
        files = [p.stem for p in corpus.articles if pattern.search(p.read_text(encoding="utf-8"))]
        assert files == [article], f"{needle!r} appears in articles {files}"
        found = [sid for sid, r in lines.items() if pattern.search(json.dumps(r))]
        assert set(found) <= set(sources), f"{needle!r} appears in sources {found}"
        assert pattern.search(documents[article].text), f"{needle!r} not in the body of {article}"


# -- the follow-ups ---------------------------------------------------------------------------


def cases(name: str) -> list[EvalCase]:
    return load_cases(DATASETS / f"{name}.jsonl")


def claims(name: str) -> list[Claim]:
    return load_claims(DATASETS / f"{name}.jsonl")


@pytest.mark.parametrize(("corpus", "name", "size", "declines"), followup_sets(), ids=set_id)
def test_the_followups_have_the_size_and_mix_the_issue_asks_for(
    corpus: EvalCorpus, name: str, size: int, declines: int
) -> None:
    group = cases(name)
    refusals = sum(c.must_refuse for c in group)
    assert len(group) >= size and refusals >= declines
    assert 0.2 < refusals / len(group) < 0.45
    assert len({c.id for c in group}) == len(group)
    for case in group:
        allowed = DECLINES if case.must_refuse else WORDINGS
        assert case.kind in allowed, f"{case.id}: kind {case.kind!r}"
    kinds = Counter(c.kind or "" for c in group)
    assert set(kinds) >= WORDINGS, WORDINGS - set(kinds)
    assert set(kinds) >= DECLINES, DECLINES - set(kinds)
    follow_ups = [c for c in group if c.history]
    assert follow_ups and not all(c.must_refuse for c in follow_ups)


@pytest.mark.parametrize("corpus", CORPORA, ids=by_folder)
def test_a_held_out_part_has_the_tuning_mix_and_no_tuning_case(corpus: EvalCorpus) -> None:
    names = [name for name, *_ in corpus.followups] + [name for name, *_ in corpus.claims]
    tuning, *held = [name for name, *_ in corpus.followups]
    for holdout in held:
        assert {c.kind for c in cases(holdout)} == {c.kind for c in cases(tuning)}
        assert not {c.id for c in cases(tuning)} & {c.id for c in cases(holdout)}
        asked = {c.question.lower() for c in cases(tuning)}
        assert not asked & {c.question.lower() for c in cases(holdout)}
    claim_names = [name for name, *_ in corpus.claims]
    seen: set[str] = set()
    for name in claim_names:
        sentences = {c.sentence for c in claims(name)}
        assert not seen & sentences, name
        seen |= sentences
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("corpus", "name", "size", "declines"), followup_sets(), ids=set_id)
def test_every_key_fact_is_stated_by_an_approved_relevant_document(
    corpus: EvalCorpus,
    name: str,
    size: int,
    declines: int,
    plain: dict[str, dict[str, tuple[str, str]]],
) -> None:
    documents = plain[corpus.folder]
    for case in cases(name):
        if case.must_refuse:
            assert not case.expect_any and not case.relevant, case.id
            continue
        assert case.expect_any and case.relevant, case.id
        unknown = [s for s in case.relevant if s not in documents]
        assert not unknown, f"{case.id}: relevant ids not in the corpus: {unknown}"
        assert all(documents[s][0] == "approved" for s in case.relevant), case.id
        assert all(grade in (1, 2) for grade in case.relevant.values()), case.id
        texts = [documents[s][1] for s in case.relevant]
        grounded = [a for a in case.expect_any if any(re.search(a, t, re.I) for t in texts)]
        assert grounded, f"{case.id}: no key fact of {case.expect_any} in its relevant sources"


@pytest.mark.parametrize(("corpus", "name", "size", "declines"), followup_sets(), ids=set_id)
def test_unapproved_cases_name_what_only_the_non_approved_articles_state(
    corpus: EvalCorpus,
    name: str,
    size: int,
    declines: int,
    plain: dict[str, dict[str, tuple[str, str]]],
) -> None:
    words = re.compile(corpus.unapproved_words, re.IGNORECASE)
    approved = " ".join(t for status, t in plain[corpus.folder].values() if status == "approved")
    assert not words.search(approved)
    for case in cases(name):
        asked = " ".join([*case.history, case.question])
        if case.kind == "unapproved":
            assert words.search(asked), case.id
        elif not case.must_refuse:
            assert not words.search(asked), case.id


@pytest.mark.parametrize(("corpus", "name", "size", "declines"), followup_sets(), ids=set_id)
def test_the_config_runs_the_cases_over_the_corpus_with_the_issue_9_bars(
    corpus: EvalCorpus, name: str, size: int, declines: int, tmp_path: Path
) -> None:
    built = build(name, tmp_path)
    assert built.cases == DATASETS / f"{name}.jsonl" and built.cases.is_file()
    assert built.corpus == [corpus.path] and corpus.path.is_dir()
    dev = load_config(DATASETS / "followups-dev.json")
    # dev's answer rules, and floors for answered / declined right under what was measured
    rules = {k: v for k, v in built.config.thresholds.items() if k in dev.thresholds}
    assert rules == dev.thresholds
    assert {"answered_right", "declined_right"} <= set(built.config.thresholds)
    assert built.config.target_thresholds == {"answered_right": 0.85, "declined_right": 0.95}


# -- the claims -------------------------------------------------------------------------------


@pytest.mark.parametrize(("corpus", "name", "size", "each"), claim_sets(), ids=set_id)
def test_the_claims_are_faithful_paraphrases_and_minimal_corruptions_of_every_kind(
    corpus: EvalCorpus, name: str, size: int, each: int
) -> None:
    group = claims(name)
    assert len(group) >= size and len({c.id for c in group}) == len(group)
    kinds = Counter(c.kind for c in group)
    assert 0.35 <= kinds["paraphrase"] / len(group) <= 0.45, kinds
    assert all(kinds[k] >= each for k in CORRUPTIONS), kinds
    assert set(kinds) == CORRUPTIONS | {"paraphrase"}, kinds
    assert all(c.supported == (c.kind == "paraphrase") for c in group)
    supported = {c.sentence for c in group if c.supported}
    assert not [c.id for c in group if not c.supported and c.sentence in supported]
    assert len({c.sentence for c in group}) == len(group)


@pytest.mark.parametrize(("corpus", "name", "size", "each"), claim_sets(), ids=set_id)
def test_claims_cite_approved_documents_with_matching_markers(
    corpus: EvalCorpus,
    name: str,
    size: int,
    each: int,
    plain: dict[str, dict[str, tuple[str, str]]],
) -> None:
    documents = plain[corpus.folder]
    for claim in claims(name):
        markers = set(re.findall(r"\[(\d+)\]", claim.sentence))
        assert markers == set(claim.citations), claim.id
        for doc in claim.citations.values():
            assert doc in documents and documents[doc][0] == "approved", f"{claim.id}: {doc}"


@pytest.mark.parametrize(("corpus", "name", "size", "each"), claim_sets(), ids=set_id)
def test_every_paraphrase_number_is_stated_and_every_corruption_is_minimal(
    corpus: EvalCorpus,
    name: str,
    size: int,
    each: int,
    plain: dict[str, dict[str, tuple[str, str]]],
) -> None:
    """A paraphrase states only numbers its cited documents state; a corruption has at most
    one number they do not state and is not a copy of a sentence they state."""
    documents = plain[corpus.folder]
    for claim in claims(name):
        cited = " ".join(documents[doc][1] for doc in claim.citations.values())
        missing = numbers_not_stated(claim.sentence, cited)
        if claim.supported:
            assert not missing, f"{claim.id}: {missing} not in {list(claim.citations.values())}"
        else:
            assert len(missing) <= 1, claim.id
            bare = re.sub(r"\s*\[\d+\]", "", claim.sentence).rstrip(".")
            assert bare.lower() not in cited.lower(), claim.id


@pytest.mark.parametrize("corpus", CORPORA, ids=by_folder)
def test_the_paraphrase_number_check_accepts_units_and_catches_new_numbers(
    corpus: EvalCorpus,
) -> None:
    check = corpus.paraphrase_check
    assert numbers_not_stated(check.good, check.passage) == []
    assert numbers_not_stated(check.bad, check.passage) == list(check.missing)
