"""Does the supporting sentence say what the answer sentence says? Checks on meaning, in code.

Word overlap keeps a sentence that takes every number from its passage and reverses what they
mean ("changes from partial to full blockade at 4.5 mg", where 4.5 mg is the *partial* dose).
These checks compare one answer sentence with one sentence of a cited passage (its
*supporting sentence*; a run of adjacent ones is read the same way, see
:mod:`assistant.verify.support`) and say why it does not support it:

- values (:mod:`assistant.meaning.values`): every number, dose, unit and frequency of the
  answer sentence is in the supporting sentence by value ("1 g" is "1000 mg", "once a day" is
  "every 24 hours", "4.5 mg/day" is "4.5 mg daily", per-kg doses keep their unit), and values
  stated together in one clause of the answer are stated together in the support, drug by
  drug ("every 48 hours ... below 30 mL/min" is not "every 24 hours at 10 to less than 30
  mL/min and every 48 hours below 10 mL/min");
- a value's bound agrees ("below 30" is not "30 or more", "no more than 4 mg" is a maximum,
  "no earlier than 4 hours" is not "no later than 4 hours");
- ages (:mod:`assistant.meaning.ages`): "6 months to 6 years" is not "6-12 years",
  adolescents are not infants;
- a direction named in the answer (partial/full, before/after, increase/decrease) is named in
  the support; the advice agrees (:mod:`assistant.meaning.advice`: recommended, not advised);
- negations agree: what the support negates the answer does not affirm, and the reverse;
- named things (:mod:`assistant.meaning.entities`): a drug, condition or population named in
  the answer is named in the support or in the title/heading of its passage, by any of its
  names, and is not one the title names in place of another of its kind that the support
  names ("high-flow" where the support says "bilevel"); the setting of care agrees;
- inside the sentences (:mod:`assistant.meaning.clauses`): denials reach the same words, each
  value goes with the same treatment, condition, direction and regimen step, each drug with
  its route, and what comes before what is kept in order.

:func:`contradiction` tells when another cited sentence says the opposite of what the
supporting sentence leaves out.

Deterministic and fast: plain functions over strings, the terminology and a versioned
lexicon (``assistant/language/data/meaning.v2.yaml``).
"""

from __future__ import annotations

import re

from assistant.language import quantities
from assistant.language.grammar import grammar
from assistant.language.markers import strip as strip_markers
from assistant.language.negation import negated_words, negation_tokens
from assistant.language.quantities import Fact, Quantity
from assistant.language.sentences import clauses, comma_pieces
from assistant.language.terminology import Terminology, default_terminology
from assistant.language.tokens import STOPWORDS, stem, stems
from assistant.meaning.advice import AGAINST, advice, advice_problem
from assistant.meaning.ages import age_problem, older_group, sex_age_problem
from assistant.meaning.clauses import (
    attachment_problem,
    order_problem,
    polarity_problem,
    route_problem,
    same_denial,
)
from assistant.meaning.comparators import unturned
from assistant.meaning.entities import entity_problem, setting_problem
from assistant.meaning.lexicon import Lexicon, lexicon
from assistant.meaning.prefixes import prefix_problem
from assistant.meaning.sequence import sequence_problem
from assistant.meaning.sexes import SEX_POLE
from assistant.meaning.value_text import normalize
from assistant.meaning.values import (
    bounds,
    claim_facts,
    grounded,
    scoped,
    sides_of,
    unbounded,
    unnumbered,
)
from assistant.meaning.windows import minimal, stated_with
from assistant.meaning.windows import windows as windows_of

facts = claim_facts


