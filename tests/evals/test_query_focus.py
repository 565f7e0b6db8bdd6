"""Chatty consumer messages are searched as what they ask."""

from __future__ import annotations

import pytest

from assistant.index.query import focus_query


@pytest.mark.parametrize(
    ("message", "focused"),
    [
        (
            "Hello doctor, I hope you are well. I was wondering if mebendazole is safe for a "
            "2 year old with worms? Any advice would be appreciated. Thank you!",
            "mebendazole is safe for a 2 year old with worms?",
        ),
        (
            "Sorry to bother you. My husband is 70 and has diabetes. What are the symptoms of "
            "glaucoma? Many thanks in advance.",
            "My husband is 70 and has diabetes. What are the symptoms of glaucoma?",
        ),
        (
            "Good morning everyone! What causes high blood pressure in young adults who run?",
            "What causes high blood pressure in young adults who run?",
        ),
    ],
)
def test_pleasantries_are_dropped_and_content_kept(message: str, focused: str) -> None:
    assert focus_query(message) == focused


def test_a_greeting_word_opens_a_sentence_that_is_still_kept_with_its_appended_names() -> None:
    """ "Hiya" is no "hi" sentence to drop, nor are the names appended after "Thanks!"."""
    message = (
        "Hiya - chap had an MI 2 months ago and wants some Cialis for his anniversary. "
        "Is that OK? Thanks! (tadalafil)"
    )
    focused = focus_query(message)
    assert "Cialis" in focused and "Is that OK?" in focused and focused.endswith("(tadalafil)")
    assert "Thanks" not in focused


def test_short_or_all_pleasantry_messages_are_left_alone() -> None:
    assert focus_query("Thanks, what about 50 mg?") == "Thanks, what about 50 mg?"
    only = "Hi there! Thank you so much for all your help with everything so far, much appreciated."
    assert focus_query(only) == only
