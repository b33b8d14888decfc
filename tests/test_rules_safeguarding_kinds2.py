"""Safeguarding recall, widened by kind (second pass): county lines and exploitation,
sextortion and leaked images, suicidal hints, self-harm, radicalisation, strangers and adults
targeting children, staff harming a child, secrets, drunk drivers, missing children and forced
marriage, weapons, violence among pupils, neglect and domestic abuse.

Every sentence here was written for these tests (none is copied from a training or evaluation
file).  Clear disclosures must be HIDDEN as safeguarding; ambiguous cues must at least reach
review as safeguarding so the DSL sees them; look-alikes must not be labelled safeguarding.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import REVIEW_THRESHOLD, action_for

MUST_HIDE = [
    'older boys from the park are paying year 8s £30 a day to carry bags into town',
    'they gave my nephew £40 to hold packages for a week and now he owes them',
    'a lad at the bus station offered my son cash to take parcels on the train to Leeds',
    'anyone want easy money after school, just dropping parcels, dm me',
    'need 3 lads for a job, decent money, no questions asked',
    'the gangs are recruiting kids from our estate to run drugs to the coast',
    'sixth formers are selling vapes and weed to the year 7s behind the sports hall',
    'someone has photos of me and says they will post them unless i pay',
    "if i dont send him money by monday he says he'll share the videos with my whole school",
    'leaked pictures of a year 9 girl are all over snapchat',
    'her pics are in every group chat in the school now',
    'a boy is sending round videos of the girls getting changed after swimming',
    "there's a photo of a year 10 girl in her underwear going round instagram",
    'my mum would cope fine without me honestly',
    'everyone would be better off without me around',
    'my family would be happier without me',
    'think everyone would be better off if i wasnt here',
    "i'll be dead before the exams so why bother",
    "kind of hoping i don't wake up tomorrow",
    'got the tablets ready for tonight. bye',
    'how many sleeping tablets would it take to not wake up',
    'nobody would even notice if i was gone',
    'if i just walked into the river no one would care',
    "tonight i'm ending it for real",
    'i stopped eating again, day 5',
    'keep making myself sick after meals and no one knows',
    "i don't see the point of living anymore",
    'she keeps saying she wants to die when she gets upset',
    "cut again last night and it won't stop bleeding",
    'sometimes i cut my arms when things get too much',
    'only thing that helps is the blade honestly',
    "he's been watching beheading videos a lad in year 11 sends him",
    'my son watches far right stuff online all night now',
    'the infidels at that school will answer for it',
    'a group is recruiting lads into a militia and they train in the woods',
    'they want to go down to the mosque with petrol on saturday',
    'a man in a white van asked if she wanted a lift home from the park',
    "there's a man who follows my son from school every day",
    'my daughter was getting in a car with older men at lunch',
    'you look so mature for 13, message me',
    'age is just a number babe',
    "he says he'll give her robux if she adds him privately and doesn't tell her mum",
    'he sent her a train ticket to meet up in London',
    'our teacher locked my son in a store room for an hour',
    'the TA grabbed my daughter by the throat',
    "mr jones said he'd raise my grade if i came round to his house",
    'the minibus driver was drunk on the school trip',
    'the coach driver stank of booze, over the limit with forty kids on board',
    'her uncle says their chats are a secret',
    "my sister hasn't been seen in 3 days and she's only 13",
    "nobody's seen her since friday",
    "my 15 year old is being taken abroad to get married in the summer, she's 15",
    "he's got a knife in his bag for tomorrow",
    'my cousin is bringing a machete to the party',
    'gonna shoot up the academy on monday',
    "i'm going to stab him at the gates tomorrow",
    'they burned a year 7 with a lighter on the field',
    "the kid wasn't breathing and they just left him there",
    "she's on a bender again and the kids are home alone",
    "there's no food at home and mum's not been back since monday",
    'he batters her in front of the kids',
    'i had to hide my sister in the wardrobe when he came home',
    # threats against the school in other word orders, stated as what will happen
    'gonna shoot this school up after the mocks',
    'someone is getting shanked at prom, just watch',
    'a petrol bomb through the staffroom window would sort them out',
    "don't send your kids to school tomorrow, you've been warned",
    # suicidal talk and self-harm in everyday words
    'my mum and dad would be way better off without me',
    'i burned myself with the lighter again last night',
    'sorry to everybody who tried to help me',
    'made my mind up, wrote the letters last night',
    # a child who did not come back, and intimate disclosures asked as questions
    "my daughter wasn't on the coach. where is she, nobody is answering",
    "is it normal that my uncle does things that aren't ok when mum is out",
    'mums boyfriend walks in the shower when im in it',
    # images, sextortion and grooming offers in gaming chat
    'someone is selling noodz of a year 8 girl in the group chat',
    'a deepfake of my sister is going round the whole year',
    'send nudes or i share the video with your school',
    "i'll get you the skin if you send me a selfie in your pjs",
    'coach said I can stay at his flat after training but not to tell my mum',
    # quieter suicidal talk
    'how much is the most paracetamol you can take before it does something',
    'honestly thinking about unaliving myself tonight',
    "i'm so tired of being a burden to my family",
    'she keeps saying she wishes she was dead',
    # weapons, neglect, staff, exploitation, missing, radicalisation
    "he'll be waiting at the school gates with a machete",
    "my little brother hasn't had dinner for three days",
    "free breakfast is the only time my two get fed on a school day",
    'kids from the school were told never to be alone with him',
    'the new tutor was messaging a year 9 girl on snapchat at 1am',
    'the caretaker keeps rubbing her back in the corridor',
    'my nephew is running for the older lads now and skipping school',
    "a year 7 didn't get off the school bus and his mum can't find him",
    "they keep telling the boys who's replacing white kids and to come to the meet",
    'my stepdad hit me in the face again last night',
    'my nephew takes a knife to school for protection, he told me himself',
    "somebody's getting shot outside the school gates on friday",
    "that lad who snitched is getting shanked tomorrow",
    'gonna torch the school down with the teachers still in it',
    'i slept in the wardrobe with the door locked till he left',
    'the minibus driver makes the girls sit on his knee',
    'her dad pinches her arms so hard it left bruises',
    "they made a year 7 strip in the changing rooms and filmed it",
    'honestly miss i did not fall down the stairs',
    "i'll end it tonight, sorry everyone",
    'thinking of jumping off the top floor of the car park',
    'he said they are sending her to Pakistan to get married',
    'someone is posting pictures of the girls in netball kit and rating them out of 10',
]

MUST_REVIEW = [
    "my brother keeps coming home with new trainers and cash and won't say where from",
    'wearing long sleeves cos of my arms again',
    'my cousin says he wants to fight for the cause',
    'the coach told my son not to mention it to anyone',
    "won't be around to see my birthday so whatever",
    'moving this to telegram so your mum cant see 🤫',
    "the teachers better be ready for what's coming on monday",
]

MUST_NOT_FLAG = [
    'the parcel arrived this morning, thanks for the quick delivery',
    '£50 a day for the ski trip seems steep',
    'bye everyone, see you Monday!',
    'cut the grass again this weekend',
    'can you bring the strap for the drum tomorrow',
    'the man in the van delivered the PE kit today',
    'knocked out of the cup again, gutted',
    'we need more bags for the tombola, can anyone drop some off',
    'can someone take the parcels to the post office for me',
    'my son came home with new school shoes from the uniform swap',
    'the photos of the year 6 leavers assembly are lovely',
    'the pictures of the netball team are up on the website',
    'everyone would cope fine with the new timetable',
    "I won't be here for parents evening as I'm working away",
    'see you all at the leavers do, goodbye year 6!',
    'my tablets are ready to collect from the pharmacy',
    "I'm dead tired after sports day",
    'the teacher locked the classroom door at four',
    'the caretaker locked the gate early again',
    'the bus driver was lovely to the kids on the trip',
    'the coach driver was late but very kind',
    'my daughter got in the car with her nan after school',
    "there's a van parked outside school every morning delivering lunches",
    'the kids painted a lovely picture of the sea',
    'his grades went up after the tutoring',
    'a secret santa for the staff would be fun',
    "the surprise party is a secret, don't tell the head",
    'missing my grandad today, miss him loads',
    'the knife and fork skills session for reception was great',
    'the school burned a lot of money on the new gym',
    "he wasn't breathing hard after the cross country, he's so fit",
    'she left him there at the after school club at 3:30',
    'my mum is drunk on power since she became a governor lol',
    "there's no food left at the bake sale, well done everyone",
    'we had to hide the easter eggs in the cupboard for the hunt',
    'the year 10s raised £200 for charity',
    'the pupils are selling cakes to the year 7s for charity',
    "the drama club's chats are always fun",
    'my son loves watching history videos about the romans',
    'fight for the cup on saturday, come support the team',
    'the year 11s are recruiting volunteers for the fun run',
    'the quiz team got knocked out in round one',
    'he left his coat there again, typical',
    'can you hold the bags while I pay for the tombola prizes',
    'I burned myself on the glue gun making the Christmas cards',
    'the journalist is making a documentary about county lines in Kent',
    "don't send your kids in tomorrow, the boiler has gone and the head says stay home",
    'we shot the school play on an iPhone, video on the website',
    'Sorry I let you all down in the final, we go again next week',
    'the Year 9 history trip was all about petrol bombs in the Blitz',
    'My son was not on the bus list so where is he supposed to wait?',
    'join the campaign! we need volunteers for the PTA summer fair, message us',
    'The only time we eat out is birthdays, so the class party is a treat',
    'My son owes them £15 for the trip, can I pay on Friday?',
    'Pupils in school uniform in and out of the corner shop at lunch again',
    "What's the point in anything if the school never answers emails",
    'This is my last post about lost property, honestly!',
    'Mum said I could have a sleepover but not to tell my brother',
    'Tired of being here at 7am for the minibus every Saturday',
    'Our deepfake awareness lesson in computing was brilliant',
    'my sister beat me at Mario Kart again, rematch tomorrow',
    "The lift is broken and he's on crutches, so he's missing every science lesson",
    'Half of Year 9 are carrying their instruments to the concert tonight',
    "We know where our Year 6s go to school next year, good luck to them all!",
    "I'm ready for what's coming at the carol concert, tissues packed",
    "Let's end it on a high with the summer fair",
    'He slept in the car on the way back from the trip, worn out',
    "I need somewhere that isn't home to revise over Easter, is the library open?",
    'My sister got married off in Lahore last summer and is so happy, photos to follow',
]


@pytest.mark.parametrize("text", MUST_HIDE)
def test_clear_disclosure_is_hidden_as_safeguarding(rules_engine: RuleEngine, text: str,
                                                    assert_hidden_safeguarding) -> None:
    assert_hidden_safeguarding(rules_engine, text)


@pytest.mark.parametrize("text", MUST_REVIEW)
def test_ambiguous_cue_reaches_the_dsl(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text)
    assert a.label == "safeguarding", (text, a.label, a.scores, a.rules)
    assert a.scores["safeguarding"] >= REVIEW_THRESHOLD, (text, a.scores, a.rules)
    assert action_for(a.label, a.scores) in ("review", "hide"), (text, a.scores, a.rules)
    assert "P-SAFEGUARD" in a.policy


@pytest.mark.parametrize("text", MUST_NOT_FLAG)
def test_look_alike_is_not_safeguarding(rules_engine: RuleEngine, text: str) -> None:
    a = rules_engine.assess(text)
    assert a.label != "safeguarding", (text, a.scores, a.rules)
    assert a.scores.get("safeguarding", 0.0) < REVIEW_THRESHOLD, (text, a.scores, a.rules)


def test_enough_cases() -> None:
    assert len(MUST_HIDE) + len(MUST_REVIEW) >= 60
    assert len(MUST_NOT_FLAG) >= 40
