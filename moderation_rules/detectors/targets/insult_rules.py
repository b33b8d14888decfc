"""Abuse: insults, dehumanising nouns, contempt and hatred aimed at people.

The target is "you", a single person ("he", "the head", "Mr Smith") or a group that is not
protected ("Year 9 boys are animals", "I despise dentists", "bloggers like you make me sick").
The evidence cites the people-group entry's clause, or P-DEFAME for a person.
"""

from __future__ import annotations

import re

from moderation_rules.detectors.targets.grammar import (
    COPULA,
    INTENSIFIERS,
    LIKE_YOU,
    NEGATION_SLOT,
    OBJECT_END,
)
from moderation_rules.detectors.targets.lexicon import TargetWords
from moderation_rules.detectors.targets.people_targets import PeopleRule, PeopleTargets
from moderation_rules.detectors.targets.phrase_regex import alt, key_words

__all__ = ["about_conduct", "insult_rules"]

# "you are", "you're", "u r": the copula after "you"
_YOU_BE = (r"(?:\s+(?:are|r|were|was|be|being|remain|look|sound|seem|act\s+like|"
           r"behave\s+like|are\s+just|r\s+just|will\s+always\s+be)|'re|\s+re)")
# "really", "seriously", "proper": adverbs before a contempt verb ("you all just disgust me")
_ADVERBS = (r"(?:(?:all|just|really|honestly|genuinely|literally|seriously|fucking|fuckin|"
            r"bloody|absolutely|actually|so|truly|totally|frankly|proper|always)\s+)*")
# A restricted object: "I can't stand parents who park on the zig-zags" is about conduct.
_RESTRICTED = re.compile(r"\s+(?:who|that|which|when|whenever|if)\b")
_CALL_WORDS = frozenset({"call", "calls", "called", "calling", "branded", "labelled",
                         "labeled"})


def about_conduct(text: str, end: int) -> bool:
    """Whether the object ending at ``end`` is restricted to what some of them do."""
    return _RESTRICTED.match(text, end) is not None


# "heartless", "slimy": up to two describing words before the insult ("CEOs are heartless
# thieves"); function words never fill it, so "are not thieves" is still read as negated
_ADJECTIVES = (r"(?:(?!(?:not|never|no|than|to|for|with|and|or|but|in|on|at|like|as|being)\b)"
               r"[a-z'-]+,?\s+){0,2}")


def insult_rules(w: TargetWords, who: PeopleTargets) -> tuple[PeopleRule, ...]:
    """The insult, contempt and hatred rules (P-DEFAME or the people-group entry's clause)."""
    you, det, people3 = who.you, who.det, who.third
    be, inten, negslot, like_you = COPULA, INTENSIFIERS, NEGATION_SLOT, LIKE_YOU
    neg_people = alt(w.strong_people)
    lead_either = who.lead_groups | who.lead_you
    return (
        PeopleRule(
            "target.you_strong", 0.88,
            re.compile(rf"\b{you}{like_you}(?:{_YOU_BE})?\s+{negslot}{inten}{alt(w.strong)}\b"),
            who.lead_you, key_words(w.strong)),
        PeopleRule(
            "target.person_strong", 0.88,
            re.compile(rf"\b{det}(?P<who>{people3}){like_you}\s+(?:{be})\s+{negslot}{inten}"
                       rf"{_ADJECTIVES}{neg_people}\b"),
            who.lead_groups, key_words(w.strong_people)),
        PeopleRule(
            "target.person_contempt", 0.88,
            re.compile(rf"\b{det}(?P<who>{you}|{people3}){like_you}\s+{_ADVERBS}"
                       rf"{alt(w.contempt)}\b"),
            lead_either, key_words(w.contempt)),
        PeopleRule(
            "target.person_called", 0.88,
            re.compile(rf"\b(?:call|calls|called|calling|branded|labelled|labeled)\s+{det}"
                       rf"(?P<who>{you}|{people3})\s+(?:as\s+)?(?:nothing\s+but\s+)?{inten}"
                       rf"{neg_people}\b"),
            _CALL_WORDS, key_words(w.strong_people)),
        PeopleRule(
            "target.person_hate", 0.85,
            re.compile(rf"\b(?:i|we)\s+(?:\w+\s+)?{alt(w.hatred)}\s+(?:all\s+of\s+)?{det}"
                       rf"(?P<who>{you}|all\s+of\s+(?:you|them)|{people3}){like_you}"
                       rf"{OBJECT_END}"),
            frozenset({"i", "we"}), key_words(w.hatred)),
        PeopleRule(
            "target.person_harsh", 0.62,
            re.compile(rf"\b{det}(?P<who>{you}|{people3}){like_you}(?:\s+(?:{be})|'re)\s+"
                       rf"{negslot}{inten}{alt(w.harsh)}\b"),
            lead_either, key_words(w.harsh)),
    )
