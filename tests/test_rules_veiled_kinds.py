"""Veiled threats, insinuations that staff may harm children, and hidden self-harm.

None of these sentences is copied from an evaluation set.  A veiled threat made in the
comment itself is abuse, as a direct one is; an insinuation about staff is safeguarding and
goes to the headteacher too; each look-alike (notices, advice, praise, a diet, an operation
scar) stays visible and raises no safeguarding alert.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine

VEILED_THREATS = [
    "Mr Prowse might want to check under his car in the mornings from now on",
    "i know what car you drive. keep it up",
    "Tell Miss Kemp I know which bus she gets home",
    "I know what time you leave on a Friday, Mr Hale. Think on.",
    "Be a shame if something happened to Mrs Hale's windows after today's detention.",
    "Wouldn't be surprised if something happened to her car after today",
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
    "I know which bus she gets and I'll meet her at the stop",
    "Does anyone know what time the staff car park gates close? I left my coat in reception",
    "Be careful on the ice walking home tonight everyone!",
    "Kids need to be careful walking home now it's getting dark",
    "Parents should be careful in the car park, the lines have worn away",
    "Our cat is missing, please check under your car before you drive off",
    "Does anyone know if something happened to Mr Patel's car? It's been in the garage all week",
    "Consider this your final warning: tickets for the Christmas fair close Friday!",
    "Year 6 will leave the school at 9 for the trip",
    "The caretaker locks up the building at 6, so please collect bags before then",
    "Grandma will be waiting at the school gate for him today",
    "Funny how it always rains on sports day 😂",
    "Funny how Mr Davies always volunteers for the residential, what a legend",
    "Ask her why she left her last job, she has great stories",
    "Why did Mrs Lee leave her last school? She's brilliant, their loss!",
    "My lad got done for messing about with boys from year 9 at the bus stop, he's been grounded",
    "He eats like 3 meals a day plus snacks, growing lad",
    "Kids eat about 100 calories a day from squash alone, shocking",
    "Tips for covering the marks from chickenpox before the school photos?",
    "She wears tights to cover the scars from her operation and that's fine",
    "He took 2 paracetamol before school, we'll see what happens with his temperature",
    "Our son takes his tablets with breakfast now, thanks for the medicine form",
]


@pytest.mark.parametrize("text", VEILED_THREATS)
def test_veiled_threat_is_hidden_as_abuse(rules_engine: RuleEngine, rule_outcome,
                                          text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")
    assert "abuse.k7_veiled_threat" in rules_engine.assess(text).rules


@pytest.mark.parametrize("text", [*STAFF_INSINUATIONS, *HIDDEN_HARM])
def test_kind_is_hidden_as_safeguarding(rules_engine: RuleEngine, text: str,
                                        assert_hidden_safeguarding) -> None:
    assert_hidden_safeguarding(rules_engine, text)


@pytest.mark.parametrize("text", STAFF_INSINUATIONS)
def test_insinuation_about_staff_also_goes_to_the_headteacher(rules_engine: RuleEngine,
                                                              text: str) -> None:
    from bot.decide import decide
    from bot.settings import ModerationSettings

    d = decide(rules_engine.assess(text), ModerationSettings())
    assert d.outcome == "hide" and d.label == "safeguarding"
    assert {"dsl", "headteacher"} <= set(d.alerts)


def test_starving_oneself_is_a_concern_for_a_person_to_look_at(rule_outcome) -> None:
    assert rule_outcome("been eating about 300 calories a day since half term") == \
        ("safeguarding", "review")


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_kept(rule_outcome, text: str) -> None:
    label, action = rule_outcome(text)
    assert action != "hide" and label != "safeguarding", (text, label)


# look-alikes the rules keep but the school model hides on its own (RESULTS.md, "Round 17"):
# both of its readers take the shape of an insinuation or a threat for one, whatever follows
MODEL_MISSES = {
    "Why did Mrs Lee leave her last school?": "an insinuation about a named teacher",
    "Ask her why she left her last job": "an insinuation about a named adult",
    "I know which bus she gets": "a threat",
    "Parents should be careful in the car park": "a warning to someone",
    "My lad got done for": "an allegation about harm to children",
    "He took 2 paracetamol": "an overdose",
}


def _known_miss(text: str) -> str | None:
    return next((why for start, why in MODEL_MISSES.items() if text.startswith(start)), None)


@pytest.mark.parametrize("text", [
    pytest.param(text, marks=pytest.mark.xfail(
        strict=True, reason=f"the school model hides it, reading {_known_miss(text)}"))
    if _known_miss(text) else text
    for text in LOOK_ALIKES])
def test_the_full_engine_keeps_the_look_alike(text: str) -> None:
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for

    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.scores)
    assert a.label != "safeguarding" or a.scores["safeguarding"] < 0.8, (text, a.scores)
