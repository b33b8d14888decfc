"""The rule engine: typical comments of every label, evasions, allow-lists and evidence spans."""

from __future__ import annotations

import pytest

from moderation_rules.engine import RuleEngine, default_engine
from moderation_rules.explain import batch_explanation, explanation
from moderation_rules.rulepack import PackError, load_rules
from moderation_rules.thresholds import HIDE_THRESHOLD, REVIEW_THRESHOLD, action_for
from moderation_rules.types import HIDE_LABELS, LABELS


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return default_engine()


def test_useless_fat_cow_is_abuse_to_hide(engine: RuleEngine) -> None:
    """A personal insult at a named teacher is abuse scored high enough to hide."""
    a = engine.assess("Mrs Hughes you are a useless fat cow")
    assert a.label == "abuse"
    assert a.scores["abuse"] >= HIDE_THRESHOLD
    assert "P-DEFAME" in a.policy


def test_event_question_is_query(engine: RuleEngine) -> None:
    """A plain question about an event is a query and is kept."""
    a = engine.assess("What time does the Christmas fair start on Saturday?")
    assert a.label == "query"
    assert action_for(a.label, a.scores) == "keep"


@pytest.mark.parametrize(
    "text",
    [
        "absolutely disgusted, the school has ignored my emails for 3 weeks",
        "MY DAUGHTER GOT A BEHAVIOUR POINT FOR THE WRONG SOCKS. GET YOUR PRIORITIES RIGHT",
        "£40 for a hoodie?? Daylight robbery. Sort it out.",
        "How is that fair on the kids who behaved? Ridiculous.",
    ],
)
def test_angry_complaint_stays_complaint(engine: RuleEngine, text: str) -> None:
    """A furious parent without abuse is a complaint and is never hidden."""
    a = engine.assess(text)
    assert a.label == "complaint"
    assert action_for(a.label, a.scores) == "keep"


@pytest.mark.parametrize(
    "text",
    [
        "my mums boyfriend hits me when hes been drinking and i dont want to go home",
        "cant revise. been cutting again, dont tell anyone",
        "i wrote a goodbye note last night",
        "someone is bringing a knife in on monday to sort out the year 11s",
        "My son hasn't come home since school yesterday, he's 13, please share",
        "a man keeps messaging my daughter asking for pics and telling her not to tell her parents",
        "someone is sharing a pic of a year 9 girl with no top on",
        "the kids next door have been left on their own all day again with no heating on",
    ],
)
def test_disclosures_and_risks_are_safeguarding(engine: RuleEngine, text: str) -> None:
    """Disclosures, self-harm, weapons, missing children and grooming go to safeguarding."""
    a = engine.assess(text)
    assert a.label == "safeguarding"
    assert a.scores["safeguarding"] >= HIDE_THRESHOLD


def test_staff_allegation_is_tagged_and_routed(engine: RuleEngine) -> None:
    """An allegation that staff harmed a child is safeguarding with routing tags."""
    a = engine.assess("The PE teacher grabbed my son by the neck and pushed him into a wall")
    assert a.label == "safeguarding"
    assert "staff_allegation" in a.tags
    b = engine.assess("The headteacher slapped a pupil in the corridor today")
    assert {"staff_allegation", "about_head"} <= set(b.tags)


@pytest.mark.parametrize(
    "text",
    [
        "ring me on 07700 900418 if you find it",
        "she lives at 22 Larchwood Close, go and ask her",
        "send it to LS6 3QT please",
        "email me at jo.bloggs84@example.com",
        "Poppy Ellison in 4W left her coat",
        "My son Alfie Dunn has ADHD and autism",
        "her insta is @sarahm_1985",
        "that's Ruby Clarke, born 3rd March 2016",
    ],
)
def test_personal_data_is_detected(engine: RuleEngine, text: str) -> None:
    """Phones, addresses, postcodes, e-mails, named children and handles are personal data."""
    a = engine.assess(text)
    assert a.label == "personal_data", a.rules
    assert a.scores["personal_data"] >= HIDE_THRESHOLD


def test_academy_own_contacts_are_allow_listed() -> None:
    """The academy's published number, e-mail and postcode are not personal data."""
    own = RuleEngine(allow_contacts=["0113 496 0000", "office@oakfield-academy.example.com",
                                     "LS6 3QT"])
    text = "Call us on 0113 496 0000, email office@oakfield-academy.example.com, LS6 3QT"
    assert own.assess(text).label != "personal_data"
    assert default_engine().assess("call 0113 496 0000 tonight").label == "personal_data"


def test_role_mailboxes_and_school_domains_are_not_personal(engine: RuleEngine) -> None:
    """A school's office address is a query detail, not personal data."""
    a = engine.assess("Is office@oakfield.sch.uk still the right email for absences?")
    assert a.label == "query"


