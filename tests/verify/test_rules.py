"""The verification checks as a registry of named rules: each removed sentence's finding names
the rule that removed it, so reviewers and evals can count findings by rule; the wording of
the finding is unchanged."""

from __future__ import annotations

import re

import pytest

from assistant.verify import OTHER_RULES, RULES, check_sentences, sanitize

PASSAGES = ["Croup is treated with a single dose of dexamethasone 0.15 mg/kg by mouth."]
CONTEXTS = ["Croup in children"]


def _rule(finding: str) -> str:
    found = re.search(r"\[rule: ([\w-]+)\]: ", finding)
    assert found, finding
    return found[1]


def test_every_rule_has_its_own_id() -> None:
    ids = [rule.id for rule in (*RULES, *OTHER_RULES)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z-]+", i) for i in ids)


@pytest.mark.parametrize(
    ("sentence", "rule", "why"),
    [
        ("Croup in children [1].", "says-something", "it says nothing beyond citation markers"),
        ("Croup is treated with dexamethasone 0.15 mg/kg by mouth.", "cited", "no citation"),
        (
            "Croup is treated with dexamethasone 0.6 mg/kg by mouth [1].",
            "values-in-passages",
            "'0.6 mg/kg' is not in the cited passage(s)",
        ),
        (
            "Antibiotics shorten the illness of patients with bronchiolitis [1].",
            "words-in-passages",
            "of its words are in the cited passage(s)",
        ),
    ],
)
def test_a_removed_sentence_names_the_rule_that_removed_it(
    sentence: str, rule: str, why: str
) -> None:
    checked = check_sentences(sentence, PASSAGES, "croup treatment", 0.5, CONTEXTS)
    assert checked.text == "" and checked.removed == [sentence]
    (finding,) = checked.findings
    assert finding.startswith(f"removed unsupported sentence ({checked.problems[0].why})")
    assert why in finding and finding.endswith(f": {sentence!r}")
    assert _rule(finding) == rule == checked.problems[0].rule


def test_a_supported_sentence_passes_every_rule_and_a_repeat_is_named() -> None:
    good = "Croup is treated with a single dose of dexamethasone 0.15 mg/kg by mouth [1]."
    checked = check_sentences(f"{good} {good}", PASSAGES, "croup treatment", 0.5, CONTEXTS)
    assert checked.text == good and not checked.removed
    (finding,) = checked.findings
    assert finding.startswith("removed a repeated sentence") and _rule(finding) == "repeated"


def test_markup_and_citations_to_no_passage_are_findings_of_their_rules() -> None:
    good = "Croup is treated with a single dose of dexamethasone 0.15 mg/kg by mouth"
    checked = check_sentences(f"{good} [1, 7].", PASSAGES, "croup treatment", 0.5, CONTEXTS)
    assert checked.text == f"{good} [1]."
    assert checked.findings == [
        "removed citation [7]: no passage with that number was given [rule: cited-passage]"
    ]
    clean = sanitize(f"<b>{good}</b> [1].")
    assert clean.text == f"{good} [1]."
    assert clean.findings == ["removed 2 HTML tag(s) from the model's text [rule: markup]"]


def test_a_sentence_its_cited_passage_holds_word_for_word_is_kept() -> None:
    """A label's sentence quoted whole says what the label says: it is not split into parts
    and each held against the whole (which read "advises ... caution" as advice against)."""
    passage = (
        "Cefuroxime is contraindicated after known hypersensitivity to cefuroxime or other "
        "cephalosporins; the label advises asking about previous reactions to cephalosporins, "
        "penicillins or other drugs and using caution in penicillin-sensitive patients, because "
        "cross-hypersensitivity among beta-lactams can occur. It is taken with food."
    )
    quoted = passage.split(". It is")[0] + " [1]."
    question = "is cefuroxime safe with a penicillin allergy?"
    checked = check_sentences(quoted, [passage], question, 0.5)
    assert checked.text == quoted and not checked.findings
    # One word changed is no quotation: it is checked as any sentence is.
    changed = quoted.replace("contraindicated", "recommended")
    assert check_sentences(changed, [passage], question, 0.5).findings
