"""Intent and solicitation kinds: complaints without angry words, press lead-ins, canvassing and
small-business adverts, leet and emoji sexual remarks, adult-dating spam, and their look-alikes."""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for


def _run(rules_engine: RuleEngine, text: str) -> tuple[str, str]:
    a = rules_engine.assess(text)
    return a.label, action_for(a.label, a.scores)


# --- complaints that carry no angry word: labelled complaint, always kept -------------------

@pytest.mark.parametrize(
    "text",
    [
        # sarcasm
        "Oh great, the car park is shut again. Thanks for the heads up, not.",
        "Fantastic, yet another trip cancelled the night before. Well done everyone 🙄",
        "so homework club is cancelled but there's money for a shiny new sign. priorities 🙃",
        "Love that the sports hall gets a refurb while the labs have no gas taps. Priorities?",
        "cool cool cool, the PE kit changed again and we found out from the kids 🙃",
        # contact that went unanswered
        "Four weeks and not a word from the head of year about the bullying.",
        "Two months and still nothing from the SENCO",
        "I've emailed three times and heard nothing back",
        # a support plan not followed
        "His support plan isn't being followed and nobody seems to care",
        "my daughter has an EHCP and it is not being followed at all",
        # distress, and a meeting asked for after an incident
        "I'm at the end of my tether with this school",
        "honestly at my wits' end, he doesn't want to go in anymore",
        "my son came home in tears again because of the way he was spoken to in maths",
        "Mr Harris shouted at my son in front of the class for forgetting his tie. "
        "I would like a meeting please.",
        # the same failure again, and paying for it
        "the after school club was cancelled AGAIN with an hour's notice. and we pay for this",
        "bus late AGAIN this morning and the kids stood in the rain for 40 minutes",
        # a complaint phrased as a question
        "Why is the school lunch so bad, my son comes home starving every day",
        "why is it so hard to get a reply from the office",
        "why are the toilets always so disgusting?",
        # conditions
        "The boys' toilets are DISGUSTING, no soap, no loo roll, doors don't lock.",
        "The changing rooms are filthy, no hot water and half the showers broken.",
    ],
)
def test_complaint_kinds_are_complaints_and_kept(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("complaint", "keep")


@pytest.mark.parametrize(
    "text",
    [
        "Oh brilliant, well done to the netball team, champions again!",
        "Great, another gold for our swimmers! So proud 🏅",
        "He came home in tears of laughter after the panto 😂",
        "My son came home so happy today, thank you",
        "Still no reply needed, just saying thanks to Mrs Ahmed for the lovely assembly",
        "Priorities for the new term are on the website for anyone interested",
        "My son has an EHCP and the support has been fantastic, thank you",
        "We lost again on Saturday but the boys played brilliantly",
        "I emailed twice to say thanks but don't think it arrived 😂",
        "my kids had me up at 5am again 🙄 roll on bedtime",
    ],
)
def test_praise_and_chatter_are_not_complaints(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("other", "keep")


@pytest.mark.parametrize(
    "text",
    [
        "Can I book a meeting about GCSE choices please?",
        "Why is the sky blue? Year 2 have been finding out in science this week!",
        "We pay for this by card on ParentPay, is that right?",
        "Is the deadline for the coursework 5pm or midnight?",
        "Can we get a quote for the minibus hire for the leavers trip?",
        "We've been contacted by the school about the trip, what time is pickup?",
    ],
)
def test_real_questions_stay_queries(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("query", "keep")


# --- press: a reporter's lead-in beats the question mark -------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Oakfield Echo here. We've been contacted by parents about the closure, would the school "
        "like to comment before we publish?",
        "Hi! Putting together a piece for the Courier on school uniform prices, would love a "
        "quick quote from your head, deadline 4pm",
        "Working on a story for the Evening Chronicle about the new building, is anyone from the "
        "school able to give us a quote? Deadline is 3pm today",
        "Hello, BBC Radio Leeds here, we'd love to chat to the head about the reading scheme",
        "Hi, Yorkshire Post newsdesk here, we're running a story on the SATs mix-up tomorrow. "
        "Could someone get in touch?",
    ],
)
def test_press_enquiries_are_press(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("press", "keep")


@pytest.mark.parametrize(
    "text",
    [
        "The Star did a lovely piece on the choir last week, so proud!",
        "Great News here, my daughter got her first choice school!",
        "Would love a quick update on when the reports are coming out 🙏",
        "Read about it in the Echo, is it true the pool is closing?",
    ],
)
def test_reading_the_paper_is_not_press(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text)[0] != "press"


# --- spam: canvassing and small-business adverts hide ----------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Re-elect Sarah Hunt, your Labour councillor for Oakfield North. Polls open 7am Thursday!",
        "Vote for Jo Marsh, Green for Hillside ward. Leaflets going out this weekend "
        "#LocalElections",
        "I'm standing as the Independent candidate for Kingsway, please vote for me on Thursday",
        "Experienced English tutor taking on new students for September, £30 per hour, "
        "message me for availability",
        "cleaner available, reasonable rates, DM",
        "Anyone need a cleaner? I have a few slots free, £15/hr, message me",
        "Dog walker available in the Oakfield area, fully insured, very reasonable rates, "
        "inbox me",
        "Qualified plumber, no job too small, free quotes, call 07700 900123",
    ],
)
def test_solicitation_is_spam_and_hidden(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("spam", "hide")


@pytest.mark.parametrize(
    "text",
    [
        "Can anyone recommend a maths tutor? My son is really struggling with GCSE revision",
        "Does anyone know a good cleaner in the area? Ours has retired",
        "When do we vote for the school council? My daughter wants to stand",
        "Is there a local election hustings at the school hall? Is school shut on polling day?",
        "Breakfast club has spaces available, £4.50 per session, book via ParentPay",
        "After school football club restarts Monday, £3 per session, all staff DBS checked",
        "Message me if you find a navy coat with Jack on the label, he's lost it",
        "Please remember to vote for your class rep by Friday!",
    ],
)
def test_asking_about_services_or_votes_is_not_spam(rules_engine: RuleEngine, text: str) -> None:
    label, action = _run(rules_engine, text)
    assert label != "spam"
    assert action == "keep"


# --- sexual: leet body words, leering emoji, adult-dating spam --------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "miss has got gr8 tits",
        "the new PE teacher has a n1ce @ss",
        "the cover teacher has great tits ngl",
        "Miss Carter can keep me behind any time 😏",
        "those legs on the new drama teacher 🤤",
        "Sir can give me extra homework any day 😏 his arms tho",
    ],
)
def test_sexualised_remarks_hide(rules_engine: RuleEngine, text: str) -> None:
    assert _run(rules_engine, text) == ("sexual", "hide")


