"""Personal data kinds: spelled-out phone numbers, a school's own line, the author's own street."""

from __future__ import annotations

import pytest

from moderation_rules.engine import default_engine


@pytest.mark.parametrize("text", [
    "his number is zero seven seven zero zero nine zero zero seven eight one, go on text him",
    "She lives on Penistone Road, go and tell her what you think",
    "Her mobile is 07700 900123, school should ring her",
    "text his dad on 07 70 09 00 12 3 and tell him what his son did",
    "her landline is 0161.496.0999, give her a ring",
    "message me directly not the office, 0 7 7 0 0 9 0 0 1 2 3",
    "her mum is on 0 7 7 0 0 - 9 0 0 - 1 2 3, ring her and complain",
    "his dad is on 0.7.7.0.0 9.0.0 1.2.3 if anyone wants a word",
    ("her number is 0\ufe0f\u20e37\ufe0f\u20e37\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e3 "
     "9\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e3 1\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e3 if you want a word"),
    "their farm landline is 016974 71233, ring them about the sheep",   # 6 + 5 digits
    "the new TA lives at 7 hollins crescent, go and have a word",       # lower case
    "pay the trip money straight to me, sort code 20-45-77 account 55510234",
    "Mr Pryce is on Instagram as @pryce_lifts_heavy, go and look",
])
def test_personal_data_is_hidden(rule_outcome, text: str) -> None:
    assert rule_outcome(text) == ("personal_data", "hide")


@pytest.mark.parametrize("text", [
    "Is 01632 960418 still the right number for the attendance line? It just rings out.",
    "Ring reception on 01632 960000 to book",
    "I live on Penistone Road and I'm sick of parents blocking my drive every morning.",
    "I scored one two three four five six seven eight nine ten in the quiz",
    "Results for the relay: 0.4 0.7 0.9 1.2 1.5 seconds behind",
    "Group stage scores 0-2 3-1 2-2 1-0 0-0, what a day",
    "Order ref 0098765432 for the uniform shop",
    "Nan here, can't work this facebook but well done all",
    "Congrats to the U1\ufe0f\u20e32\ufe0f\u20e3 netball team!",
    "Is the number on your website (01632 960511) the right one for the after-school club?",
    "Loved the Year 4 photos from Warwick Castle, what a day",
    "Cars parked along Shear Brow again and a Year 3 nearly got clipped",
    "Hello, I'm Priya Nair from the Leeds Courier, writing about SEN transport. Could we talk?",
    "Do you need dinner staff? I'm a mum of three living in Kings Heath",
    "the 4 bus lane on the high street is closed again",
    "we walked 3 miles along the canal road on the trip",
    "the school's Instagram is @stmarysacademy if you want the photos",
])
def test_not_personal_data(rule_outcome, text: str) -> None:
    assert rule_outcome(text)[0] != "personal_data"


def test_spelled_number_evidence_quotes_the_words() -> None:
    text = "ring oh seven seven double one two three four five six seven now"
    a = default_engine().assess(text)
    ev = [e for e in a.evidence if e.rule == "pd.phone_words"]
    assert ev and ev[0].excerpt.startswith("oh seven seven")
