"""Veiled threats, insinuations that staff may harm children, and hidden self-harm.

Every sentence was written for these tests (none is copied from an evaluation set).  A veiled
threat made in the comment itself is abuse, as a direct one is; an insinuation about staff is
safeguarding and goes to the headteacher too; each look-alike stays visible.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine

VEILED_THREATS = [
    "Mr Prowse might want to check under his car in the mornings from now on",
    "i know what car you drive. keep it up",
    "Tell Miss Kemp I know which bus she gets home",
    "The deputy head leaves that car park at 6 every night. Just so everyone knows.",
    "Be a shame if something happened to Mrs Hale's windows after today's detention.",
    "First warning was the scratch on his door. There won't be a second.",
    "Mr Tanner better be careful walking home in the dark this winter",
    "I'll be waiting at the gates tomorrow for that PE teacher",
]

STAFF_INSINUATIONS = [
    "Funny how he always volunteers for the swimming lessons, nobody else finds that odd?",
    "Ask him why he left his last school halfway through the year. Go on, ask.",
    "isn't that the coach who got done for stuff with kids in Leeds?",
]

HIDDEN_HARM = [
    "tips for hiding the cuts from my mum before the swimming gala",
    "took 6 of my mum's sleeping pills last night to see what would happen",
]

LOOK_ALIKES = [
    "I know which bus you get, the 42 stops right outside the gates",
    "Does anyone know what time the staff car park gates close? I left my coat in reception",
    "Be careful on the ice walking home tonight everyone!",
    "Funny how it always rains on sports day 😂",
    "Why did Mrs Lee leave her last school? She's brilliant, their loss!",
    "He eats like 3 meals a day plus snacks, growing lad",
    "Our son takes his tablets with breakfast now, thanks for the medicine form",
]


@pytest.mark.parametrize("text", VEILED_THREATS)
def test_veiled_threat_is_hidden_as_abuse(rule_outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [*STAFF_INSINUATIONS, *HIDDEN_HARM])
def test_kind_is_hidden_as_safeguarding(rules_engine: RuleEngine, text: str,
                                        assert_hidden_safeguarding) -> None:
    assert_hidden_safeguarding(rules_engine, text)


@pytest.mark.parametrize("text", STAFF_INSINUATIONS)
def test_insinuation_about_staff_also_goes_to_the_headteacher(rules_engine: RuleEngine,
                                                              text: str) -> None:
    assert "staff_allegation" in rules_engine.assess(text).tags


def test_starving_oneself_is_a_concern_for_a_person_to_look_at(rule_outcome) -> None:
    assert rule_outcome("been eating about 300 calories a day since half term") == \
        ("safeguarding", "review")


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_kept(rule_outcome, text: str) -> None:
    label, action = rule_outcome(text)
    assert action != "hide" and label != "safeguarding", (text, label)


@pytest.mark.parametrize("text", [
    pytest.param(text, marks=pytest.mark.xfail(
        strict=True, reason="a known miss of the school model (RESULTS.md, 'Round 17'): both "
                            "readers take 'why did Mrs X leave her last school' for an "
                            "insinuation, abuse 0.8 or more, whatever follows"))
    if text.startswith("Why did Mrs Lee") else text
    for text in LOOK_ALIKES])
def test_the_full_engine_keeps_the_look_alike(text: str) -> None:
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for

    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.scores)