def _clause_mismatch(
    clause: str, support: str, lex: Lexicon, terminology: Terminology
) -> str | None:
    """What differs between a claim clause stating numbers and the smallest stretches of the
    support that state them together (and no other value of their kind), sharing most words
    with it. Values given to two drugs ("levetiracetam 40 mg/kg over 5 minutes with phenytoin
    20 mg/kg") are stated together drug by drug; a value that cannot be mistaken for another
    (see :func:`_free`) need not be stated with the rest."""
    together = facts(clause)
    needed = [f for f in together if not _free(f, together, support)]
    targets, stretches = [], []  # the smallest windows (for bounds), the closest (negations)
    windows = windows_of(support)
    for group in _by_drug(clause, needed, terminology):
        stating = [w for w in windows if stated_with(group, clause, w[2])]
        if not stating and len(group) == 1:  # a value alone is stated with nothing else
            stating = [w for w in windows if grounded(group[0], [w[2]])]
        if not stating:
            stated = ", ".join(f.text for f in group)
            return f"{stated} are not stated together in the cited sentence"
        words = stems(clause)
        closest = max(stating, key=lambda w: (len(words & stems(w[2])), -len(w[2])))
        best = max(minimal(stating), key=lambda w: (len(words & stems(w[2])), -len(w[2])))
        targets.append(best[2])
        stretches.append(closest[2])
    piece = _piece_apart(clause, support, windows)
    if piece:
        return f"the values of {piece!r} are not stated together in the cited sentence"
    for value, side in bounds(clause):
        holding = set().union(*[sides_of(t, value) for t in targets if sides_of(t, value)])
        if holding <= {None}:  # a bound said of the value further on ("which is the maximum")
            holding |= sides_of(support, value) | _listed_limit(support, value)
        if side not in holding:
            return f"{value.text} is bounded {side} in the answer, not in the cited sentence"
    return negation_problem(unturned(clause), unturned(" ".join(stretches) or support), lex)


def _piece_apart(clause: str, support: str, windows: list[tuple[int, int, str]]) -> str | None:
    """The comma piece of a claim clause (a step of a regimen: "0.5 mg twice a day for the
    first 3 days") whose values no stretch of the support states together, where the clause
    has two or more such pieces; None when each is stated together."""
    pieces = [p for p in comma_pieces(clause) if len(facts(p)) >= 2]
    if len(pieces) < 2:
        return None
    for piece in pieces:
        found = [f for f in facts(piece) if not _free(f, facts(piece), support)]
        if len(found) >= 2 and not any(stated_with(found, piece, w[2]) for w in windows):
            return piece.strip()
    return None


_LIMIT_WORD = re.compile(r"\b(?:(maxim\w*|highest|upper limit)|(minim\w*|lowest))\b", re.I)


def _listed_limit(support: str, value: Quantity) -> set[str | None]:
    """The bound a limit named earlier in the support's clause puts on a value listed after
    it ("maximum daily doses were set: 40 mg for adults, and 20 mg for those over 65")."""
    plain = quantities.masked(support)
    found: set[str | None] = set()
    for q in quantities.quantities(plain):
        if not q.same(value):
            continue
        before = re.split(r";|\.\s", plain[: q.start])[-1]
        words = list(_LIMIT_WORD.finditer(before))
        if words:
            found.add("below" if words[-1].group(1) else "above")
    return found


def _free(fact: Fact, together: list[Fact], support: str) -> bool:
    """Whether a value need not be stated with the clause's other values: a dosing frequency
    the support gives no other of ("... 10-12 years 15 mL, each up to 3 times in 24 hours"
    after a list of doses), or a concentration, a property of the product ("adrenaline 1
    mg/mL")."""
    if len(together) < 2:
        return False
    if isinstance(fact, quantities.Quantity):
        return fact.dimension in ("mass", "amount", "units") and bool(
            set(fact.per) & {"mL", "L", "dL"}
        )
    rates = {_value_key(f) for f in facts(support) if isinstance(f, quantities.Frequency)}
    return len(rates) == 1


def _value_key(fact: Fact) -> object:
    if isinstance(fact, quantities.Frequency):
        return (fact.per_day, fact.at_night)
    return fact.key


def _by_drug(clause: str, found: list[Fact], terminology: Terminology) -> list[list[Fact]]:
    """The clause's values grouped by the drug named before them, where it names two or more
    drugs (values before the first go with it); one group otherwise. No empty group."""
    drugs = [m for m in terminology.scan(clause) if m.concept.kind == "drug"]
    if len({m.concept.id for m in drugs}) < 2:
        return [found] if found else []
    groups: dict[int, list[Fact]] = {}
    for fact in found:
        before = [i for i, m in enumerate(drugs) if m.start <= fact.start]
        groups.setdefault(before[-1] if before else 0, []).append(fact)
    return [g for _, g in sorted(groups.items())]


