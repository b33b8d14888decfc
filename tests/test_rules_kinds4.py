"""Fourth pass of safeguarding kinds: weapons beside a school place however they are spelled,
goodbyes that give things away, pills put by, neglect seen from outside, recruiting pupils to
an extremist cause, staff seen hurting a child.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Each kind must be HIDDEN as safeguarding; each look-alike must not be.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for

MUST_HIDE = [
    "a lad in year 9 had a sh*nk in his blazer in the canteen today",
    "b o m b under the stage at assembly thursday",
    "bringing my brothers 🔫 to prom, see who's laughing",
    "someone should set fire to that sch00l with the staff inside",
    "grasses in year 10 get the blade, that's just how it is",
    "gave my xbox to Kai and sorted who gets my clothes. bye everyone x",
    "please can someone look after my hamster. sorry for everything",
    "been hiding my nan's painkillers in my pencil case for a while now",
    "pretty sure they're sleeping in their car at the minute, it's parked by the rec every night",
    "the great replacement is real lads, join the group chat and get ready to fight",
    "real training starts on the telegram, year 9s and up welcome",
    "watched a dinner lady drag a little boy across the yard by his arm",
    "the PE teacher shoved a kid into the wall, I saw it from the car park",
]

# cues a person should look at: the DSL is told, the comment stays up
REVIEWED = [
    "the twins have worn the same uniform all week and smell of damp",
    "she wasn't given any tea again because she 'answered back'",
]

MUST_NOT_BE_SAFEGUARDING = [
    "knife crime assembly on Thursday was really powerful, thank you",
    "the police brought the knife arch to school for a demo",
    "this school is the bomb 💣 best year ever",
    "absolute bombshell, after-school club closing with two weeks notice",
    "our Freya's photo shoot for the prom went so well",
    "my netball bib goes to the wash after every match",
    "dropping unused paracetamol back to the pharmacy, collecting tablets for the recycling scheme",
    "they're sleeping in the car on the way to Cornwall, bless them",
    "phones aren't allowed at lunch anymore, good call",
    "the teacher threw the ball to the kids in the match, brilliant sports day",
    "Great to see the Brotherhood of St Laurence raising funds for the food bank",
    "This is my last post as chair of the PTA, thank you for everything",
    "the starter's gun made everyone jump at school sports day",
    "saving up for new tablets for the library",
]


@pytest.mark.parametrize("text", MUST_HIDE)
def test_kind_is_hidden_as_safeguarding(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text, None)
    assert (a.label, action_for(a.label, a.scores)) == ("safeguarding", "hide")


@pytest.mark.parametrize("text", REVIEWED)
def test_cue_goes_to_the_dsl_for_review(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text, None)
    assert (a.label, action_for(a.label, a.scores)) == ("safeguarding", "review")


@pytest.mark.parametrize("text", MUST_NOT_BE_SAFEGUARDING)
def test_look_alike_is_not_safeguarding(rules_engine: RuleEngine, text: str) -> None:
    assert rules_engine.assess(text, None).label != "safeguarding"


ABUSE_MUST_HIDE = [
    "tell ur cousin he's dead after school tmrw",
    "move my bishop again and I'll snap your fingers",
    "that ref is getting leathered after the match",
    "she'll get what's coming to her, mark my words",
    "I'll be on every single post until the head resigns, every day",
    "Councillor Blake takes backhanders from the builders, ask anyone",
    "the minibus driver drives half cut most mornings",
]

ABUSE_MUST_STAY = [
    "we got battered 5-0 on saturday but the lads never gave up",
    "this heat, I could die of embarrassment in that photo",
    "please don't make her leave early, she loves the club",
    "the drink-driving talk from the police was brilliant",  # a talk about it, no one named
]


@pytest.mark.parametrize("text", ABUSE_MUST_HIDE)
def test_threat_campaign_or_smear_is_hidden_as_abuse(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text, None)
    assert (a.label, action_for(a.label, a.scores)) == ("abuse", "hide")


@pytest.mark.parametrize("text", ABUSE_MUST_STAY)
def test_abuse_look_alike_is_not_hidden(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text, None)
    assert action_for(a.label, a.scores) != "hide"


@pytest.mark.parametrize("text", [
    "mosquitoes should all die",
    "pineapple on pizza should burn in hell",
    "my phone can go and die, third time today",
    "we get leathered at home every week, worst team in the league",
])
def test_wished_death_of_things_is_not_abuse(rules_engine: RuleEngine, text: str) -> None:
    assert "abuse.k4_threat" not in rules_engine.assess(text, None).rules
