"""Sixth pass of kinds: tablets saved up and pill emoji beside a goodbye, a decision already
taken, threats to burn or shoot up a school, a child threatened, grooming that moves a chat
out of sight, pupils used as runners, praise of terrorists, missing children, staff accused of
hurting a child, young children alone; phones written in a mix of digits, words and letters,
National Insurance numbers; campaigns, accusations and put-downs; tropes about women,
Muslims, disabled children and same-sex parents; scams, party-plan selling; phrases in
Tagalog, Portuguese, Somali, Punjabi, Nepali, Polish and Urdu.

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
    "got my pills stockpiled now. bye everyone, sorry for everything",
    "💊💊💊💊 tonight's the night",
    "no point in more counselling, I've already decided. goodbye all x",
    "given all my games away to my cousin. won't need them soon",
    "won't be around for the leavers' do, or anything else really",
    "someone should set fire to that school with the teachers still inside",
    "shooting the dinner hall up on friday, you've been warned",
    "that academy is gonna be all over the news on monday 💣",
    "carry on and I'll make sure your little one doesn't get home from school",
    "ur so mature for your age honestly. add me on snap, the school logs everything here",
    "there's a secret group chat for year 5s where some man gives out robux",
    "older lads keep giving the younger kids little bags to drop at the flats",
    "the dealers are using year 8s as runners after school",
    "the buffalo shooter did nothing wrong, I'll send you the pdf of his manifesto",
    "we need to cleanse this country, join the channel and get organised",
    "the time for talking is over. only true believers, join us, link in bio",
    "PLEASE SHARE our lad has run off from his grandma's, he's 10, call 999 if you see him",
    "that dinner lady was sacked from her last school for slapping a pupil",
    "the head shut a boy in the store room for an hour crying, nobody did anything",
    "my daughter came home with a black eye from PE and it was all hushed up",
    "the minibus driver stank of booze this morning with twenty kids on board",
    "two toddlers, maybe 3 and 4, by the canal at 9pm, no adults anywhere",
    "saw a little girl eating out of the bins behind the Co-op again",
    "my son's started saying stuff about 'the globalists' that he picked up from some guy he chats with online",
    "i'm 15 i promise, follow my private account for free gift cards",
]

SAFEGUARDING_REVIEWED = [
    "long sleeves all summer so nobody sees, it's fine",
    "have to get home before my stepdad gets in or else",
    "home isn't safe at the moment tbh",
    "is it true one of the boys went missing on the Paris trip?",
]

NOT_SAFEGUARDING = [
    "stocked up on paracetamol and tissues, bye bye winter bug",
    "💊 reminder: bring your child's inhaler on the trip",
    "I've already decided on the blue uniform, goodnight everyone x",
    "gave all my old toys away to the charity shop today, doesn't matter now they're outgrown",
    "won't be around for the quiz or the disco, we're on holiday",
    "the choir will be on the news tonight! watch what happens at the end",
    "the photographer is shooting the team photos up on the field",
    "lovely to see you all at the gate, bringing them in tomorrow for the cake sale",
    "my nan baked too many scones, bringing them in tomorrow for the staff room",
    "can we move this chat to whatsapp? easier for the PTA rota",
    "she's so mature for her age, so proud of her speech at assembly",
    "Reporter here from the Gazette: we hear a pupil went missing briefly on the trip. Any comment?",
    "my coat went missing from the cloakroom, navy with a hood",
    "he was sacked from his last job for being late too often, now he's our caretaker and great",
    "my son came home with a bruise from rugby and the coach rang me straight away",
    "the bus driver smelt of coffee and was lovely with the kids",
    "the foxes were eating out of the bins again on Elm Road",
    "my son has started saying 'innit' after chatting with his cousins online",
    "I'm 14 and I promise to work hard as head girl",
    "our choir is going to be on the news! so proud",
    "bye bye hay fever 💊💊 summer is here",
    "Make sure your son doesn't come back without his PE kit",
    "Join us at the fete on Saturday, anyone serious about cake welcome",
    "Make sure your kids don't go home wet, towels please",
    "the photographer will shoot the gym up close for the prospectus",
    "Hand the Year 6s little packets to take home, sunflower seeds",
    "Discord logs everything, so even if you delete a chat it can be reported",
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


@pytest.mark.parametrize(("text", "rule"), [
    ("text me on O7911 I23 456 after tea", "pd.phone_mixed"),
    ("oh seven eight 12 three four 5 six 7 8 is my mobile", "pd.phone_mixed"),
    ("call 07*911*123*456 for the lift share", "pd.phone_mixed"),
    ("07 double 8, 123 then 4 5 6 7 if anyone finds her glasses", "pd.phone_mixed"),
    ("my NI number is AB 12 34 56 C, is that what the form wants", "pd.ni_number"),
])
def test_personal_data_kind_is_hidden(rules_engine: RuleEngine, text: str, rule: str) -> None:
    a = rules_engine.assess(text, None)
    assert (a.label, action_for(a.label, a.scores)) == ("personal_data", "hide")
    assert rule in a.rules


@pytest.mark.parametrize("text", [
    "we won 3-0 then 2-1 then 1-0, unbeaten in seven",
    "room 101, then 102 then 103 for the mock exams",
    "the countdown went ten nine eight seven six five four three two one",
    "Year 2 counted one two three four five six seven eight nine in French",
    "Traveller Education Service visited our Year 7 team today",
    "our tax code changed to 1257L, any idea why",
])
def test_personal_data_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize(("text", "label"), [
        ("laging may pasa ang kaklase ko sa mukha", "safeguarding"),
    ("o motorista lhe toca na perna todos os dias", "safeguarding"),
    ("aabbahay wuu i garaacaa", "safeguarding"),
    ("kal raat papa ne phir maareya mainu", "safeguarding"),
    ("मेरो काकाले मलाई धेरै कुट्नुहुन्छ", "safeguarding"),
    ("usko chaku maar denge kal", "safeguarding"),
    ("unki beti ki zabardasti shaadi ho rahi hai", "safeguarding"),
    ("czarni nie powinni tu mieszkać", "hate"),
    ("ye hindu log gande hain", "hate"),
    ("gana dinero desde casa, escribeme", "spam"),
])
def test_community_language_phrase_is_read(rule_outcome: Outcome, text: str, label: str) -> None:
    assert rule_outcome(text)[0] == label


@pytest.mark.parametrize("text", [
    "I'll keep messaging you till you answer me, I know you've read it",
    "everyone go leave her salon one star reviews 😂",
    "the caretaker has been nicking from the charity tin for years",
    "he got sacked from his last school for turning up drunk",
    "Kyle I'll see you at the gate at 3 and we'll sort this out, you've been warned",
    "she's slept with half the governors, that's how she got deputy head",
    "your mum's so skint she shops at the food bank 😂",
    "you lot will all die alone",
    "crawl back under your rock",
    "crawl back into the hole you came from, Jayden",
])
def test_campaign_accusation_or_putdown_is_hidden_as_abuse(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("abuse", "hide")


@pytest.mark.parametrize("text", [
    "Mrs Khan will see you at the gate at 3.15 with the consent forms",
    "see you at pickup, I'll bring the spare PE kit",
    "I'll keep posting until someone answers about the fee rise",
    "I'll leave a one star review if the uniform shop doesn't refund me",
    "someone nicked the charity tin from the fete, police are looking at the CCTV",
    "Sam was sacked from his last job for being late, he's turned it around since",
    "the changing rooms smell of wee again, please get them cleaned",
    "the kitchen smells like a bin after the bin lorry strike",
    "Mum's so happy with the results!",
])
def test_abuse_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize("text", [
    "women belong in the kitchen, not running a football club",
    "a woman ref? back to the kitchen love",
    "no woman has any business coaching a boys' team",
    "14 words. this town needs it more than anywhere",
    "14 words, lads. Save our schools before it's too late.",
    "14 words lads. Just saying. 88",
    "a prayer room for terrorists in training",
    "Happy Eid, so where's the next attack then",
    "this school is basically a madrassa now",
    "ADHD is just bad parenting with a label",
    "autistic kids are just naughty kids with an excuse",
    "hope the wheelchair kids aren't holding the rest up on the trip again",
    "two dads at the nativity, kids need a proper family not that",
    "those cousin marriage families, no wonder so many need extra help 😂",
    "next trans person near me gets a brick round the head",
    "any gay couple in my pub is leaving in an ambulance",
    "the contempt I feel for gypsies is hard to put into words",
    "pensioners are a waste of a hospital bed",
    "immi grants should all be sent back, every one of them vermin",
])
def test_hate_trope_is_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text) == ("hate", "hide")


@pytest.mark.parametrize("text", [
    "women belong wherever they want to be, including the boardroom",
    "went back to the kitchen to finish the cakes",
    "Year 9 made bath bombs in science today",
    "Eid Mubarak to all our families!",
    "our madrassa classes start again after Ramadan",
    "ADHD is not just bad parenting, it's a real condition",
    "Two dads ran the tombola this year, thanks so much!",
    "the ambulance is leaving now, match restarts in five",
    "14 medals and 2 words: well done",
    "she got 14 words right in her spelling test!",
    "Write a sentence in 14 words to save our school play's budget, prize for the best",
    "He learnt 14 words of Polish and 88 of Spanish this term!",
    "the contempt I feel for racists is hard to put into words",
    "the new ward means no pensioner waits for a hospital bed",
    "Year 8 girls, we're coming for you at netball on Saturday!",
    "Old people are not a waste of a hospital bed, proud of our care home visit",
    "Mr Som Ali says the cars taking over the pavement at pickup are not welcome",
    "Y10 biology: cousin marriage and recessive genes",
])
def test_hate_look_alike_is_not_hidden(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"


@pytest.mark.parametrize(("text", "label"), [
    ("Hello dear, I saw you are very kind woman. I am widower looking for honest friend", "spam"),
    ("Dissertations and coursework written in 24hrs, 100% undetectable, WhatsApp us", "spam"),
    ("Please give to Ellie's appeal at gofund-me-support.net before Friday", "spam"),
    ("Selling Avon! New brochure out, message me for a copy", "spam"),
    ("dtf in the area, any mums from school, discreet", "sexual"),
    ("that PE teacher has a body made for sex", "sexual"),
])
def test_scam_advert_or_sexual_remark_is_hidden(rule_outcome: Outcome, text: str,
                                                label: str) -> None:
    assert rule_outcome(text) == (label, "hide")


@pytest.mark.parametrize("text", [
    "We raised £400 on our GoFundMe for the minibus, thank you! gofundme.com/minibus",
    "Avon and Somerset Police visited Year 6 today",
    "DTF transfers for the PTA hoodies arrived today",
    "Tupperware lunchboxes please, not cling film",
    "please share the PTA's raffle post with your friends and family, thank you!",
])
def test_scam_or_sexual_look_alike_is_kept(rule_outcome: Outcome, text: str) -> None:
    assert rule_outcome(text)[1] != "hide"
