"""Hiding cuts, wanting not to wake up, and money offered to children for images.

None of these sentences is copied from an evaluation set.  Each kind is said in a child's
own words or by an adult to children, and is hidden as safeguarding by the rules alone; each
look-alike (a scar from an operation, a lie-in, a school competition, a tattoo) stays
visible and raises no safeguarding alert.
"""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine

KINDS = {
    "sg.k8_hiding_cuts": [
        "any tips to hide the cuts on my arms for swimming, asking for a mate",
        "how do u make a cut stop bleeding so my dad doesnt notice",
        "best way to cover up my fresh cuts from my mum?",
    ],
    "sg.k8_not_waking_up": [
        "honestly just want to not wake up tomorrow.",
        "been thinking about not waking up tbh",
    ],
    "sg.k8_paid_for_images": [
        "ill give u 2k robux if u send me a pic of u in ur uniform",
        "£20 to any girl in year 9 who messages my private acc with a video",
        "I'll pay you £30 to go on a private call with me, no need to tell your parents",
    ],
}

LOOK_ALIKES = [
    "I'd rather not wake up at 5 again tomorrow, the baby had other ideas",
    "thinking of not waking up the kids early tomorrow since it's an inset day",
    "Tips for covering the marks from chickenpox before the school photos?",
    "how do I cover the scars on my legs for PE, they're from my operation",
    "how do you get a cut to stop bleeding? my son fell off his bike",
    "cover the marks on the hall floor for the play please",
    "£5 to whoever sends the best pumpkin photo to the school office email!",
    "I'll pay you £20 to mow the lawn on Saturday",
    "We'll give £50 to the first form to send in a video of their class assembly",
    "We had a private call with the head about the SEN review, very helpful",
    "Does a tattoo hurt less on your thigh than your arm?",
    "The governors are hiding the cuts from parents until after the consultation",
    "hiding my marks from my parents until after parents evening",
    "I cover the scars on my legs for PE. They're from my operation",
    "how do I make the cut so my dad doesn't find out I got dropped",
    "stop the bleeding so my mum doesnt notice, picked a spot again",
    "Considering not waking up tomorrow, it's an inset day lol",
    "Can I pay £12 for the trip on my personal account or does it have to be ParentPay?",
    "I had to pay £45 for the uniform, it's on my personal account statement",
    "£10 to the first class to send in a photo of you in your pyjamas for Children in Need!",
    "We'll pay £20 for the best video of the science fair, email it to the office",
]


@pytest.mark.parametrize(("rule", "text"),
                         [(rule, text) for rule, texts in KINDS.items() for text in texts])
def test_kind_is_hidden_as_safeguarding(rules_engine: RuleEngine, rule: str, text: str,
                                        assert_hidden_safeguarding) -> None:
    assert_hidden_safeguarding(rules_engine, text)
    assert rule in rules_engine.assess(text).rules


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_kept(rule_outcome, text: str) -> None:
    label, action = rule_outcome(text)
    assert action != "hide" and label != "safeguarding", (text, label)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_the_full_engine_keeps_the_look_alike(text: str) -> None:
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for

    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.scores)
    assert not any(r.startswith("sg.k8") for r in a.rules), (text, a.rules)
