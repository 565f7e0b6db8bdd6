"""Rule-based follow-up rewriting into standalone questions."""

from __future__ import annotations

from assistant.condense import changes_subject, condense, leans_on, needs_context

FIRST = "At what dose does naltrexone change from partial to full opioid blockade?"


def test_follow_up_is_joined_to_the_previous_question() -> None:
    standalone = condense("and at 50 mg?", [FIRST])
    assert standalone.startswith("At 50 mg?")
    assert FIRST in standalone


def test_self_contained_question_is_left_alone() -> None:
    question = "What dose of mebendazole treats ascariasis in a 14 kg child?"
    assert condense(question, [FIRST]) == question


def test_pronoun_needs_context() -> None:
    assert needs_context("Is it safe in pregnancy?")
    assert needs_context("what can I add, and when should I review him?")
    assert not needs_context("Is polyethylene glycol safe in pregnancy?")


def test_only_the_latest_context_is_kept() -> None:
    second = condense("and at 50 mg?", [FIRST])
    third = condense("what about 100 mg?", [FIRST, second])
    assert third.count("follow-up to:") == 1
    assert third.startswith("100 mg?") and FIRST in third


def test_article_title_is_context_for_the_first_question() -> None:
    standalone = condense("What is the dose for children?", [], topic="Mebendazole for ascariasis")
    assert "Mebendazole for ascariasis" in standalone


def test_a_change_of_topic_starts_afresh() -> None:
    question = "ok thanks. separately - when is the flu jab due for over 65s?"
    assert condense(question, [FIRST]) == "when is the flu jab due for over 65s?"
    assert not needs_context(question)


def test_a_question_naming_nothing_of_its_own_leans_on_what_it_picks_up() -> None:
    earlier = ["ldn fibro evidence?", "A 2009 pilot study in 10 women found less pain."]
    assert leans_on("how many women were in the first pilot?", earlier)
    assert not leans_on("who won the champions league last year?", earlier, {"year"})
    assert not leans_on("unrelated, but how many women were in the first pilot?", earlier)
    standalone = condense("how many women were in the first pilot?", [earlier[0]], leans=True)
    assert standalone.endswith("(follow-up to: ldn fibro evidence?)")


def test_a_cued_complete_question_on_nothing_said_before_is_a_new_subject() -> None:
    earlier = ["alendronic acid - how long upright after?", "Stay upright for 30 minutes."]
    drift = "also, which walking boots are best for a week in the hills?"
    assert changes_subject(drift, earlier, (), names_concepts=False)
    # A pronoun, a named concept, a shared word or too few words of its own: still a follow-up.
    assert not changes_subject("also, can she take it after breakfast?", earlier, (), False)
    assert not changes_subject(drift, earlier, (), names_concepts=True)
    assert not changes_subject("also, how long upright when travelling?", earlier, (), False)
    assert not changes_subject("also, how long?", earlier, (), False)
    # Without a cue nothing changes: such a question never leaned on what came before.
    assert not changes_subject("which walking boots are best?", earlier, (), False)


def test_still_and_what_next_lean_on_the_turn_before() -> None:
    """ "Still breathless on exertion - what gets added next?" after the treatment so far is
    about that treatment, though it shares no word with it."""
    assert needs_context("still breathless on exertion - what gets added next?")
    assert needs_context("still tired and achy after the course, what now?")
    assert needs_context("what next?")
