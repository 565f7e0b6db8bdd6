"""Drug classes written otherwise than the datasets name them: in the singular ("an oral
antiviral" for "antivirals"), after one of their members ("tetracycline-class", "penicillin
type"), or as an antagonist where the datasets say blocker ("calcium antagonists" for
"calcium channel antagonists", "calcium channel blockers")."""

from __future__ import annotations

from assistant.language.terminology.build import TermIndex

CLASS_WORDS = frozenset({"class", "type", "family", "group"})
MIN_SINGULAR_CLASS = 6  # letters of a word read as the singular of a plural-only drug name
SINGULAR_KINDS = ("drug", "class")  # "antivirals" is a drug group the datasets do not list
MEMBER_KINDS = ("class",)  # "tetracyclines" is a class with members


def plural_named(index: TermIndex, word: str, kinds: tuple[str, ...]) -> tuple[int, ...] | None:
    """The concepts of ``kinds`` whose name is the plural of ``word``: a class written in the
    singular ("an oral antiviral": antivirals, with ``SINGULAR_KINDS``) or after one of its
    members ("tetracycline class": tetracyclines, with ``MEMBER_KINDS``)."""
    hit = index.variants.get(f"{word}s")
    if hit and all(index.kinds[n] in kinds for n in hit):
        return tuple(hit)
    return None


# What blocks a receptor or a channel is its antagonist: pharmacology names a class either way
# ("beta-blockers" and "beta antagonists", "H2 blockers" and "H2 receptor antagonists").
_ACTIONS = {"antagonist": "blocker", "blocker": "antagonist"}
_TARGETS = ("", "channel ", "receptor ")


def action_named(index: TermIndex, key: str) -> tuple[str, tuple[int, ...]] | None:
    """The class a name of two or more words ending in "antagonist(s)" or "blocker(s)" names
    under the other word or with its target written out ("calcium antagonists": calcium
    channel antagonists), with the name matched; None when no such class is known."""
    head, _, last = key.rpartition(" ")
    plural = last.endswith("s")
    action = last[:-1] if plural else last
    if not head or action not in _ACTIONS:
        return None
    for word in (action, _ACTIONS[action]):
        for target in _TARGETS:
            for suffix in ("s", ""):
                name = f"{head} {target}{word}{suffix}"
                hit = index.variants.get(name)
                if name != key and hit and all(index.kinds[n] == "class" for n in hit):
                    return name, tuple(hit)
    return None
