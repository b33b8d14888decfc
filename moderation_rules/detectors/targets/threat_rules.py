"""Threats and wished harm against people: "I'm going to stab the year 9s", "hope he dies".

These cite the threat clause (P-ABUSE).  A threat against the school community (staff,
pupils, parents, a titled teacher) also goes to the DSL as safeguarding, even when quoted or
reported.  Sports and photo talk borrows the same verbs ("we'll murder the year 10s at
football", "shoot the year 6s for the yearbook") and is not a threat.
"""

from __future__ import annotations

import re

from moderation_rules.detectors.targets.grammar import LIKE_YOU, OBJECT_END
from moderation_rules.detectors.targets.lexicon import TargetWords
from moderation_rules.detectors.targets.people_targets import PeopleRule, PeopleTargets
from moderation_rules.detectors.targets.phrase_regex import alt, key_words, lead_words

__all__ = ["against_school_community", "is_figurative", "is_violent", "threat_rules"]

# Sentences about a match, a game or a photo: "we'll murder the year 10s at football" and
# "shoot the year 6s for the yearbook" are not threats.
_SPORT = re.compile(
    r"\b(?:match|matches|game|games|football|footy|netball|rugby|hockey|cricket|basketball|"
    r"rounders|sports?\s+day|tournament|finals?|league|cup|quiz|score|scored|goals?|points|"
    r"fixture|penalt(?:y|ies)|fifa|fortnite|minecraft|xbox|ps5|playstation|chess|debate|"
    r"spelling\s+bee|race|relay|tug\s+of\s+war|dodgeball|paintball|laser\s+tag|water\s+fight|"
    r"snowball|nerf|pillow\s+fight|mario\s*kart|smash\s+bros|rocket\s+league|among\s+us|roblox|"
    r"valorant|overwatch|warzone|call\s+of\s+duty|uno|monopoly|bingo|wordle|quiz\s+night)\b")
_PHOTO = re.compile(r"\b(?:photos?|photograph\w*|pictures?|pics?|video\w*|film\w*|camera|"
                    r"yearbook|headshots?|portraits?|shoot\s+for|photo\s*shoot)\b")
_SPORTY_VERBS = frozenset({"kill", "murder", "slaughter", "massacre", "batter", "bomb", "shoot",
                           "hammer", "attack", "knock out", "deck", "kill every",
                           "shoot every", "hurt", "destroy", "smash", "beat"})
# the same verbs in "I'll destroy you at mario kart" (target.you_threat)
_SPORTY_YOU = re.compile(r"\b(?:kill|murder|slaughter|massacre|batter|destroy|smash|beat)\b")
# ... but a beating "up", "black and blue" or "to a pulp" is never game talk
_BEATING = re.compile(r"\s+(?:up|black|to\s+a\s+pulp|senseless)\b")
# Wishes of harm that sports talk also uses ("the year 10s deserve to be slaughtered at netball").
_SPORTY_HARM = re.compile(r"\b(?:beaten|battered|slaughtered|murdered|massacred|thrashed|"
                          r"hammered|destroyed|killed)\b")
# Rules for threats and wished harm: they cite clause_threat (P-ABUSE).
_VIOLENT_RULES = frozenset({"target.person_threat", "target.person_harm", "target.person_wish",
                            "target.person_death_to"})
# Single people who are school staff: a threat against them also goes to safeguarding.
_SCHOOL_PERSON = re.compile(r"(?:mr|mrs|miss|ms|dr|sir)\b|(?:the\s+)?head(?:teacher)?\b|"
                            r"the\s+teacher\b")
# "...deserve to be shot" but not "...deserve to be shot of", "...die laughing"
_HARM_GUARD = (r"(?!\s+(?:of|from|laughing|for|down|out|off|up|happy|young|old|inside|"
               r"with|trying|in\s+(?:their|his|her|my)\s+sleep|the\s+midnight|"
               r"calories|energy|bright|through|a\s+little))")
_WISH_VERBS = (r"(?:die|dies|died|drop\s+dead|drops\s+dead|rot|rots|burn|burns|"
               r"get\s+killed|gets\s+killed|get\s+shot|gets\s+shot|get\s+stabbed|"
               r"gets\s+stabbed|get\s+run\s+over|gets\s+run\s+over|get\s+murdered|"
               r"gets\s+murdered|get\s+hit\s+by\s+a\s+(?:bus|car|train|truck|lorry)|"
               r"gets\s+hit\s+by\s+a\s+(?:bus|car|train|truck|lorry)|get\s+cancer|"
               r"gets\s+cancer|were\s+(?:all\s+)?dead|was\s+dead|choke|chokes|suffer|"
               r"suffers|rot\s+in\s+hell|burn\s+in\s+hell|all\s+die)")
