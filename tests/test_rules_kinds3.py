"""Third pass of kinds found in new school settings: disclosures in the languages families
write in, threats made with emoji, pupil images, grooming typed fast, implicit hate,
intimidation and smears of named staff, scams and adverts, Scottish and Northern Irish year
codes next to a child's name.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Each kind must be HIDDEN with its label; each look-alike must be kept.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for

MUST_HIDE = [
    # other languages (Polish, Romanian, Portuguese, Welsh, Gaelic, Urdu, Arabic)
    ("Mój syn mówi, że nie chce już żyć. Proszę o pomoc", "safeguarding"),
    ("Ojczym ją bije, ma siniaki na rękach", "safeguarding"),
    ("Fiica mea spune că nu mai vreau să trăiesc", "safeguarding"),
    ("Un bărbat din parc îi dă bani și îi spune să nu le spună părinților", "safeguarding"),
    ("A minha filha diz que quer morrer", "safeguarding"),
    ("Mae Tomos yn dweud ei fod e eisiau marw", "safeguarding"),
    ("Chan eil mi airson a bhith beò", "safeguarding"),
    ("meri beti kehti hai ke woh jeena nahi chahti", "safeguarding"),
    ("ابني لا يريد العودة الى البيت لأن عمه يضربه", "safeguarding"),
    ("Wszyscy Cyganie to złodzieje", "hate"),
    ("Cau dy geg, twpsyn", "abuse"),
    # threats against a school, pupil images, grooming, exploitation, radicalisation
    ("everyone stay off on thursday if ur smart 🔥🔥", "safeguarding"),
    ("monday at the gates 🔪🔪", "safeguarding"),
    ("gonna burn that school to the ground one day", "safeguarding"),
    ("wait till i see u at the bus stop, ur getting it", "safeguarding"),
    ("i've got the swimming gala pics before they blurred the faces", "safeguarding"),
    ("ur so mature for 13, lets keep our chats between us x", "safeguarding"),
    ("private server, under 15s only, no mods no rules no parents", "safeguarding"),
    ("year 10s want to earn £80? just carry a few parcels into town for us", "safeguarding"),
    ("some men are training lads from the estate to be warriors for their people", "safeguarding"),
    ("she goes really quiet when we ask about her weekends at her uncle's", "safeguarding"),
    # implicit hate
    ("Take your religion back home with you", "hate"),
    ("Learn English or go back, simple", "hate"),
    ("I'd never let a Muslim teacher near my kids", "hate"),
    ("not bad for a girl i suppose", "hate"),
    ("That's not a real marriage, two blokes", "hate"),
    # intimidation and smears of named people
    ("I know which car's yours, Mrs Hale", "abuse"),
    ("the caretaker needs a good slap", "abuse"),
    ("Mr Grey fiddles the attendance registers every term", "abuse"),
    ("Mrs Lowe rolled up to the disco off her face again", "abuse"),
    # scams and adverts
    ("turn £20 into £400 this week, message me for the link", "spam"),
    ("dm me your roblox login and the 2fa code for free robux", "spam"),
    ("Birthday cakes from £25, order through my page Cakes By Kim", "spam"),
    # a child's name next to a Scottish or Northern Irish year code
    ("Lewis Baird (S3) is the one who started it", "personal_data"),
    ("it was the P6 girl Ellie Watt who found it", "personal_data"),
]

MUST_KEEP = [
    "Dziękujemy nauczycielom za wspaniały rok!",
    "Mulțumim pentru serbare, a fost minunat",
    "Diolch yn fawr am y cyngerdd neithiwr",
    "Friday's disco was the bomb 💣 thanks PTA",
    "sports day tomorrow 💣💥 we're going to smash it",
    "my son will shoot them a message about the yearbook photos",
    "Can Year 7s join the club or is it Year 9 up?",
    "The PTA raised £240 at the cake sale, message me if you can help next time",
    "Can someone drop the bags of uniform at the office? We made £50 cash at the sale",
    "I know what time you finish, can we meet at 3 about the trip?",
    "Proud of our two mums on the PTA, thank you both",
    "Gay people are not a danger to children and never were",
    "'Women can't lead' in 2026? Really? Reported.",
    "Could my daughter sit Higher Gaelic in S5 if she starts in S3?",
    "Newtownabbey Today reporter here: could you confirm P7 numbers for our story?",
    "Will the talk from North Wales Police be for Year 9 only?",
    "The school covered it up and I want answers about my son's injury",
    "we'll divvy up the raffle prizes at the end",
]


@pytest.mark.parametrize(("text", "label"), MUST_HIDE)
def test_kind_is_hidden_with_its_label(rules_engine: RuleEngine, text: str, label: str) -> None:
    a = rules_engine.assess(text)
    assert a.label == label and action_for(a.label, a.scores) == "hide", (a.label, a.scores)


@pytest.mark.parametrize("text", MUST_KEEP)
def test_look_alike_is_kept(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text)
    assert action_for(a.label, a.scores) != "hide", (a.label, a.rules)
