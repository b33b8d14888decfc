"""Neutral and warm statements that name a protected group stay up.

None of these sentences is copied from an evaluation set.  The public-data hate model reads
the group and the topic, not the stance, so it hides as hate only where the text attacks the
group in words (``HATE_HIDE_NEEDS_ATTACK``); otherwise it raises a review at most.  The
school model still hides a few plain statements on its own; they are recorded as strict
expected failures so that a reader which gets them right shows up.
"""

from __future__ import annotations

import pytest

from moderation_rules.detectors import model as model_module

MENTIONS = [
    "I have lots of gay friends and they're all lovely",
    "My neighbour is a Muslim and she runs the book club",
    "We are a group of disabled parents who meet on Thursdays",
    "Women make up most of the staff at the primary",
    "I'm a trans woman and a school governor",
    "Refugees are welcome here",
    "The Muslim parents organised the charity bake sale",
    "Gay marriage has been legal for years, get over it",
    "Disabled kids deserve the same trips as everyone",
    "Trans people are just people like everyone else",
    "Immigrants work in our local hospital",
    "There are two Black teachers at our school now",
    "Jews have lived in this town for centuries",
]

# plain statements the school model hides on its own, reading the group and the topic
SCHOOL_MODEL_HIDES = {
    "Trans people are just people like everyone else",
    "Immigrants work in our local hospital",
    "There are two Black teachers at our school now",
    "Jews have lived in this town for centuries",
}


def test_the_public_model_needs_an_attack_in_words_to_hide() -> None:
    assert model_module.HATE_HIDE_NEEDS_ATTACK is True


@pytest.mark.parametrize("text", [
    pytest.param(t, marks=pytest.mark.xfail(
        strict=True, reason="the school model hides it as hate on its own"))
    if t in SCHOOL_MODEL_HIDES else t
    for t in MENTIONS])
def test_a_mention_of_a_group_is_not_hidden(text: str) -> None:
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for

    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.rules)


def test_the_public_model_alone_raises_a_review_not_a_hide() -> None:
    from moderation_rules.engine import RuleEngine
    from moderation_rules.thresholds import action_for

    # the n-gram hate model only (no school model): it reads 0.8 or more here
    engine = RuleEngine(school_model=False)
    a = engine.assess("Trans people are just people like everyone else")
    assert "model.hate" in a.rules
    assert action_for(a.label, a.scores) == "review"