# words one of _WISH_VERBS needs
_WISH_NEEDS = frozenset({"die", "dies", "died", "dead", "rot", "rots", "burn", "burns", "killed",
                         "shot", "stabbed", "over", "murdered", "hit", "cancer", "choke",
                         "chokes", "suffer", "suffers", "hell"})
_HARM_MODAL = (r"(?:should|must|deserve\s+to|deserves\s+to|need\s+to|needs\s+to|"
               r"ought\s+to|can|can\s+go\s+and|should\s+go\s+and|can\s+all|should\s+all|"
               r"all\s+deserve\s+to|want\s+to\s+see\s+them|may)")


def threat_rules(w: TargetWords, who: PeopleTargets) -> tuple[PeopleRule, ...]:
    """Threats, wished harm and "death to" against people (P-ABUSE)."""
    you, det, people3, named, title = who.you, who.det, who.third, who.named, who.title
    opener = alt(w.openers)
    lead_openers = lead_words(w.openers)
    return (
        PeopleRule(
            "target.person_threat", 0.92,
            re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}(?P<verb>{alt(w.violent)})\s+"
                       rf"(?:(?:all|every|each|some|a\s+few|any|of|the|those|these|them|"
                       rf"one\s+of\s+the|our|your|their)\s+)*(?P<who>{named})"
                       rf"(?!\s+if\b){OBJECT_END}"),
            lead_openers, key_words(w.violent)),
        PeopleRule(
            "target.person_harm", 0.92,
            re.compile(rf"\b{det}(?P<who>{people3}|{title}){LIKE_YOU}\s+(?:all\s+)?{_HARM_MODAL}"
                       rf"\s+(?:all\s+)?(?:just\s+)?(?:{alt(w.harm_people)}){_HARM_GUARD}\b"),
            who.lead_groups, key_words(w.harm_people)),
        PeopleRule(
            "target.person_wish", 0.92,
            re.compile(rf"\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?(?:all\s+)?"
                       rf"{det}(?P<who>{you}|{people3}|{title})\s+(?:all\s+)?(?:just\s+)?"
                       rf"(?:go\s+and\s+)?{_WISH_VERBS}{_HARM_GUARD}\b"),
            frozenset({"hope", "hoping", "wish", "wishing", "pray", "praying"}), _WISH_NEEDS),
        PeopleRule(
            "target.person_death_to", 0.92,
            re.compile(rf"\bdeath\s+to\s+(?:all\s+)?{det}(?P<who>{named}){OBJECT_END}"),
            frozenset({"death"}), frozenset({"death"})),
        PeopleRule(
            "target.you_threat", 0.92,
            re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{alt(w.threats)}\s+{you}\b(?!\s+if\b)"),
            lead_openers, key_words(w.threats)),
        PeopleRule(
            "target.you_harm", 0.9,
            re.compile(rf"\b{you}\s+(?:all\s+)?(?:should|deserve\s+to|need\s+to|ought\s+to)\s+"
                       rf"(?:all\s+)?{alt(w.passive)}\b"),
            who.lead_you, key_words(w.passive)),
    )


def is_violent(rid: str) -> bool:
    """Whether a people rule is a threat or wished harm (cites the threat clause)."""
    return rid in _VIOLENT_RULES or "threat" in rid or "harm" in rid


def against_school_community(who: str, entry: tuple[str, bool] | None) -> bool:
    """Whether the target is staff, pupils or parents: its entry says so, or a title does."""
    return entry[1] if entry else _SCHOOL_PERSON.match(who) is not None


def is_figurative(text: str, m: re.Match[str], threat_rx: re.Pattern[str],
                  harm_rx: re.Pattern[str], you_rx: re.Pattern[str] | None = None) -> bool:
    """Sports and photo talk: "we'll murder the year 10s at football", "shoot the y6s",
    "gonna destroy all of you at mario kart".

    ``threat_rx``/``harm_rx``/``you_rx``: the compiled person_threat, person_harm and
    you_threat rules, the only ones sports talk imitates."""
    if m.re is not threat_rx and m.re is not harm_rx and (you_rx is None or m.re is not you_rx):
        return False
    words = m.group()
    if m.re is threat_rx and m.group("verb") not in _SPORTY_VERBS:
        return False
    if m.re is you_rx and (not _SPORTY_YOU.search(words) or _BEATING.match(text, m.end())):
        return False
    if m.re is harm_rx and not _SPORTY_HARM.search(words):
        return False
    sent_start = max(text.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
    ends = [i for i in (text.find(c, m.end()) for c in ".!?;\n") if i >= 0]
    sentence = text[sent_start : min(ends, default=len(text))]
    if _SPORT.search(sentence):
        return True
    return m.re is threat_rx and m.group("verb").startswith("shoot") \
        and _PHOTO.search(sentence) is not None
