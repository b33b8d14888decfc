"""Seventh pass of kinds: coded hate (the "remigration" slogan, Holocaust numbers that "don't
add up", scare quotes round "vibrant", "natural selection", "send her back to Lagos"),
threats against a group's member ("getting a bat round the head", "putting your windows in"),
stereotypes of greed and dirt, women told to stick to netball, disabled children told to sit
it out; negated attacks and condemned claims kept; a campaign of posts, a door hoped to hit a
departing teacher, a smear about a last school, "you'll find out what happens".

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Each kind must get its outcome; each look-alike must not.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Outcome = Callable[[str], tuple[str, str]]


@pytest.mark.parametrize("text", [
    "remigration is the only answer for this town",
    "4 years of 'diversity' lessons. remigration now",
    "six million? funny how the numbers never add up. ask questions",
    "wish i'd come over in a dinghy, they'd have given me a flat by now",
    "all this money on kids with 'additional needs', natural selection would have sorted it",
    "new girl keeps talking in class, send her back to Lagos",
    "the estate was a quiet place before all the \"newcomers\" arrived",
    "our road has got very \"diverse\" lately 🙄 not what we signed up for",
    "any Roma caught near my van is getting a bat round the head",
    "the gay couple at number 9, I'm putting their windows in tonight",
    "that Muslim woman at the gate is getting her scarf ripped off one day",
    "someone needs to finish what Hitler started with the gypsies",
    "the Irish are so tight, never buy a round",
    "greed runs in their blood, every Jew I've met",
    "gay men can't be trusted round kids, you can't trust them",
    "old people don't deserve to still be alive taking up beds",
    "Somalis are a nation of pirates",
    "travellers don't even wash, you can smell the site from here",
    "girls should stick to netball, leave football to the boys",
    "women and maths don't mix 🤷",
    "the disabled lad slowed the whole team down, should've sat it out",
    "the autistic boy shouldn't be on the team, ruins the vibe",
    "a single trans person who isn't a mental case? never met one",
])
def test_coded_or_implicit_hate_is_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("hate", "hide")


@pytest.mark.parametrize("text", [
    "Remigration is a far-right euphemism for ethnic cleansing, we covered it in citizenship",
    "year 9 learnt how six million Jews were murdered in the Holocaust",
    "the 6 million pound new block is over budget and the numbers don't add up",
    "the 'new arrivals' assembly was lovely, thank you",
    "it was a lovely morning before the \"new arrivals\" assembly started",
    "the local news got it wrong, school was fine before the snow",
    "trans people are not mental cases, they deserve the same respect as anyone",
    "refugees aren't criminals, they are people fleeing war",
    "disabled children are not a burden, they are part of our school",
    "Polish workers aren't lazy, they built half this estate",
    "the Polish team are so tight as a unit, brilliant match",
    "girls go back to the kitchen after break for food tech",
    "calling refugees an invasion dehumanises people fleeing war",
    "describing Travellers as thieves stigmatises a whole community",
])
def test_counter_speech_or_look_alike_is_not_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize("text", [
    "Ignoring me again Karen? I'll keep commenting on every post you make until you reply",
    "Glad he's gone. Hope the door hits him on the way out",
    "there's a reason Mr Holt's last school let him go, ask around",
    "carry on like that Mr Reed and you'll find out what happens when you mess with my kids",
])
def test_campaign_smear_or_threat_is_hidden_as_abuse(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    "I'll keep posting updates on every post about the fundraiser",
    "there's a reason the last school closed the pool, it was falling apart",
    "hold the door for me on the way out please",
])
def test_abuse_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"