def clause_problem(claim: str, support: str, lex: Lexicon, terminology: Terminology) -> str | None:
    """Why a clause of the claim that states numbers has no clause of the support that states
    them all, with the same bounds (below/above) and the same negation; or None."""
    for clause in clauses(claim):
        if facts(clause):
            problem = _clause_mismatch(clause, support, lex, terminology)
            if problem:
                return problem
    return None


# A comparative that sizes a change is no direction: "a greater reduction" is a reduction.
_MAGNITUDE = re.compile(
    r"\b(?:greater|larger|bigger|more|smaller|less)\s+(?=(?:[a-z]+\s+)?(?:reduction|decrease|"
    r"decline|drop|fall|loss|increase|rise|gain|improvement)s?\b)",
    re.IGNORECASE,
)


# Words that state no direction of the claim's own: a discourse step ("and after that,
# moderate-dose MART") and the alternative a claim rules out ("straight away rather than
# after a scan").
_NO_DIRECTION = re.compile(
    r"\b(?:after|before) (?:that|this|which)\b|\b(?:rather than|instead of)\b[^,.;]*", re.I
)


def _directions(text: str) -> str:
    return _MAGNITUDE.sub("", text.replace("-", " "))  # "higher-than-recommended"


def pole_problem(claim: str, support: str, lex: Lexicon, passage: str = "") -> str | None:
    """Why a direction the claim names (partial/full, before/after...) is not the support's.
    A comparator of a value ("aged 6 weeks or older") is no direction: its bound is compared
    by value. A sex the support leaves unsaid may be the one its ``passage`` (title, earlier
    sentences) speaks of: "a woman ... is reviewed at 4 weeks" in a passage on women."""
    claim = _NO_DIRECTION.sub(" ", _directions(unbounded(claim)))
    support = _directions(support)
    for pole in lex.poles:
        sides = ((pole.a, pole.b, pole.a_support), (pole.b, pole.a, pole.b_support))
        for side, other, also in sides:
            said = side.search(claim)
            if not said or side.search(support) or (also and also.search(support)):
                continue
            if pole.name == SEX_POLE and side.search(passage) and not other.search(passage):
                continue
            problem = f"{said.group(0)!r} is not what the cited sentence says"
            if other.search(support):
                return f"{problem} (it says the opposite)"
            if not pole.opposite_only:
                return problem
    return None


def _negated_words(text: str, lex: Lexicon) -> tuple[set[str], set[str]]:
    return negated_words(text, lex.same)


def _second_negated(text: str, lex: Lexicon) -> set[str]:
    """Stems of the second content word after each negation: "no apparent benefit" denies
    the benefit, though the negation reaches "apparent" first."""
    found: set[str] = set()
    pending = 0
    negations = grammar().negations
    for token in negation_tokens(text):
        if token in negations:
            pending = 2
        elif token[0].isalpha() and len(token) > 2 and token not in STOPWORDS:
            if pending == 1:
                found.add(stem(lex.same.get(token, token)))
            pending = max(0, pending - 1)
    return found


def flipped_negation(
    claim: str, support: str, lex: Lexicon, agreed: frozenset[str] = frozenset()
) -> str | None:
    """Why the claim affirms what the support negates ("interchangeable" against "not
    interchangeable") or negates what it affirms; words only one side uses are not judged,
    nor a word one side negates behind a modifier ("no benefit", "no apparent benefit"),
    nor one in ``agreed`` (stated as the claim states it by the claim's own support)."""
    claim_in, claim_out = _negated_words(claim, lex)
    support_in, support_out = _negated_words(support, lex)
    claim_near, support_near = _second_negated(claim, lex), _second_negated(support, lex)
    flipped = (claim_out & support_in - support_out - claim_near) | (
        claim_in & support_out - support_in - support_near
    )
    flipped -= same_denial(claim, support) | agreed
    if flipped:
        return f"negation differs from the cited sentence on {sorted(flipped)[0]!r}"
    return None


