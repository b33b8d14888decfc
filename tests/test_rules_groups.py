"""Abuse of groups of people that are not protected characteristics (people_groups.yaml).

All sentences here were written for these tests; none comes from an evaluation or test set.
"""

from __future__ import annotations

import pytest

from moderation_rules.detectors.targets import TargetDetector, load_people_groups
from moderation_rules.engine import RuleEngine, default_engine
from moderation_rules.thresholds import HIDE_THRESHOLD, action_for


@pytest.fixture(scope="module")
def engine():
    return default_engine()


def _action(engine, text: str) -> tuple[str, str]:
    a = engine.assess(text)
    return a.label, action_for(a.label, a.scores)


# --- (b) group + dehumanising or insulting predicate, (c) hatred verbs, (d) wished harm -----
@pytest.mark.parametrize("text", [
    "I hate accountants.",
    "Estate agents are the worst kind of people.",
    "I despise dentists.",
    "Plumbers are nothing but vermin.",
    "Traffic wardens deserve to die.",
    "Bloggers like you make me sick.",
    "Year 9 boys are animals",
    "the year 11s are scum",
    "The mums at the gate make me sick",
    "Our governors are the scum of the earth",
    "The dinner staff are disgusting pigs",
    "Fans of Leeds United are scum",
    "People from Oakfield are vermin",
    "I can't stand teachers.",
    "I absolutely loathe the PTA",
    "Dentists should all be shot",
    "I hope the governors die",
    "Death to all traffic wardens",
    "Mrs Whitfield deserves to die",
    "Supply teachers can rot in hell",
    "I'd call the governors scum",
    "Year 10 parents are feral animals",
])
def test_abuse_of_non_protected_groups_is_hidden_as_abuse(engine, text: str) -> None:
    label, action = _action(engine, text)
    assert (label, action) == ("abuse", "hide"), text


@pytest.mark.parametrize("text", [
    "pl*mbers are v e r m i n",
    "estate agents are sc*m",
    "Traffic w4rdens deserve to d1e",
    "accountants are v.e.r.m.i.n",
    "I d e s p i s e dentists",
    "Y e a r 9 boys are animals",
])
def test_evasions(engine, text: str) -> None:
    assert _action(engine, text) == ("abuse", "hide"), text


# --- must-keep: negation, reporting and quotation, counter-speech, complaints, things ------
@pytest.mark.parametrize("text", [
    "teachers are not scum",
    "Teachers are not scum, they work incredibly hard",
    "he called the dinner ladies animals, which is unacceptable",
    '"Parents are vermin" is a horrible thing to post on a school page',
    "People who call teachers scum are vile",
    "We stand with our teachers against the abuse they get",
    "the office staff never answer the phone",
    "The office staff never answer the phone, it's a joke",
    "I hate Mondays",
    "I can't stand the new car park",
    "I despise the new homework policy",
    "I hate parents evening",
    "I hate staff meetings",
    "I hate to say it but the teachers were right",
    "I hate that the kids have to wait outside in the rain",
    "We hate saying goodbye to our year 6s",
    "I don't trust the staff at this school to keep my child safe",
    "I'm sick of parents parking on the zig zags",
    "I have no time for politicians",
    "Half the teachers are sick this week so classes are merged",
    "The kids are filthy after PE, please send them in their kit",
    # a complaint about pay that names a group and says "sick"
    "Nurses are sick of being underpaid",
    "The year 11s should be proud of themselves",
    "The pupils should die of embarrassment after that performance lol",
    "I hope the kids burn off some energy at forest school",
    "I hope the staff get some rest",
    "The dinner ladies are amazing, thank you for everything",
    "the bin men are coming on thursday",
    "Teachers deserve a pay rise",
    "we are going to murder the year 10s at football on friday",
    "I'm going to shoot the year 6 leavers photos tomorrow",
    "I'll kill the kids if they're late again lol",
])
def test_must_keep_cases_are_not_hidden(engine, text: str) -> None:
    label, action = _action(engine, text)
    assert action != "hide", (text, label)
    assert label not in ("hate",), text


@pytest.mark.parametrize("text", ["teachers are not scum", "I hate Mondays",
                                  "the office staff never answer the phone"])
def test_plain_keep(engine, text: str) -> None:
    assert _action(engine, text)[1] == "keep"


