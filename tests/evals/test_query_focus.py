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


def test_short_or_all_pleasantry_messages_are_left_alone() -> None:
    assert focus_query("Thanks, what about 50 mg?") == "Thanks, what about 50 mg?"
    only = "Hi there! Thank you so much for all your help with everything so far, much appreciated."
    assert focus_query(only) == only