@pytest.mark.parametrize(
    "text",
    [
        "🔞 Lonely housewives in Kingsway want to meet tonight 💋 link in bio",
        "Hot local singles near Hillside waiting to chat, click the link 💋",
        "Horny housewives near you want to hook up tonight",
        "Lonely mums near Hillside want to chat, see my profile 💋",
        "Married and bored? Discreet encounters with real singles in your area 💋",
    ],
)
def test_adult_dating_spam_is_sexual_not_safeguarding(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text)
    assert a.label == "sexual"
    assert a.scores.get("safeguarding", 0.0) < 0.5
    assert action_for(a.label, a.scores) == "hide"


def test_grooming_cue_with_dating_words_keeps_strong_safeguarding(rules_engine: RuleEngine) -> None:
    """The adult-spam cap only removes weak cues; a disclosure still wins."""
    a = rules_engine.assess("hot singles near you lol. he said it's our little secret and "
                      "not to tell my mum")
    assert a.label == "safeguarding"


@pytest.mark.parametrize(
    "text",
    [
        # "great tits" and "blue tits" are birds unless said of a person
        "Great tits and blue tits in the nest box camera this morning, year 2 loved it!",
        "We spotted a great tit on the bird feeder 🐦",
        "Year 5 made a great bird box for the blue tits, lovely work",
        "Mrs Patel can teach me anytime, she explains maths so well",
        "Mr Dawson can give me a detention any day, I'd still think he's the best teacher",
        "look at those arms 💪 after the gym challenge!",
        "her legs must be tired after the marathon 😩",
        "nice pass from Amir in the match today",
        # parents, not dating spam
        "Local mums in the area are organising a bake sale for the PTA",
        "Single mums in Oakfield can get help with uniform costs from the trust",
        "Bored mums in the playground, anyone fancy a coffee after drop off?",
        "The real women in my life are my mum and my nan, happy mother's day",
        "Free trial of the homework app, no strings attached",
        "Single mums near me, is there a support group?",
    ],
)
def test_sexual_look_alikes_are_kept(rules_engine: RuleEngine, text: str) -> None:
    label, action = _run(rules_engine, text)
    assert label != "sexual"
    assert action == "keep"