def test_conduct_of_a_group_is_review_not_hide(engine) -> None:
    # decided on the evidence: a hatred verb with a restricted group is about conduct
    assert _action(engine, "I can't stand the parents who park on the zig zags") == \
        ("abuse", "review")


# --- protected groups stay hate; roles that contain a protected word are the role ------------
@pytest.mark.parametrize("text", ["Women are scum", "Muslim fans are scum",
                                  "Muslims make me sick", "Immigrants are vermin"])
def test_protected_groups_stay_hate(engine, text: str) -> None:
    assert _action(engine, text) == ("hate", "hide")


@pytest.mark.parametrize("text", ["the dinner ladies are thick as mince",
                                  "the lollipop men are vile animals",
                                  "I hate teachers"])
def test_roles_are_abuse_not_hate(engine, text: str) -> None:
    label, action = _action(engine, text)
    assert label == "abuse" and action in ("hide", "review"), text


# --- clauses and the safeguarding route ------------------------------------------------------
def test_each_hit_cites_the_entry_clause(engine) -> None:
    school = engine.assess("The governors are vermin")
    public = engine.assess("Estate agents are vermin")
    threat = engine.assess("Traffic wardens deserve to die")
    assert "P-DEFAME" in school.policy
    assert "P-ABUSE" in public.policy
    assert "P-ABUSE" in threat.policy


@pytest.mark.parametrize("text", [
    "I'm going to stab the teachers",
    "I'm going to stab the year 9 boys at school",
    "I'll batter the year 8s at the gate",
    "gonna shoot the dinner ladies tomorrow",
    "I will kill the teachers at school tomorrow",
])
def test_threats_against_the_school_community_keep_the_safeguarding_route(engine, text) -> None:
    a = engine.assess(text)
    assert a.label == "safeguarding", text
    assert action_for(a.label, a.scores) == "hide"
    assert "P-SAFEGUARD" in a.policy


def test_threat_against_others_is_abuse(engine) -> None:
    """The rules read a threat against people outside the school community as abuse, not as
    a safeguarding threat.  The school model may still add a possible concern at review
    level on a comment that is hidden anyway (the DSL is told; ``school_model.py``), which the
    token head does here."""
    text = "I'm going to stab the traffic wardens"
    rules = RuleEngine(school_model=False).assess(text)
    assert (rules.label, action_for(rules.label, rules.scores)) == ("abuse", "hide")
    assert "safeguarding" not in rules.scores
    a = engine.assess(text)
    assert action_for(a.label, a.scores) == "hide"
    assert a.scores["abuse"] >= HIDE_THRESHOLD
    assert a.scores.get("safeguarding", 0.0) < HIDE_THRESHOLD


# --- the lexicon ------------------------------------------------------------------------------
def test_every_shipped_entry_cites_a_clause() -> None:
    groups = load_people_groups()
    assert groups
    for g in groups:
        assert g["clause"] in ("P-DEFAME", "P-ABUSE"), g["id"]
        assert g["words"], g["id"]


def test_a_school_can_add_its_own_groups(tmp_path) -> None:
    extra = tmp_path / "local-groups.yaml"
    extra.write_text("groups:\n  - id: rival school\n    clause: P-ABUSE\n"
                     "    words: [grangefield lot, grangefield kids]\n", encoding="utf-8")
    text = "The Grangefield lot are vermin"
    assert _action(default_engine(), text)[1] != "hide"
    local = RuleEngine(people_groups=[extra])
    assert _action(local, text) == ("abuse", "hide")


def test_a_school_file_needs_a_clause(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  - id: x\n    words: [grangefield lot]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="clause"):
        TargetDetector(people_groups=load_people_groups([bad]))


@pytest.mark.parametrize("text", [
    "my son says a boy in his class said he's going to stab the teachers",
    'He posted "I\'m going to stab the year 9s" on snapchat',
])
def test_reported_threats_against_the_school_still_reach_the_dsl(engine, text: str) -> None:
    a = engine.assess(text)
    assert a.label == "safeguarding", text


@pytest.mark.parametrize("text", ["I'm not going to stab the teachers, calm down",
                                  'Saying "I\'m going to kill the traffic wardens" is not funny'])
def test_negated_or_reported_threats_otherwise_kept(engine, text: str) -> None:
    assert _action(engine, text)[1] != "hide", text
