"""Kinds of hate and abuse: tropes, misgendering, age and pregnancy slurs, defamation,
harassment at someone's home, British insults, mocking a pupil's looks; and their look-alikes."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "Jews run the exam boards thats why the papers are rigged",
    "the jews control the media, wake up",
    "Pushing Pride on ten year olds. Groomers, the lot of you.",
    "Trans 'girls' in the girls' toilets? No chance.",
    "Blokes in dresses using the girls toilets, that's what trans rights means",
    "Senile old fossils can't even work the smartboard",
    "coffin dodgers clogging up the school run",
    "pregnant AGAIN miss? maybe spend less time breeding",
    "can't tell who's who under all those tea towels",
    "Nothing disgusts me more than Sikhs.",
    "There is nothing good about disabled people.",
    "I am so tired of seeing Romanians everywhere.",
    "I would never let a trans woman near my daughter.",
    "Jews make me want to throw up.",
    "Women don't deserve the vote.",
    "We should round up all the immigrants and ship them out.",
    "All I'm saying is that trans people are mentally ill.",
    "No gay person is ever normal.",
    "the 1488 boys will sort this school out",
    "ching chong, go home",
    "nobody wants you here 🙄 go back to Somalia",
    "typical immigrant, never says thank you for anything",
    "they just come over here to claim benefits",
    "how could you ever trust a gay man with a school trip?",
    "about time we got rid of all the Romanians round here",
    "Hitler was right, and you all know it",
    "6mwe, remember that when you walk past their school",
])
def test_hate_kinds_are_hidden_as_hate(rule_outcome, text: str) -> None:
    assert rule_outcome(text) == ("hate", "hide")


@pytest.mark.parametrize("text", [
    "The head's a crook who's been cooking the books for years.",
    "I'll be outside Mrs Lloyd's house every night until she apologises.",
    "Nobody asked you Gary, you absolute weapon.",
    "who let the girl in green out looking like that, did she get dressed in the dark",
    "Year 10 at Oakfield are feral animals, every last one of them.",
    "I will make your life a misery, Mr Hughes, just you wait",
    "Block me all you like, I'll be at every match watching",
])
def test_abuse_kinds_are_hidden_as_abuse(rule_outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    "We take pride in our reading scheme",
    "Loved the men in dresses at the panto!",
    "Congratulations on the baby news Miss!",
    "The dog breeding centre trip was great for the babies in nursery",
    "That striker is an absolute weapon, what a goal",
    "I'll be outside the school gate at 3 to pick up my son",
    "anyone else's brain dead after double maths, cant even spell my own name rn",
    "Jewish families are welcome at the winter fair",
    "Our litter picking team found a baby bird",
    "Saying immigrants are vermin is disgusting.",
    "Muslims are not terrorists.",
    # a slur reported to condemn it
    "someone called my little brother a p*ki at the park and his mates stood up for him",
    "whoever wrote 'f@gs out' on the toilet wall should be expelled",
    "My son was called a 'spastic' in PE and the school sorted it the same day",
    "Our family will go back to Romania for the summer, see you all in September",
    "Miss Patel is going back to India for her sister's wedding",
    "A typical Sikh wedding has hundreds of guests, the photos are stunning",
    "My nan only came here for a holiday in 1962 and stayed for good",
    "It's time we got rid of the old tablets in the ICT suite",
    "Came all the way from Scunthorpe to watch my grandson's nativity 👴",
    "You made an old woman very happy with that card, thank you",
    "Someone on here posted that Jews 'run the banks'. Not on a school page, thanks.",
    "The new rules make Muslim girls feel like criminals for wearing a headscarf",
    "I can't stand the Green candidate but she's welcome to use the hall",
    "'kill the music' - Mr Daley every Friday at the disco 😂",
    "Year 6 learnt the ark was built from shittim wood and could not stop laughing",
    "In history they discussed why so many Germans thought Hitler was right in 1933",
    "You'd better watch it on catch-up, the choir were amazing",
])
def test_look_alikes_are_not_hidden(rule_outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"
