"""Verification findings in words a reviewer understands, each naming its sentence.

The pipeline, the verifier and the review workflow record findings as compact internal
strings ("best passage similarity 0.14 is under the floor 0.20", "removed unsupported sentence
(only 14% of its words are in the cited passage(s)): '...'"). The stored strings stay as they
are (the audit trail signs them); this module says them again for display: what was found, in
plain words, and the answer sentence it is about (None when it is about the whole question).
A finding it does not know is shown as stored.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from assistant.language.markers import MARKER_BODY

# Where the quoted sentence a finding is about may start: "...: 'The dose is 9 mg [1].'".
_QUOTE_START = re.compile(r""":\s+(?=['"])""")
# The id of the verification rule that made a finding: "... [rule: sentence-support]: '...'".
_RULE = re.compile(r"\s*\[rule: [\w-]+\]\s*$")
_CLOSEST = re.compile(r"""\s*\(closest: (['"]).*\1\)\s*$""", re.DOTALL)

# (pattern over the whole finding, plain words; {1}, {2} are the pattern's groups)
_ABOUT_THE_QUESTION = [
    (
        r"best passage similarity ([\d.]+) is under (?:the floor )?([\d.]+)",
        "No approved passage is close to this question (best match {1} similar, {2} needed): "
        "it is off-topic for the approved corpus.",
    ),
    (r"not addressed by the passages: (.+)", "The approved sources do not address: {1}."),
    (r"message: term_only", "The message is a bare term; the reply asked for the question."),
    (r"message: context_only", "The message asks nothing; the reply asked for the question."),
    (r"message: foreign", "The message is not in English, which the sources and checks need."),
    (r"message: injection_only", "The message only tried to change the assistant's rules."),
    (r"no sentence relevant enough to quote", "No passage sentence answers it closely enough."),
    (
        rf"(?:removed )?citation \[({MARKER_BODY})\](?::| resolves to) no .*passage.*",
        "Citation [{1}] pointed to no passage retrieved for this question.",
    ),
]
_NOTES = [
    (
        r"answered by the extractive generator: (.+)",
        "The model's answer was replaced by quotes from the sources: {1}.",
    ),
    (r"model answer discarded: (.+)", "The model's answer was discarded: {1}."),
    (r"the model chose sentences (.+)", "The model chose sentences {1} of the passages."),
    (r"removed (\d+) (.+) from the model's text", "Removed {1} {2} from the model's text."),
]
# Why a sentence is not supported ("removed unsupported sentence (WHY): '...'").
_WHY = [
    (r"no citation", "it cites no source"),
    (
        r"only (\d+)% of its words are in the cited passage\(s\)",
        "most of its words are not in the passage it cites (only {1}% are)",
    ),
    (
        r"only (\d+)% of its words are in the closest cited sentence",
        "no sentence of the cited passage says it ({1}% of its words at best)",
    ),
    (r"'(.+?)\*?' is not named in the cited sentence", "the cited passage does not name {1}"),
    (r"'(.+)' is not in the cited passage\(s\)", "the cited passage does not state {1}"),
    (
        r"the answer negates what the cited sentence states without negation",
        "it negates what the cited passage states",
    ),
    (
        r"the cited sentence negates what the answer states without negation",
        "the cited passage says the opposite",
    ),
    (
        r"(.+) are not stated together in the cited sentence",
        "the cited passage does not state {1} together as this sentence does",
    ),
    (r"model judge: not supported by .*", "a second model judged it unsupported"),
]
# What is said about one sentence ("HEAD: 'sentence'").
_ABOUT_A_SENTENCE = [
    (r"removed unsupported sentence \((.+)\)", "Removed from the answer: {why}."),
    (r"unsupported sentence \((.+)\)", "Not supported by its citation: {why}."),
    (r"'(.+)' is not in the cited passage\(s\)", "The cited passage does not state {1}."),
    (r"uncited sentence states (.+)", "States {1} without citing a source."),
    (r"removed a repeated sentence", "Removed from the answer: it repeats an earlier sentence."),
    (
        r"says nothing beyond citation markers and the titles of its sources",
        "Says nothing beyond citation numbers and source titles.",
    ),
]
_JUDGED = re.compile(r"model judge: (\w+)")


@dataclass(frozen=True)
class Finding:
    """One finding for display: ``says`` in plain words, about ``sentence`` (or the question)."""

    says: str
    sentence: str | None
    raw: str
    problem: bool = True  # False: a note on how the answer was made, nothing to correct


def _say(table: list[tuple[str, str]], text: str, **extra: str) -> str | None:
    for pattern, words in table:
        match = re.fullmatch(pattern, text.strip(), re.DOTALL)
        if match:
            return words.format(match[0], *match.groups(), **extra)  # {1} is group 1
    return None


def _percent(text: str) -> str:
    """'0.14' as '14%' inside a sentence."""
    return re.sub(r"\b0?\.(\d\d)\b", lambda m: f"{int(m[1])}%", text)


def _split(raw: str) -> tuple[str, str | None]:
    """(the finding, the sentence it ends by quoting, or None): the first ": '...'" whose rest
    is one whole string literal (a "(closest: '...')" inside the finding is not)."""
    for match in _QUOTE_START.finditer(raw):
        try:
            value = ast.literal_eval(raw[match.end() :].strip())
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, str):
            return raw[: match.start()], value
    return raw, None


def _why(problem: str) -> str:
    problem = _CLOSEST.sub("", _RULE.sub("", problem))
    return _say(_WHY, problem) or problem.strip()


def _about_sentence(head: str, sentence: str, raw: str) -> Finding:
    head = _RULE.sub("", head)
    judged = _JUDGED.fullmatch(head.strip())
    if judged:
        words = f"A second model judged this sentence {judged[1].lower()}."
        return Finding(words, sentence, raw, problem=False)
    match = re.fullmatch(r"(?:removed )?unsupported sentence \((.+)\)", head.strip(), re.DOTALL)
    why = _why(match[1]) if match else ""
    says = _say(_ABOUT_A_SENTENCE, head, why=why) or head.strip().capitalize() + "."
    return Finding(says, sentence, raw)


def explain(raw: str) -> Finding:
    """One stored finding in plain words, with the sentence it names."""
    about_question = _say(_ABOUT_THE_QUESTION, _RULE.sub("", raw))
    if about_question is not None:
        return Finding(_percent(about_question), None, raw)
    head, sentence = _split(raw)
    if sentence is not None:
        return _about_sentence(head, sentence, raw)
    note = _say(_NOTES, _RULE.sub("", raw))
    if note is not None:
        return Finding(note, None, raw, problem=False)
    return Finding(raw.strip()[:1].upper() + raw.strip()[1:], None, raw)


_VERDICT = re.compile(r"^(?:removed from the answer|not supported by its citation): ", re.I)


def explain_all(findings: list[str]) -> list[Finding]:
    """Every finding in plain words, each once: two checks that say the same of one sentence
    (the number check and the sentence check both find "900 mg" missing) are shown once."""
    shown: dict[tuple[str | None, str], Finding] = {}
    for raw in findings:
        finding = explain(raw)
        key = (finding.sentence, _VERDICT.sub("", finding.says).rstrip(".").lower())
        shown.setdefault(key, finding)
    return list(shown.values())
