"""Fifth pass of kinds: overdoses and goodbyes, staff crossing boundaries, injuries explained
away, children left or hungry, pupils in debt or recruited to run drugs, strangers asking a
pupil's age; personal data of kinds the rules missed (a car's registration, a passport, a
number from abroad or spelled in Welsh, a member of staff's health or home, a child's name
with an age); community-language phrases; a hateful claim named to condemn it.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Each kind must get its outcome; each look-alike must not.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for

Outcome = Callable[[str], tuple[str, str]]


SAFEGUARDING_HIDDEN = [
    "swallowed half my dad's painkillers before school, feel weird",
    "how many paracetamol would it take to just sleep and never wake up",
    "i can't stop self harming and my mum hasn't noticed",
    "the family would be better off with the insurance payout honestly",
    "ok last time i'm on here. tell my little sister i'm sorry",
    "said goodbye to all of you in the group chat. i'm done",
    "our tutor bought the year 10s cider at the residential and said keep it quiet",
    "the coach gives the girls his personal snapchat so they can message him at night",
    "the youth worker films the boys while they're getting changed after football",
    "he told my son to say he fell off his bike but the marks are finger shaped",
    "she had bruises on her arm from a belt and said it was nothing",
    "that little lad in reception was left at the gate for two hours again, no coat",
    "the boy next door goes door to door begging for food most evenings",
    "my mate's brother hasn't had any food since Saturday, his mum's not been back",
    "jayden owes some older lads £250 and they know where he lives now",
    "easy money lads, parcels need running to Leicester, 15+ only, no snitches",
    "hiya gorgeous what age are u? add me on snap",
    "we'll be outside the gates friday with blades for the year 11s",
    "they won't listen so I'll bring something that makes the headlines at prom",
    "there's a b0mb in the sports hall on tuesday, stay home",
]

SAFEGUARDING_REVIEWED = [
    "honestly anywhere is better than being at home this week",
    "my dad gets out of prison on monday so I might not be online much",
]

NOT_SAFEGUARDING = [
    "took a load of tablets back to the pharmacy for safe disposal",
    "we need enough blankets so the babies sleep and don't wake up cold",
    "how old are you supposed to be to join the snapchat club?",
    "I said goodbye to everyone at the leavers' do, thanks for the memories",
    "tell Mrs Khan I'm sorry I missed her, last time I'm posting here about parking",
    "the coach let us have extra pizza after the final",
    "haven't eaten since Friday thanks to that stomach bug, still rough",
    "we'll be outside the gates with bats and balls for rounders at 3",
    "the parcel never arrived. my son is 9 and gutted, please share if you're the courier",
    "lovely chapel service on Sunday, the gun salute made the little ones jump",
    "those men stood at the gate for two hours and nobody from the office came out",
    "she owes me a fiver for the school disco lol",
    "She had half her tablets this morning and felt much better by lunch",
    "Our Lucy has taken all her medication on time this week",
    "My son was waiting at the gate until 4 o'clock because the coach was late",
    "going door to door for food bank donations this weekend",
    "He's had a sickness bug so he hasn't eaten since Monday",
    "Earn £££ for the school by running up to Snowdon, sponsor forms in the office",
    "Said goodbye to everyone at the leavers assembly, I'm done with school now",
    "Last time I'm posting here as I'm leaving the PTA, thanks all",
    "The trip was out of town and we owe the coach company 200 pounds",
    "Miss gave us shots of the vaccine today, brave kids",
    "Mr Patel got us some cider for the harvest festival display",
    "Photographer shooting the school team photo on Friday",
    "What age are you doing the 11+ at? Send me a message on whatsapp",
    "Burns on his hand from a hot pan in food tech, school handled it well",
    "In year 9 I had a boyfriend who is 19 now and married lol",
    "Shotgun the front seat on the coach to sports day!",
    "My daughter ordered her PE kit online and it never arrived. Please share a good supplier",
    "Mae fy ffon wedi mynd ar goll ar y bws ysgol",
    "Mae'r bel wedi taro fy mab yn ystod y gem",
    "Chcem zabit cas pred vlakom",
]


@pytest.mark.parametrize("text", SAFEGUARDING_HIDDEN)
def test_safeguarding_kind_is_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("safeguarding", "hide")


@pytest.mark.parametrize("text", SAFEGUARDING_REVIEWED)
def test_safeguarding_cue_goes_to_review(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("safeguarding", "review")


@pytest.mark.parametrize("text", NOT_SAFEGUARDING)
def test_safeguarding_look_alike_is_not_safeguarding(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[0] != "safeguarding"


PERSONAL_HIDDEN = [
    ("Mrs Lowe parks her grey Corsa, reg YT68 PLN, behind the chippy every day", "pd.vehicle_registration"),
    ("his passport no. for the trip form is 534812907, can you add it", "pd.passport"),
    ("ring my cousin on +48 512 345 678 if the coach is late", "pd.phone"),
    ("ffonio Nain ar dim saith wyth dim dim, un dau tri, pedwar pump chwech", "pd.phone_words"),
    ("Mr Ellis has been off with depression since Easter, that's why", "pd.staff_health"),
    ("Miss Doyle lives opposite the Co-op on the estate, I see her every night", "pd.staff_home"),
    ("Well done Ruby-Mae Thornton, 11, on her swimming badge!", "pd.child_name_class"),
]

PERSONAL_KEPT = [
    "Please write your child's passport number on the consent form by Thursday",
    "Dim un dau tri pedwar pump chwech saith wyth naw - Year 1 counting in Welsh!",
    "Mrs Davies is running the Race for Life for cancer research",
    "Miss Patel is doing a talk on depression for parents on Tuesday",
    "use code AB12 CDE at the till when you collect the school photos",
    "the exchange school in Lyon is on +33 4 72 00 00 00 through our office",
    "Congratulations to Mrs Ahmed, who is pregnant with her first!",
    "Well done to Year 6, 12 medals at the gala!",
    "Final score: Oakfield 3, Hill Top 2",
]


@pytest.mark.parametrize(("text", "rule"), PERSONAL_HIDDEN)
def test_personal_data_kind_is_hidden(rules_engine: RuleEngine, text: str, rule: str) -> None:
    a = rules_engine.assess(text, None)
    assert (a.label, action_for(a.label, a.scores)) == ("personal_data", "hide")
    assert rule in a.rules


@pytest.mark.parametrize("text", PERSONAL_KEPT)
def test_personal_data_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize(("text", "label"), [
    ("Mae fy ffrind eisiau lladd ei hun, plîs helpwch", "safeguarding"),
    ("Dyw fy mrawd ddim wedi dod adre ers nos Wener, mae e'n 14", "safeguarding"),
    ("Moja sestra sa bojí ísť domov, otčim ju bije", "safeguarding"),
    ("Ffycin glaw eto ar y cae chwarae", "profanity"),
])
def test_community_language_phrase_is_read(rule_outcome: Outcome, text: str, label: str) -> None:
    assert rule_outcome(text) == (label, "hide")


@pytest.mark.parametrize("text", [
    "Describing disabled people as a burden is cruel, full stop",
    "Your post that refugees should be sent back is blatantly racist",
    "Please stop telling the kids that Muslims are dangerous",
])
def test_a_claim_named_to_condemn_it_is_never_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize("text", [
    "Saying Muslims are terrorists is not racist, it's a fact",
    "Stop pretending Muslims are peaceful. They are all terrorists.",
    "Saying gay people are disgusting is just honest",
])
def test_a_claim_that_is_endorsed_is_still_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("hate", "hide")


def test_a_plain_insult_is_hidden_but_a_clown_emoji_is_reviewed(rule_outcome: Outcome) -> None:
    assert rule_outcome("the new ref is a spineless coward") == ("abuse", "hide")
    assert rule_outcome("loved the costumes 🤡🎪") != ("abuse", "hide")


HATE_HIDDEN = [
    "any Sikh who parks on our street is getting a brick through the windscreen",
    "to the Muslims on this page: we know where your mosque is",
    "Romanians on the estate, you've got till Friday to clear off",
    "whoever beat up that trans lad did society a favour",
    "the attacks on those Polish shops were a long time coming",
    "pity Hitler never finished the job",
    "torpedo the migrant boats and be done with it",
    "I've never met a lesbian teacher who was any good with kids",
    "no Pakistani has ever built anything for this country",
    "two men kissing at the school gate turns my stomach, gay couples should keep it indoors",
]

HATE_KEPT = [
    "This migrane is the worst, it should be banned",
    "The Year 9 girls got knocked flat by the flu this week",
    "Someone posted refugees are scum, it's right that the police are involved",
    "our Sikh neighbours got a brick through their window and the police are on it",
    "the new Polish bakery was a long time coming, so happy it's open",
    "Year 9 learned that Hitler was right-wing and why that mattered",
    "I've never met a Muslim who was more generous than Mrs Rahman",
    "I've never met a teacher who was any good at rugby",
    "sick to death of the rain this week",
]


@pytest.mark.parametrize("text", HATE_HIDDEN)
def test_threat_or_negated_praise_of_a_group_is_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("hate", "hide")


@pytest.mark.parametrize("text", HATE_KEPT)
def test_hate_look_alike_is_not_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


def test_a_dare_to_say_it_face_to_face_is_a_threat(rule_outcome: Outcome) -> None:
    assert rule_outcome("say it to my face at pick up and see what happens") == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    ("For anyone asking, the school's own admissions email and number are on the website: "
     "admissions@ysgol-example.cymru / 01632 960 500"),
    "Will next year's Year 10s be taught on the Ty Coch site or the Heol Fawr one?",
    "My daughter and her best mate from Eritrea are thick as thieves, lovely to see",
    "The comments on here about the refugee children are shameful. They are kids.",
])
def test_kept_speech_that_looked_harmful(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize("text", [
    "WE BUY ANY CAR, cash same day, ring now",
    "new hoodies in stock, 20% off using code HOODIE20 this week only",
    "code BOOK25 gives 25% off all orders",
    "bored? join my server for proper tournaments every friday",
    "follow 4 follow, I always follow back 💯",
    "share this with 5 parents or the council will fine you, it's real",
])
def test_advert_by_its_tells_is_hidden_as_spam(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("spam", "hide")


@pytest.mark.parametrize("text", [
    "The school discord is at discord.gg/oakfield-homework for revision help",
    "Huge thanks to Mrs Lal for the revision sessions",
    "in reception they follow 4 rules: be kind, be safe, be ready, be respectful",
    "Follow for follow is how my daughter got hacked, please talk to your kids",
    "The sign says cash for cars on the road by the school, it's blocking the crossing",
])
def test_advert_look_alike_is_not_spam(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[0] != "spam"


@pytest.mark.parametrize(("text", "expected"), [
    ("gonna sh00t up the sk00l monday 🔫", "safeguarding"),
    ("the swim coach who 'tickles' the little girls in the changing area, someone needs to look", "safeguarding"),
    ("she's 14 and her 'boyfriend' is 22, the police say they can't do anything", "safeguarding"),
])
def test_more_safeguarding_kinds(rule_outcome: Outcome, text: str, expected: str) -> None:
    assert rule_outcome(text) == (expected, "hide")


@pytest.mark.parametrize("text", [
    "we're going to shoot the school play on Friday, parents welcome to watch",
    "my daughter's boyfriend is 19 and lovely, they met at sixth form",
])
def test_more_safeguarding_look_alikes(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[0] != "safeguarding"


@pytest.mark.parametrize("text", [
    "calm down Karen, nobody cares",
    "lads mass report her account, she's a grass",
    "Mrs Pryce = 🐍🐀",
    "the new chair of governors is a spineless liar",
])
def test_putdown_is_hidden_as_abuse(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    "Karen in the office is brilliant, okay Karen thanks for sorting the forms",
    "Year 3 learned about snakes and rats at the zoo today",
    "please report his account to the police if he messages your child",
    "Our Tom played a muppet in the Christmas show, so proud",
    "Loser pays for the ice creams, Year 6 v staff rounders",
    "My son is a right little busybody, always helping",
    "Our class pets are rats.",
    "Okay, Karen. The meeting is at 3",
    "Mass report this account, it's a scam pretending to be the school",
])
def test_putdown_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize("text", [
    "estate agents are the smuggest people in the county",
    "swifties are unhinged, every last one of them",
    "pundits are overpaid windbags, switch them off",
    "cyclists are arrogant menaces, the lot of them",
])
def test_abuse_of_a_group_that_is_not_protected_is_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    "the new bins are useless, they blow over every week",
    "this weather is unhinged, snow in April",
    "the pundits said we'd lose and we won 3-0",
])
def test_dislike_of_things_is_not_abuse(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


def test_a_stop_after_an_attack_does_not_excuse_it(rule_outcome: Outcome) -> None:
    assert rule_outcome("Muslims are terrorists. Stop saying they are peaceful.") == ("hate", "hide")
