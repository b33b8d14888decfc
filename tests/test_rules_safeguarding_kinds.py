"""Safeguarding recall by kind: missing-child appeals, oblique disclosures, grooming offers,
radicalisation aimed at young people and weapon threats reported by a child.

Every sentence here was written for these tests (none is copied from an evaluation set).  Each
must-flag sentence has to be HIDDEN as safeguarding (a miss is the worst error the product can
make); each look-alike has to stay visible and must not be labelled safeguarding.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine
from moderation_rules.thresholds import action_for

MISSING_CHILD = [
    'Has anyone seen Jayden? 12, left for school this morning and never arrived. Black North Face coat and grey joggers. Police informed, please share.',
    "Has anyone seen my daughter Ellie? She's 14 and hasn't been seen since 4pm yesterday, please share",
    "PLEASE SHARE my son Tyler didn't come home from school, last seen wearing his school uniform by the park",
    'Our Kacey is 13 and has run away again, last seen near the bus station wearing a pink hoodie. Police are aware. Please RT',
    'Anyone seen this lad? Year 8, never made it to school today, last seen at the bus stop on Park Road at 8am',
    'My 11 year old has not come home, he was supposed to be back at 4. Please keep an eye out',
    'Missing: Lily, 15, last seen wearing a grey hoodie and black leggings. Please share and contact police',
    'has anyone seen Mason he went out on his bike at 5 and hasnt been seen since, he is 10, please share',
    "Please share - our daughter ran away from home last night, she is 12 and hasn't answered her phone",
    "Urgent - a year 7 boy didn't arrive at school this morning and nobody can find him, police have been called",
    'she left for school this morning and never got there, her phone is off, please help us find her',
    'Appeal: 13 year old Ruby has gone missing from Oakfield, last seen on Tuesday evening, please RT',
    'PLEASE SHARE!! Our son Kai (14) has not been seen since he left school at 3.15. Wearing full uniform and a black puffer. Police have been informed',
    "Can everyone keep an eye out for my daughter, she's 13 and ran off after an argument last night and isn't answering her phone",
    "my grandson didn't turn up at school today and nobody knows where he is, please help",
    'Missing 15 year old from Oakfield, last seen in town centre. Please RT',
    'RT please - year 9 girl missing since Friday, police are searching',
    'has anybody seen our Tia she hasnt come back from school and its getting dark, shes 11, pls share',
    "URGENT our 12yo son went to the shop at 6 and hasn't been seen since. police notified. please share x",
    'He is 14, wearing grey trackies, last seen near the train station at 9pm. Please get in touch',
]

OBLIQUE_DISCLOSURE = [
    "do teachers have to tell ur parents if u tell them something?? asking for a friend. her step dad does stuff when her mum's at work",
    'asking for a friend, her mums boyfriend does things to her when no one is home',
    'he comes in my room at night when everyone is asleep',
    "I'm not allowed to tell anyone what he does to me",
    'do teachers have to tell the police if you tell them something that happens at home',
    'if i tell a teacher about what happens at home will they tell my dad',
    "I don't want to go home tonight",
    'scared to go home because of my step dad',
    "my uncle does stuff to me and says it's our secret",
    'im not allowed to tell anyone what happens at my house',
    'if you tell a teacher something do they have to tell social services',
    "asking for a friend what happens if someone's dad touches them",
    "she says her dad makes her do things she doesn't like when mum is out",
    "my friend says her dad hits her when he's drunk and she doesn't want to go home",
    'what happens if you tell a teacher your step dad touches you? asking for my friend',
    "he says if i tell anyone he'll hurt my mum",
    'my mums boyfriend does stuff to me when shes at work',
    'i dont feel safe at home anymore',
    'is it true teachers have to tell social services if you tell them something about home',
    'i have a friend whos step dad comes in her room at night and she says she cant tell anyone',
    'when mum is on nights her boyfriend does things i dont like',
    "is it true that if you tell a teacher something they have to tell your parents? because my mum's boyfriend is really scary",
    'dont want to go home after school today, my dad is drunk again',
    "he tells me that if i ever tell my mum he'll make me go into care",
]

GROOMING_OFFER = [
    'he said it\'s a secret between me and him',
    'my coach told me to keep it a secret from my mum',
    'its a secret between us x',
    "DM me babe, I'll pay £££ for pics 😘 don't tell ur mum ok",
    "I'll pay for pics, don't tell ur mum",
    "send me a pic and I'll top up your phone",
    "send me a pic and i'll top up ur phone x",
    "send us a selfie and I'll give you £20, our little secret",
    "delete this chat after ok, don't want your mum seeing",
    "i'll buy you a new phone if you send me some pics babe",
    "I'll send you £50 for a photo of you in your school uniform",
    'keep this between us, dont tell your mum we talk',
    "you're so mature, send me a pic just for me and delete the messages",
    'i can get you robux if you send me a photo x dont tell anyone',
    "send me pics and I'll give you a gift card, delete this after",
    "let's keep this our little secret ok? delete our chat",
    "sorry if this is weird but a man online keeps saying he'll pay me if i send pics and not to tell my mum",
    "he said he'd give me £100 if I send him a video, delete this after",
    "i'll top up ur phone if u send me a selfie babe",
    'keep it between us ok? send me a pic',
    'hey sweetie ur so pretty for ur age, ill send u a gift card if u send me some pics x',
    'u can have £50 if u send me a snap, just dont tell ur parents ok',
    "I'll give you free vapes for a pic of you, don't tell anyone",
]

RADICALISATION = [
    "if ur sick of this country being taken over join our telegram 🇬🇧⚔️ real patriots only, age doesn't matter, we're actually doing something about it. dm",
    "join our discord if you're sick of being replaced, real patriots only, any age welcome",
    'the race war is coming, lads, time to pick a side. dm me',
    'join the jihad brothers, dm me for details',
    "young lads wanted for our group, we're actually doing something about the invaders, dm me",
    'the race war is coming and you need to be ready, join us',
    "Sick of what's happening to this country? join our telegram group, age doesn't matter, real patriots only",
    'brothers join the jihad, the ummah needs you, dm me for the link',
    'we need young people who are ready to fight for their race, dm me',
    "join our group chat, we're taking our country back, no age limit, message me",
    "the great replacement is real, join our discord and we'll show you what to do about it",
    'the race war is coming whether you like it or not',
    'white lads we need you, join our group chat and take our country back, any age',
    "young patriots wanted - dm me, we're defending our nation from the invaders",
    'the race war starts soon, get ready lads',
    'Join us brother, the jihad needs young men like you. message me',
    'tired of this country being overrun? join our telegram, real patriots, we take action. all ages',
]

WEAPON_THREAT = [
    'an older boy on the bus takes my money and threatens me with a knife',
    "My son says an older boy on the bus takes his money and threatens him with a knife. I don't know what to do.",
    "a boy in year 11 said he'd stab me if I didn't give him my phone",
    'some lads at the bus stop pulled a knife on my son and took his trainers',
    'my daughter says a girl threatened her with a blade in the toilets',
    'an older kid keeps threatening to cut me if i tell anyone',
    "he showed me a knife and said he'd use it if I told",
    'my son was threatened with a knife on the way home from school',
    "they said they'd stab my brother after school",
    "he's been threatening my son with a knife on the bus",
    'my son said a lad in year 10 pulled a blade on him at the park',
    'a group of older boys robbed my son and threatened to stab him',
    "my daughter keeps getting her dinner money taken by a girl who says she'll beat her up if she tells",
    'someone keeps threatening my son with a knife outside the gates',
    "there's a kid in y9 who said he'd shank my son if he saw him at the park",
    "I'm scared my brothers friend will stab me, he showed me a knife on the bus",
]

LOOK_ALIKES = [
    "My son's birthday present is a secret, don't tell him!",
    'keep it a secret from the kids, the surprise assembly is on Friday!',
    "has anyone seen my son's PE kit? It went missing after Tuesday's lesson",
    "Has anyone seen the lost property box? It's not in reception any more",
    'Has anyone seen the letter about the school trip? Please share if you have it',
    'please share this with other parents, the fair has been moved to Saturday',
    "Last seen wearing his jumper on Monday, now it's vanished. Name labels people!",
    "anyone seen the new menu? my daughter says it's much better",
    'My son left his water bottle on the bus this morning, has anyone seen it? Blue with a dinosaur on',
    'He never arrived at parents evening, the teacher waited 20 minutes for nobody',
    'The parcel never arrived, the school shop is useless',
    'Please share! Our netball team won the county final',
    'Has anyone seen the new film? My kids loved it',
    'my son ran away with the prize at sports day haha',
    'my friend is asking if the trip is still on',
    'asking for a friend, when is the deadline for the year 9 options form?',
    'Do teachers have to tell parents about detentions? My son never mentions them',
    'asking for a friend, does the uniform shop open on Saturdays?',
    "I'm not allowed to tell anyone what the surprise is for Miss Jones' leaving do!",
    "my step dad does the school run on Fridays when my mum's at work",
    "my husband does the pick ups when I'm at work",
    'he comes in my room every morning to wake me up for school lol (my alarm clock son)',
    "I don't want to go home yet, the fair is brilliant!",
    'do teachers have to tell you the grades before results day?',
    'if you tell the office about a change of address do they update the system?',
    "My daughter's friend does stuff with the drama club when her mum's at work, lovely club",
    "I'll pay for the photos at reception",
    'Can I pay for the school photos online or do I send cash?',
    'send me a pic of the homework sheet please, my son lost his',
    "how do I top up my son's dinner money account?",
    "send us a pic of the costume and I'll tell you if it'll do for book day",
    'keep it a secret from the kids, the surprise assembly is on Friday!',
    "The photographer said we'll pay for prints at the office",
    "My son's birthday present is a secret, don't tell him!",
    'Will the school photos be sent home or do we pay online?',
    'dm me for the raffle',
    'join our Facebook group for the PTA',
    'The year 9 history lesson on the patriots in the American revolution was brilliant',
    'Join our discord for the coding club, all ages welcome!',
    'real patriots support the local team haha',
    'the war is coming to an end in the year 10 history topic',
    'join our telegram channel for match updates',
    "we're actually doing something about the car park at last, join the PTA meeting",
    'The history trip to the war museum was amazing',
    'The kids learnt about the jihad and crusades in RE today, great lesson',
    "age doesn't matter, join our choir!",
    'the knife and fork lesson in reception was so cute',
    'my son takes the bus to school, does it stop at the leisure centre?',
    'the older boys on the bus are so loud, can someone have a word',
    "He threatened to tell me off if I didn't finish my tea haha",
    'The bus driver takes money from kids without a pass, is that allowed?',
    'my son was threatened with a detention for not having a tie',
    'the cooking class uses knives, are they supervised?',
    'PLEASE SHARE - lost a blue lunchbox at the gates this morning, my son is gutted',
    "has anyone seen my daughter's reading book? she left it on the bus",
    'please share our summer fair poster with friends and family!',
    "our dog ran off this morning on the field, please share, he's a brown labrador",
    'the police were at the school gates this morning for the road safety talk, great work',
    "my son said the teacher told them a secret about the Christmas play, can't wait",
    'my mum is at work so my step dad does the pick ups on Tuesdays',
    'asking for a friend - are the school shoes in the sale any good?',
    'if you tell the office your child is off sick do they have to ring you back?',
    "I'll pay you back for the photos on Friday, thanks for ordering them",
    'can you send me a pic of the timetable? I lost mine',
    'send me the pics from sports day please, my daughter wants to see them!',
    "the history teacher said they'd cover the race riots of the 1950s next term",
    'our football team wants young lads to join, all ages welcome, dm me',
    "Join us on Saturday for the patriots' day parade with the cadets",
    'the coaches chased the boys with water guns at sports day lol',
    "my son said his friend's dad will shoot them for the yearbook photos",
    'the drama club is doing a play about a missing boy, tickets on sale now',
    'my son takes his phone to school, is that allowed?',
    'She threatened to confiscate his phone if he used it again',
    "My son hasn't been himself since the trip, should I speak to his tutor?",
    "Has anyone seen the Year 6 leavers video? Please share it's brilliant",
    'Our son has not been seen at parents evening since year 7, the dad is useless',
    'the PE kit went missing again, last seen at school on Monday, please share if anyone finds it',
    "I'm scared to tell my mum what I got in my mock results lol",
    'asking for a friend, is the school nurse in on Fridays?',
    'if I tell the school my son has nits do they have to tell the class?',
    'Photos from the trip are online, you can pay for them at reception',
    "send me a pic of your child's costume and I'll add it to the display!",
    "my mum said she'd kill me if I didn't tidy my room haha",
    "my son's friend's dad is a patriot and took them to the war memorial for Remembrance",
    'Join our group of volunteers this Saturday to clean up the park, dm me',
    'The kids are doing a project about the war in Ukraine',
    'the boys had a water pistol fight and came in soaked',
    'My daughter said the teacher threatened to keep them in at lunch',
    'Please RT: lost teddy at the Christmas fair, my daughter is heartbroken',
]


@pytest.mark.parametrize("text", [
    *MISSING_CHILD, *OBLIQUE_DISCLOSURE, *GROOMING_OFFER, *RADICALISATION, *WEAPON_THREAT])
def test_kind_is_hidden_as_safeguarding(rules_engine: RuleEngine, text: str,
                                        assert_hidden_safeguarding) -> None:
    """Missing children, oblique disclosures, grooming offers, recruitment, weapon threats."""
    assert_hidden_safeguarding(rules_engine, text)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_kept_and_not_safeguarding(rules_engine: RuleEngine, text: str) -> None:
    """Lost kit, school photos, PTA groups, history lessons, cutlery: kept, no DSL alert."""
    a = rules_engine.assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.scores, a.rules)
    assert a.label != "safeguarding", (text, a.scores, a.rules)


def test_secrecy_alone_is_review_not_hide(rules_engine: RuleEngine) -> None:
    """One secrecy cue without an offer or a request for pictures alerts monitors only."""
    a = rules_engine.assess("keep this between us yeah")
    assert a.label == "safeguarding"
    assert action_for(a.label, a.scores) == "review"


def test_offer_for_pictures_plus_secrecy_reaches_hide(rules_engine: RuleEngine) -> None:
    """Each cue alone is review; an offer for pictures with secrecy is hidden."""
    alone = rules_engine.assess("I'll pay for pics")
    both = rules_engine.assess("I'll pay for pics, don't tell your mum")
    assert action_for(alone.label, alone.scores) == "review"
    assert action_for(both.label, both.scores) == "hide"
    assert both.label == "safeguarding"


def test_missing_appeal_needs_a_young_person(rules_engine: RuleEngine) -> None:
    """The same appeal wording about a dog is not a safeguarding alert; about a child it is."""
    dog = rules_engine.assess("our dog ran off this morning, last seen near the park, please share")
    child = rules_engine.assess("our son ran off this morning, last seen near the park, please share")
    assert dog.label != "safeguarding"
    assert child.label == "safeguarding"
    assert action_for(child.label, child.scores) == "hide"


def test_reported_threat_is_safeguarding_direct_threat_stays_abuse(rules_engine: RuleEngine) -> None:
    """A child reporting a stabbing threat is safeguarding; a threat made in the comment itself
    is left to the abuse rules (the reported-speech pattern must not take it over)."""
    reported = rules_engine.assess("a lad at the bus stop said he would stab me if I told anyone")
    assert reported.label == "safeguarding"
    assert "sg.weapon_threatened" in reported.rules
    direct = rules_engine.assess("I'm going to stab you")
    assert "sg.weapon_threatened" not in direct.rules
    assert action_for(direct.label, direct.scores) == "hide"