def negation_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    """:func:`flipped_negation`, or a claim that negates where the support does not."""
    problem = flipped_negation(claim, support, lex)
    if problem:
        return problem
    claim_in, _ = _negated_words(claim, lex)
    support_in, _ = _negated_words(support, lex)
    if claim_in and not support_in and advice(support) != AGAINST:
        return "the answer negates what the cited sentence states without negation"
    return None


def fact_problem(claim: str, support: str) -> str | None:
    """Why a number or frequency of the claim is not in the supporting sentence."""
    for fact in facts(claim):
        if not grounded(fact, [support]):
            return f"{fact.text!r} is not in the cited sentence"
    return None


def meaning_problem(
    claim: str,
    support: str,
    context: str = "",
    terminology: Terminology | None = None,
    earlier: str = "",
) -> str | None:
    """Why ``support`` (one passage sentence; ``context`` its title/heading, ``earlier`` the
    passage's sentences before it) does not say what ``claim`` (one answer sentence or clause,
    markers allowed) says, or None when it does. ``terminology`` reads the drugs, conditions
    and populations (the default one when None)."""
    lex = lexicon()
    terms = terminology or default_terminology()
    plain, support = normalize(strip_markers(claim)), normalize(support)
    plain, support = unnumbered(plain, terms), unnumbered(support, terms)
    plain = scoped(plain, support, normalize(context))
    return (
        fact_problem(plain, support)
        or clause_problem(plain, support, lex, terms)
        or age_problem(plain, support)
        or _sex_problem(plain, support, lex)
        or pole_problem(
            older_group(plain, support), support, lex, normalize(f"{context}\n{earlier}")
        )
        or prefix_problem(plain, support)
        or _polarity(unturned(plain), unturned(support), lex)
        or entity_problem(plain, support, context, lex, terms, normalize(earlier))
        or attachment_problem(plain, support, lex, terms)
        or route_problem(plain, support, terms)
        or setting_problem(plain, support, lex)
        or order_problem(plain, support)
        or sequence_problem(plain, support, terms)
    )


def _polarity(claim: str, support: str, lex: Lexicon) -> str | None:
    """Advice, negations and denials compared (negations that turn a comparator read as
    bounds, see :func:`unturned`)."""
    return (
        advice_problem(claim, support)
        or negation_problem(claim, support, lex)
        or polarity_problem(claim, support)
    )


def _sex_problem(claim: str, support: str, lex: Lexicon) -> str | None:
    sexes = lex.pole(SEX_POLE)
    return sex_age_problem(claim, support, (sexes.a, sexes.b)) if sexes else None


def agreed_negation(claim: str, support: str) -> frozenset[str]:
    """The claim's words its support states with the same negation: "no visual symptoms"
    and "without visual symptoms" agree on "visual"."""
    lex = lexicon()
    claim_in, claim_out = _negated_words(normalize(strip_markers(claim)), lex)
    support_in, support_out = _negated_words(normalize(support), lex)
    return frozenset((claim_in & support_in - support_out) | (claim_out & support_out - support_in))


def contradiction(claim: str, sentence: str, agreed: frozenset[str] = frozenset()) -> str | None:
    """Why ``sentence`` (another sentence of a cited passage) says the opposite of ``claim``:
    a negation flipped (but on a word in ``agreed``: the claim's support says it as the
    claim does), the opposite direction, the opposite polarity; or None."""
    lex = lexicon()
    plain, sentence = normalize(strip_markers(claim)), normalize(sentence)
    pole = pole_problem(plain, sentence, lex)
    if pole and pole.endswith("(it says the opposite)"):
        return pole
    return (
        prefix_problem(plain, sentence)
        or flipped_negation(plain, sentence, lex, agreed)
        or polarity_problem(plain, sentence)
        or _advice_reversed(plain, sentence)
    )


def _advice_reversed(claim: str, sentence: str) -> str | None:
    """Why ``sentence`` advises against what the claim recommends, or the reverse."""
    problem = advice_problem(claim, sentence)
    return problem if problem and advice(sentence) is not None else None
