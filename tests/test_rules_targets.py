"""Target + predicate detection, counter-speech, the shipped model and the evasion report."""

from __future__ import annotations

import random

import pytest

from moderation_rules.detectors.model import load_model
from moderation_rules.engine import default_engine
from moderation_rules.evasion import evade, evade_rows, evasion_report
from moderation_rules.evaluate import LabelledRow, rules_assess_action
from moderation_rules.thresholds import action_for


@pytest.fixture(scope="module")
def engine():
    return default_engine()


@pytest.mark.parametrize("text", [
    "I can't stand Muslims.",
    "Trans people are vermin",
    "Immigrants should all be deported",
    "women are never any good at anything",
    "I will kill all gay people",
    "Ihate women",
    "Mulsims are a plague",
    "gypsies in the car park again, they nick anything that isn't bolted down",
    "Go back to your own country, we don't want your lot at our school",
])
def test_attacks_on_protected_groups_are_hate(engine, text: str) -> None:
    a = engine.assess(text)
    assert a.label == "hate"
    assert action_for(a.label, a.scores) == "hide"


@pytest.mark.parametrize("text", [
    "Gay people are not disgusting",
    "I don't hate women at all",
    "Saying that Muslims are scum is wrong",
    "We stand with our refugee families. Anyone saying 'send them back' should be ashamed.",
    "Happy Eid to all our Muslim families!",
    "So proud to see the school celebrating Pride, my gay son finally feels seen",
    "Brilliant to see the wheelchair basketball taster session",
])
def test_counter_speech_negation_and_neutral_mentions_are_kept(engine, text: str) -> None:
    a = engine.assess(text)
    assert action_for(a.label, a.scores) != "hide"
    assert a.label != "hate"


def test_complaint_about_things_is_not_abuse(engine) -> None:
    a = engine.assess("The lunches are disgusting and the portions are tiny. Not good enough.")
    assert a.label == "complaint"


def test_abuse_of_a_person_without_a_lexicon_word(engine) -> None:
    a = engine.assess("Conservatives are scum")
    assert a.label == "abuse"
    assert action_for(a.label, a.scores) == "hide"


def test_model_is_shipped_and_offline() -> None:
    m = load_model()
    p = m.predict_folded("you are a disgusting pig")
    assert set(p) == {"ok", "offensive", "hate", "sexual"}
    assert abs(sum(p.values()) - 1.0) < 1e-6


def test_personal_data_survives_lookalike_letters(engine) -> None:
    a = engine.assess("Jаyden Smith in 4B lives at 14 Elm Rоad OX4 2AB")  # Cyrillic а, о
    assert a.label == "personal_data"


def test_evasion_is_deterministic_and_keeps_contacts() -> None:
    t = "call me on 07700 900123 or mail jo@example.com you useless idiot"
    a = evade(t, random.Random("7:x"), rate=1.0)
    assert a == evade(t, random.Random("7:x"), rate=1.0)
    assert "07700" in a and "jo@example.com" in a and a != t


def test_evasion_report_shape() -> None:
    rows = [LabelledRow("1", "", "", "Mrs Hughes you are a useless fat cow", "abuse"),
            LabelledRow("2", "", "", "What time does the fair start?", "query")]
    rep = evasion_report(rows, rules_assess_action())
    for part in ("before", "after", "delta"):
        assert {"harmful_recall", "wrongful_hide_rate"} <= set(rep[part])
    assert rep["before"]["harmful_recall"] == 1.0
    assert len(evade_rows(rows)) == 2
