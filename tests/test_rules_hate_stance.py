"""Stance around a protected group: threats and loathing are hate; a slur said of oneself,
sympathy with a group and a myth named to deny it are not.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for


def _outcome(rules_engine: RuleEngine, text: str) -> tuple[str, str]:
    a = rules_engine.assess(text, None)
    return a.label, action_for(a.label, a.scores)


MUST_HIDE_AS_HATE = [
    # threats of violence against a group
    "I'm going to set fire to every mosque in the county with the Muslims still in it",
    "we'll make sure every Romanian on this estate bleeds",
    "gonna run the gypsies off the rec with a baseball bat",
    "any trans kid who uses the girls' toilets is getting battered",
    "I want to push the pensioners off the pier one by one",
    "we're going to drive the Somalis out of this town by force",
    "Sikhs round here had better watch their backs after what they did",
    "the Polish lot on Mill Lane are getting a visit tonight",
    "next disabled scrounger in the family bay is getting their tyres done",
    "any woman who tries to ref our game is getting dragged off the pitch",
    "Hindus on our road with Diwali lights up, we will rip them down, and you with them",
    # loathing of a whole group in the first person
    "Immigrants fill me with absolute rage",
    "nothing in this world I despise more than lesbians",
    "Deaf people make me want to scream",
    "I feel nothing but contempt for Sikhs",
    "honestly I can't stand Jews",
    # the same claims endorsed
    "Muslims are terrorists and that is no myth",
    "Immigrants are scroungers, that's a lie the papers tell but it's true",
    "Travellers are thieves, that's the truth",
]

MUST_STAY_UP = [
    # sport and performance, not violence
    "we're going to beat the Polish side on Saturday, come on you blues",
    "the girls are going to murder that relay, they've trained all term",
    "gonna smash it at the Pride quiz tonight girls",
    "Polish families are getting a visit from the school nurse tomorrow",
    "pensioners on the crossing, please watch yourselves, the lorries never stop",
    # sympathy with a group, anger at its attackers
    "the abuse Muslim families put up with on this estate makes me sick",
    "I can't stand how disabled kids get left out of trips",
    "people who spit at refugees fill me with disgust",
    "laughing at autistic kids is never funny",
    # a myth about a group, named to deny it
    "it's not true that Travellers don't value school",
    "Polish families are no more likely to skip school than anyone else",
    "the myth that gay teachers are a risk to children needs to die",
    # the claim first, then named a myth or a trope
    "Black people are not more likely to be criminals, that's a myth.",
    "'Jews control the banks' is an antisemitic conspiracy theory, not a question.",
    "Immigrants are scroungers? That's a tired old lie the papers tell.",
]

# a slur said of oneself or one's own circle: a person looks, it is not hidden
RECLAIMED = [
    "me and my dyke mates are doing the 10k for the food bank",
    "as a proud old dyke I'm chuffed the school flew the flag",
    "us fags from the choir are singing at the carol service",
    "a pair of old poofs from Grimsby, fostering for twenty years and proud of it",
    "happy retirement to my favourite dyke, the PE department won't be the same",
]

# a word that is also a slur, used for something else
HOMONYMS = [
    "faggots, mash and onion gravy for tea tonight, proper Dudley",
    "gran kept a stack of faggots by the range for the fire",
    "the consultant says it's a spastic colon, so no more spicy food for me",
    "our maine coon got into the staffroom again",
    "year 8 geography trip along Offa's Dyke on Friday, bring waterproofs",
    "a chink of light at the end of a long term",
    "popped out for a fag at half time and missed the penalty",
    "the old tranny van from the scout hut finally failed its MOT",
    "grandad still has the cricket on his old tranny radio in the shed",
    "the slag heaps above the village are a nature trail now, lovely walk with the kids",
    "a late frost will retard the seedlings in the school garden, fleeces on tonight",
]

# a slur someone else used, told to report or condemn it
REPORTED = [
    "a lad on the 42 called my daughter a p*ki and I reported him to the driver",
    "'pikeys out' was sprayed on the underpass again, police have been told",
    "my son heard someone call his mate a 'r*tard' in the dinner queue, please deal with it",
    "what a man shouted at our Head of Year in the car park: 'go back to your own country'",
    "Polish families aren't 'taking over' anything, they're just turning up to help",
]


@pytest.mark.parametrize("text", MUST_HIDE_AS_HATE)
def test_threats_and_loathing_of_a_group_are_hidden_as_hate(rules_engine: RuleEngine,
                                                            text: str) -> None:
    assert _outcome(rules_engine, text) == ("hate", "hide")


@pytest.mark.parametrize("text", MUST_STAY_UP)
def test_sport_sympathy_and_rebuttal_stay_up(rules_engine: RuleEngine, text: str) -> None:
    assert _outcome(rules_engine, text)[1] == "keep"


@pytest.mark.parametrize("text", RECLAIMED)
def test_a_slur_said_of_oneself_goes_to_review(rules_engine: RuleEngine, text: str) -> None:
    assert _outcome(rules_engine, text) == ("hate", "review")


@pytest.mark.parametrize("text", HOMONYMS + REPORTED)
def test_homonyms_and_reported_slurs_are_not_hidden(rules_engine: RuleEngine, text: str) -> None:
    assert _outcome(rules_engine, text)[1] != "hide"


def test_a_slur_aimed_at_others_is_still_hidden(rules_engine: RuleEngine) -> None:
    outcome = _outcome(rules_engine, "all the fags at that school should be expelled")
    assert outcome == ("hate", "hide")
    assert _outcome(rules_engine, "you're a dyke and everyone knows it") == ("hate", "hide")
    assert _outcome(rules_engine, "you are just a faggot to me") == ("hate", "hide")
    assert _outcome(rules_engine, "half the school being p*keys explains the results")[1] == "hide"
    assert _outcome(rules_engine, "go for a fag, you fag")[1] == "hide"


def test_bad_bitch_as_praise_is_reviewed_not_hidden(rules_engine: RuleEngine) -> None:
    assert _outcome(rules_engine, "you're the baddest bitch in year 13, congrats on the offer") \
        == ("abuse", "review")
    assert _outcome(rules_engine, "shut up you stupid bitch")[1] == "hide"
