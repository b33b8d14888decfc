"""Look-alikes that were hidden wrongly, beside the harmful comments they resemble.

Budget cuts and self-harm ("stop cutting TAs"), a trip and despair ("can't go on the
residential"), a grandparent refused at the gate and a court order, a coach (the bus) and a
coach (a man) messaging, a child who hit her own head and a teacher who hit a child, a
supportive comment about trans pupils, a game of Mario Kart and a threat, a school named after
a person, a slur reported by the family it was aimed at.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Each look-alike must be kept by the shipped engine (rules and models); each harmful
comment must keep its outcome under the rules alone, so no model is needed to rescue it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from moderation_rules.engine import default_engine
from moderation_rules.thresholds import action_for

Outcome = Callable[[str], tuple[str, str]]


KEPT = [
    # budgets, trips, collection lists: no one is at risk
    # hidden by rounds 13 to 15's token reader (abuse and hate 0.753 over the 0.75 level);
    # kept since the token head reads neighbouring pieces (RESULTS.md, "Round 16")
    "governors, please stop cutting teaching assistants, they are the ones holding it together",
    "the council keeps cutting the bus routes and our kids walk two miles in the dark",
    "so my daughter can't go on the ski trip because of one late form? ridiculous",
    "Told at reception I can't collect my own niece because I'm not on the list. Fix your system",
    "The coach from Bath got back at 10pm and nobody messaged the parents. Not good enough",
    "Nobody rang me when my son hit his head in the playground, I found the bump at bedtime",
    # supportive comments about a group
    "Trans pupils deserve to be safe at school like everyone else. So glad to see this policy",
    "Pleased to see the school backing its gay students this month",
    # games and places
    "gonna absolutely destroy you lot at smash bros on friday, get practising",
    "do Year 7s still do swimming at Ann Garrett on Tuesdays?",
    "We're moving from Hong Kong in the summer, do you have places in Year 4?",
    "Is there a coach from Milton Keynes for the Year 9 trip?",
    "We moved from Sri Lanka last year, is there space in Year 5?",
    "The Year 10 Polish Society stall at the fair was brilliant",
    # a slur reported by the family or the school it was aimed at
    "some idiot called one of the dinner ladies a 'p*ki' in the car park. Reported to police",
    "my daughter got called a 'g*ppo' on the bus again. when will this be dealt with",
    "'Scouse scum' chants are not banter, good on the head of year for saying so",
]

# the narrowed rules must still read these as safeguarding (the DSL is alerted)
SAFEGUARDING = [
    "i promised i'd stop cutting but i've started again and my arms are a mess",
    "been cutting again, nobody at school knows",
    "my sister has been cutting herself and nobody at school noticed",
    "i've been cutting for months to cope with exams",
    "i honestly can't go on like this anymore",
    "i can't go on any longer, sorry everyone",
    "her dad can't collect her, there's a court order, please make sure reception knows",
    "we can't pick him up because his dad threatened to snatch him",
    "a grown man has been messaging my daughter on snapchat asking for pictures",
    "a coach from the academy keeps messaging my 13 year old late at night",
    "some man keeps messaging school girls from a fake profile",
    "the PE teacher slapped a Year 4 boy in the changing room",
    "the teaching assistant slapped her face in front of everyone",
]

HIDDEN = [
    *SAFEGUARDING,
    "I'm going to destroy you after school, watch your back",
    "i'm going to beat you up after the netball, you're dead",
    "Jack Smith in 5B has nits, keep your kids away from him",
    "the whole class was laughing at Amy Cole in Year 8 because her mum is in rehab",
    "you are a p*ki and you should go back",
    # a framing of reported speech around the writer's own hate
    "I got called a racist for saying p*kis should go back where they came from",
    "we should call every one of them a 'p*ki' till they move away",
    "can't stand p*kis, their kids' manners aren't acceptable",
    "good to see muslims finally treated as the threat they are",
]


@pytest.mark.parametrize("text", KEPT)
def test_lookalike_is_kept(text: str) -> None:
    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (a.label, a.rules, text)


@pytest.mark.parametrize("text", HIDDEN)
def test_harmful_comment_is_still_hidden(rule_outcome: Outcome, text: str) -> None:
    label, action = rule_outcome(text)
    assert action == "hide", (label, text)


@pytest.mark.parametrize("text", SAFEGUARDING)
def test_safeguarding_is_still_read(rule_outcome: Outcome, text: str) -> None:
    label, action = rule_outcome(text)
    assert label == "safeguarding", (label, text)