def test_journalist_contact_is_press_not_personal(engine: RuleEngine) -> None:
    """A reporter's own newsroom details keep the comment press."""
    a = engine.assess("Hi, I'm a reporter at the Evening Echo. Could the head give a comment? "
                      "Call the newsdesk on 01632 960500")
    assert a.label == "press"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Eid at a British school? This is what happens when you let the p*kis run the council",
         "hate"),
        ("ｔｒａｎｎｙ in 10G is using the boys changing rooms", "hate"),
        ("Islam is a cancer and shouldn't be promoted in schools", "hate"),
        ("Women are too emotional to lead a school", "hate"),
        ("nominating Mr Lomax for most f*ckable teacher", "sexual"),
        ("Miss Fenwick in that netball skirt 🥵🥵", "sexual"),
        ("You're all a bunch of d!ckheads", "abuse"),
        ("tag the іdіot", "abuse"),
        ("congrats to everyone except the teachers, a shower of w.a.n.k.e.r.s", "abuse"),
        ("I know where you park. Keep closing the school and see what happens", "abuse"),
        ("Cheap Ray-Bans 85% off TODAY ONLY www.sunglass-sale.example.com", "spam"),
        ("Copy and paste this to 10 groups or your child will have bad luck", "spam"),
        ("Sign the petition to stop the new road!! Share share share", "spam"),
        ("what the fuuuuuuuck", "profanity"),
        ("f u c k i n g hell its raining again", "profanity"),
        ("mocks in 2 weeks and i know absolutely f\u200buck all", "profanity"),
        ("Hello, I'm a journalist with the Gazette. Would the school like to comment?", "press"),
        ("Well done to all the Year 6s, what a lovely send off", "other"),
    ],
)
def test_typical_examples_of_each_label(engine: RuleEngine, text: str, label: str) -> None:
    """Typical comments, evasions included, get their label."""
    assert engine.assess(text).label == label


@pytest.mark.parametrize(
    "text",
    [
        "what time does the bus leave for the Scunthorpe match",
        "cross country at Penistone on Saturday",
        "we drove through Crapstone and Cockburn on the trip",
        "Who's covering while Mrs Kaur's assessment is done?",
        "Is the PTA cocktail party still on?",
        "what time is the coach back from the Dick Whittington panto?",
        "we're moving up from Sussex in March",
        "faggots and peas on the menu today, lovely",
        "Spotted dick and custard on Friday!",
        "Love that the coach went through Shitterton",
        "Could murder a glass of wine after parents evening",
        "that finale was killer 🔥",
    ],
)
def test_innocent_words_and_places_pass(engine: RuleEngine, text: str) -> None:
    """Place names, foods and idioms that contain rude substrings are not hidden."""
    a = engine.assess(text)
    assert not any(a.scores.get(lab, 0.0) >= REVIEW_THRESHOLD for lab in HIDE_LABELS), a.rules


def test_idiomatic_threat_with_a_name_is_not_hidden(engine: RuleEngine) -> None:
    """No rule reads the idiom as a threat.  The school model reads a child's first name with
    his PE kit as possible personal data (p 0.52 since round 11), so a monitor may be asked to
    look; it is never hidden."""
    a = engine.assess("I'll kill him if he's lost his PE kit again but well done Jack")
    assert not any(r.startswith(("target.", "abuse.", "sg.")) for r in a.rules), a.rules
    assert not any(a.scores.get(lab, 0.0) >= HIDE_THRESHOLD for lab in HIDE_LABELS), a.scores


def test_evidence_spans_point_at_original_text(engine: RuleEngine) -> None:
    """Evidence spans and excerpts quote the original, evasive spelling."""
    text = "you lot are all 1d10ts and ｔｗａｔｓ"
    a = engine.assess(text)
    assert a.label == "abuse"
    assert a.evidence
    for ev in a.evidence:
        assert text[ev.start : ev.end] == ev.excerpt
    assert any(ev.excerpt == "ｔｗａｔｓ" for ev in a.evidence)


def test_quoted_slur_in_a_complaint_is_not_hate(engine: RuleEngine) -> None:
    """A parent quoting what their child was called, to complain, is not hidden as hate."""
    a = engine.assess("A boy called my son a 'thick r*tard' and the teacher laughed. "
                      "What is being done about it?")
    assert a.label not in HIDE_LABELS


def test_unknown_language_is_flagged_for_review(engine: RuleEngine) -> None:
    """Text in a language the rules do not read carries the unknown_language review reason."""
    a = engine.assess("Czy jutro szkoła będzie otwarta? U nas na osiedlu dużo śniegu.")
    assert "unknown_language" in a.review_reasons
    assert a.label == "query"
    b = engine.assess("Поздравляем всех учеников с отличными результатами")
    assert "unknown_language" in b.review_reasons
    assert engine.assess("Well done everyone, great results").review_reasons == ()


