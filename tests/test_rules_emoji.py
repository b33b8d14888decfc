"""Emoji read as words in the matching view (lexicons/emoji.yaml), with spans kept on the emoji."""

from __future__ import annotations

import pytest

from moderation_rules.normalize import normalize
from moderation_rules.normalize.emoji import EmojiWords


def test_emoji_become_words_and_map_back_to_the_emoji() -> None:
    text = "they are all 🐀 and 🤮"
    norm = normalize(text)
    assert norm.text == "they are all rats and disgusting"
    start = norm.text.index("rats")
    assert norm.excerpt(start, start + 4) == "🐀"


def test_sequences_skin_tones_and_selectors() -> None:
    assert normalize("🏳️‍🌈 flag").text == "gay people flag"
    assert normalize("🏳️‍🌈 people").text == "gay people"  # the author's own noun is kept once
    assert normalize("🏳️‍⚧️").text == "trans people"
    assert normalize("some 👨🏿 here").text == "some black man here"
    assert normalize("some 👨🏻 here").text == "some 👨🏻 here"  # only a dark tone reads "black"
    assert normalize("f🅰️g").text == "fag"


def test_a_school_file_may_add_entries() -> None:
    words = EmojiWords({"words": {"🦝": "vermin"}})
    assert words.at("x 🦝", 2) == (" vermin ", 3)
    assert words.at("x y", 2) is None


@pytest.mark.parametrize("text, label", [
    ("all women are 🗑️", "hate"),
    ("Muslims are 🐍", "hate"),
    ("black players are 🐒🍌", "hate"),
    ("🏳️‍🌈 people are 🤮", "hate"),
    ("trans women belong in the 🚮", "hate"),
    ("all disabled people should be ⚰️", "hate"),
    ("I would love to 🔪 some 👳🏾", "hate"),
    # a knife threat against someone at school is a safeguarding matter (DESIGN §3)
    ("I'll 🔪 you after school", "safeguarding"),
])
def test_emoji_attacks_are_hidden(rule_outcome, text: str, label: str) -> None:
    assert rule_outcome(text) == (label, "hide")


@pytest.mark.parametrize("text", [
    "I love 🏳️‍🌈 people",
    "Happy Pride 🏳️‍🌈🌈 so proud of our pupils",
    "Great goal!! 🔥🔥👊",
    "I'm 💀💀 that was hilarious",
    "Our school pig 🐷 won a prize at the county show",
    "Off to the farm 🐄🐷 with Year 1",
    "Sorry I forgot 🙈",
])
def test_friendly_emoji_are_kept(rule_outcome, text: str) -> None:
    assert rule_outcome(text)[1] == "keep"
