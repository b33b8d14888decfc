"""When an attack-shaped clause is not the author's attack: negated, quoted or reported.

"Muslims are not scum", "I don't hate gay people", "saying that X are vermin is disgusting"
and "he called the dinner ladies animals" all match a rule's shape; these checks tell them
apart from the attacks themselves.  A negated compliment ("women are never any good") is an
attack, so its rules are exempt from the negation check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from moderation_rules.detectors.targets.phrase_regex import alt

__all__ = ["NEGATION", "QUOTED_REPORT", "CounterSpeech", "called_by_speaker"]

NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|noone|none|nothing|neither|nor|hardly|n't|dont|doesnt|didnt|"
    r"isnt|arent|wasnt|werent|wont|wouldnt|shouldnt|cant|cannot|couldnt|aint|stop|stopped|"
    r"quit|refuse|no longer|without)\b|n't\b"
)
# Negations that belong to a predicate ("not human", "can't be trusted"), not against it.
_NEG_PHRASES = re.compile(
    r"\b(?:not\s+human|no\s+good|not\s+welcome|not\s+wanted|not\s+real|not\s+fit|"
    r"not\s+good\s+enough|nothing\s+but|no\s+better\s+than|no\s+more\s+than|nothing\s+more\s+than|"
    r"good\s+for\s+nothing|can'?t\s+stand|cannot\s+stand|can'?t\s+bear|(?:cannot|can'?t)\s+be\s+trusted|"
    r"(?:don'?t|do\s+not)\s+(?:belong|deserve|want)|shouldn'?t|should\s+not|aren'?t\s+(?:welcome|real)|"
    r"not\s+allowed|no\s+place|no\s+rights|not\s+exist|never\s+be|less\s+than\s+human|sub\s+human)\b"
)
# A rhetorical question or tag ("isn't it", "aren't they"): not a negation of the attack.
_RHETORICAL = re.compile(r"\b(?:isn'?t|aren'?t|wouldn'?t|don'?t|doesn'?t|can'?t)\s+"
                         r"(?:it|that|all|we|you|they|everyone|anyone|true)\b"
                         r"|\b(?:isn'?t|aren'?t)$")
# Rules whose own word lists already hold their negations ("don't respect", "not welcome").
_LEXICAL_NEGATION = frozenset({"target.hate_attitude", "target.group_exclusion",
                               "target.better_without", "target.feeling_for",
                               "target.wish_harm", "target.person_contempt"})
# Rules whose attack IS a negation ("X are never any good"): never defused by one.
_NEGATED_PRAISE = ("target.negated_praise", "target.no_member_good", "target.nothing_worse",
                   "target.nothing_good", "target.never_contributed",
                   "target.group_reference_none_good", "target.group_question_loose")
# ", who can't even make up their minds,": a negation inside a relative clause is not the
# negation of what the sentence says of the group
_RELATIVE_CLAUSE = re.compile(r",\s*(?:who|whose|which|that)\b[^,.!?]*,")
# A hateful line reported in quotation marks ("anyone saying 'send them back' should be ...").
QUOTED_REPORT = re.compile(
    r"\b(?:say|says|saying|said|call|calls|calling|called|shout\w*|chant\w*|wrote|writ\w*|post\w*|"
    r"tweet\w*|statements?\s+like|comments?\s+like|words\s+like|things\s+like|phrases?\s+like)"
    r"\s+(?:that\s+|things\s+like\s+|stuff\s+like\s+)?[\"']"
)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]|\bbut\b")
_OPEN_QUOTE = re.compile(r"(?:^|(?<=[\s(\[:,-]))[\"']")
_CLOSE_QUOTE = re.compile(r"[\"'](?=$|[\s.,!?;:)\]-])")
# The speaker calls them that themself ("I'd call the governors scum"), or reports it.
_FIRST_PERSON_BEFORE = re.compile(
    r"\b(?:i|we|i'd|id|i'll|we'd|we'll|i've|ive|we've)\s+(?:\w+\s+){0,2}$")

# A report the author then endorses ("saying Muslims are X is not racist, it's a fact"): the
# reporting frame no longer defuses the attack.
_ENDORSED = re.compile(
    r"[^.!?;\n]{0,30}?\b(?:is|it'?s|that'?s|was)\s+(?:just\s+|simply\s+|only\s+)?(?:not\s+(?:racist|"
    r"hateful|hate|bigoted|sexist|homophobic|transphobic|wrong|offensive)|(?:the\s+)?truth|(?:a\s+)?fact|"
    r"true|accurate|honest|fair|right|common\s+sense|realistic|reality)\b"
    r"(?!\s+(?:to|that|about|of|for|in|on)\b)(?=\s*(?:$|[.!?,;]|tbh|though|mate|lol|and\b|innit))")

# "I'm just saying X are ...", "all I'm saying is", "I say": the speaker's own claim, not a report.
_OWN_CLAIM = re.compile(r"\b(?:i|we|i'm|im|i\s+am|we're|we\s+are|i'd|id|i\s+would)\s+"
                        r"(?:just\s+|only\s+|simply\s+|honestly\s+|merely\s+)?$")


def called_by_speaker(text: str, start: int) -> bool:
    """"I'd call the governors scum" attacks; "he called the dinner ladies animals" reports
    what someone else said: whether the author names themself just before ``start``."""
    sent = max(text.rfind(c, 0, start) for c in ".!?;\n") + 1
    return _FIRST_PERSON_BEFORE.search(text, max(sent, start - 30), start) is not None


class CounterSpeech:
    """Negation, quotation and reporting frames around a match."""

    def __init__(self, reporting: Iterable[str]) -> None:
        """``reporting``: the reporting frames of targets.yaml ("saying that", ...)."""
        self.reporting_rx = re.compile(rf"\b{alt(reporting)}\b")

    def harmless(self, text: str, m: re.Match[str], rid: str) -> bool | str:
        """Negated, quoted or reported: the words are not the author's attack.

        Returns ``"reported"`` (truthy) when the clause is quoted or reported but not negated:
        a reported threat against the school community still concerns safeguarding."""
        start, end = m.span()
        sent_start = 0
        for b in _SENTENCE_BREAK.finditer(text, 0, start):
            sent_start = b.end()
        before = text[max(sent_start, start - 40) : start]
        inside = m.group()
        if rid not in _NEGATED_PRAISE:
            # "not" just before the match or inside it cancels a negative predicate, unless the
            # negation belongs to the predicate itself ("not human", "can't be trusted")
            near = " ".join(before.split()[-3:])
            if NEGATION.search(near) and not _RHETORICAL.search(before):
                return True
            plain = _NEG_PHRASES.sub(" ", _RELATIVE_CLAUSE.sub(" ", inside))
            if rid not in _LEXICAL_NEGATION and NEGATION.search(plain):
                return True
        # counter-speech: quoted, or after a reporting frame in the same sentence, unless the
        # author goes on to endorse it
        if _ENDORSED.match(text, end, end + 80):
            return False
        if self.quoted(text, start, end):
            return "reported"
        for r in self.reporting_rx.finditer(text, max(sent_start, start - 60), start):
            if not _OWN_CLAIM.search(text, max(sent_start, r.start() - 20), r.start()):
                return "reported"
        return False

    @staticmethod
    def quoted(text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` sits inside a pair of quotation marks."""
        opens = [q.start() for q in _OPEN_QUOTE.finditer(text, 0, start + 1)]
        if not opens:
            return False
        o = opens[-1]
        close = _CLOSE_QUOTE.search(text, max(o + 1, start))
        if close is None:
            return False
        between = _CLOSE_QUOTE.search(text, o + 1, start)
        return between is None or between.start() >= start