def test_long_text_with_two_borrowed_english_words_is_unknown_language(engine: RuleEngine) -> None:
    """Roman Urdu with "school" and "please" in it is still not English."""
    a = engine.assess("Mera beta kehta hai ke school ke gate par ek aadmi roz usse baat karta "
                      "hai, please koi dekh le")
    assert "unknown_language" in a.review_reasons
    b = engine.assess("Please can someone tell me if the school bus from Llanbradach is running "
                      "tomorrow morning")
    assert b.review_reasons == ()


def test_scores_are_bounded_and_labels_known(engine: RuleEngine) -> None:
    """Every score lies in [0, 1] and every label is one of the eleven."""
    a = engine.assess("fuck off you idiot, ring 07700 900418, vote for Dave, kill myself")
    assert a.label in LABELS
    assert all(lab in LABELS and 0.0 <= s <= 1.0 for lab, s in a.scores.items())


def test_empty_and_emoji_only_text(engine: RuleEngine) -> None:
    """Empty or emoji-only comments are 'other' and kept."""
    assert engine.assess("").label == "other"
    assert engine.assess("👏👏👏").label == "other"


def test_packs_must_cite_known_clauses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pack entry citing an unknown clause fails loudly with its file and rule id."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  - {id: x.y, label: abuse, clause: P-NOPE, words: [foo]}\n")
    with pytest.raises(PackError, match="P-NOPE"):
        load_rules([bad])


def test_a_school_can_extend_the_packs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An extra pack file adds a school's own terms on top of the shipped ones."""
    from moderation_rules.rulepack import default_pack_paths

    extra = tmp_path / "zz-local.yaml"
    extra.write_text("terms:\n  - {id: local.nick, label: abuse, clause: P-DEFAME, score: 0.9,"
                     " words: [gurnhead]}\n")
    engine = RuleEngine(packs=[*default_pack_paths(), extra])
    assert engine.assess("shut it you gurnhead").label == "abuse"


def test_a_suppression_with_requires_runs_only_when_a_hint_occurs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``requires`` on a suppression is a cheap hint: without any of its words the cap is
    never tried, with one it applies as usual."""
    extra = tmp_path / "zz-local.yaml"
    extra.write_text(
        "terms:\n  - {id: local.nick, label: abuse, clause: P-DEFAME, score: 0.9,"
        " words: [gurnhead]}\n"
        "suppress:\n  - {id: local.play, labels: [abuse], cap: 0.3, requires: [panto],"
        " regex: ['^(?:\\w+ ){0,9}gurnhead']}\n")
    engine = RuleEngine(packs=[extra], school_model=False)
    assert engine.assess("he played the gurnhead in the panto").scores.get("abuse", 0) <= 0.3
    assert engine.assess("he played the gurnhead in the show").label == "abuse"


def test_explanations_never_quote_and_fit_x() -> None:
    """Replies vary by variant, never include the comment, and fit 280 characters on X."""
    for label in HIDE_LABELS:
        texts = {explanation(label, "twitter", v) for v in range(6)}
        assert len(texts) >= 3
        assert all(len(t) <= 280 for t in texts)
    sg = explanation("safeguarding", "facebook")
    assert "safeguarding team" in sg
    assert explanation("query", "facebook") == ""
    batch = batch_explanation(["abuse", "spam", "abuse"], "twitter", 1)
    assert "3 comments" in batch and len(batch) <= 280


@pytest.mark.parametrize(("scores", "label", "action"), [
    # a label at hide level applies; one at review level only may
    ({"hate": 0.6, "abuse": 0.9}, "abuse", "hide"),
    ({"personal_data": 0.55, "spam": 0.85}, "spam", "hide"),
    # two at hide level: precedence
    ({"hate": 0.9, "abuse": 0.95}, "hate", "hide"),
    # none at hide level: precedence among the review-level ones
    ({"hate": 0.6, "abuse": 0.7, "complaint": 0.8}, "hate", "review"),
    # a possible safeguarding concern stays primary and the comment is hidden all the same
    ({"safeguarding": 0.6, "abuse": 0.9}, "safeguarding", "hide"),
    ({"safeguarding": 0.6, "complaint": 0.9}, "safeguarding", "review"),
    ({"hate": 0.6, "profanity": 0.9}, "profanity", "hide"),
    ({"complaint": 0.7, "query": 0.6}, "complaint", "keep"),
    ({}, "other", "keep"),
])
def test_primary_label_prefers_labels_that_apply(scores: dict[str, float], label: str,
                                                 action: str) -> None:
    from moderation_rules.engine import primary_label

    raised = [lab for lab in LABELS if scores.get(lab, 0.0) >= REVIEW_THRESHOLD]
    assert primary_label(raised, scores) == label
    assert action_for(label, scores) == action


def test_a_review_level_label_never_keeps_up_what_a_rule_hides(engine: RuleEngine) -> None:
    a = engine.assess("touch my rook again and i'll break your fingers, i'm not joking", None)
    assert action_for(a.label, a.scores) == "hide"
