"""Pick one keep label (press, complaint, query, other) and flag text we cannot read.

Runs after the packs, so it sees their press/complaint/query cues.  A strong complaint cue beats
a question mark ("how is that fair??" is a complaint); a question without one is a query; a
journalist needs a self-introduction or a request for comment, not just a newspaper's name.

It also settles one clash between hide labels: adult-dating spam ("hot singles near you want to
meet tonight", tagged ``adult_spam`` by the sexual pack) shares words with a grooming approach.
When the only safeguarding evidence is weak (below ``_SG_WEAK``), the spam wording explains it
and safeguarding is capped below review; a strong safeguarding cue is never touched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from moderation_rules.detectors.base import Context
from moderation_rules.types import HIDE_LABELS

__all__ = ["IntentResolver", "LanguageDetector", "unknown_language"]

_KEEP = ("press", "complaint", "query")
_SUBJECT = (
    r"(?:i|we|you|u|they|he|she|it|there|the|my|our|your|this|that|these|those|anyone|anybody|"
    r"someone|somebody|parents|kids|pupils|year|school|a|an|all|any|mr|mrs|miss|ms)"
)
_OPENER = re.compile(
    r"^(?:(?:what|when|where|who|whom|whose|why|how|which|anyone|anybody|any news|any update)\b"
    r"|(?:is|are|am|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|"
    rf"might|must)\s+{_SUBJECT}\b)"
)
_NOT_QUESTION = re.compile(
    r"^(?:what an? |how (?:amazing|lovely|cute|good|great|brilliant|proud|sweet|fab|wonderful|"
    r"beautiful|funny|kind)|who(?:'s| is) (?:a |the )?(?:good|proud|clever|star))"
)
_SENTENCE = re.compile(r"(?:^|[.!?\n]\s*)([^.!?\n]+)")
_SG_WEAK = 0.6  # safeguarding hits below this are cues, not disclosures


class IntentResolver:
    """Resolves the keep labels so at most one of them reaches the review threshold."""

    def __init__(self, press_min: float = 0.6, complaint_strong: float = 0.6) -> None:
        self._press_min = press_min
        self._complaint_strong = complaint_strong

    def _question(self, ctx: Context) -> None:
        text = ctx.norm.text
        q = text.find("?")
        if q >= 0:
            start = max(text.rfind(c, 0, q) for c in ".!\n") + 1
            while start < q and text[start] == " ":
                start += 1
            ctx.add_norm("query.question_mark", "query", "P-RESPOND", 0.7, start, q + 1)
            return
        for m in _SENTENCE.finditer(text):
            sentence = m.group(1).strip()
            if _OPENER.match(sentence) and not _NOT_QUESTION.match(sentence):
                start = m.start(1)
                ctx.add_norm("query.opener", "query", "P-RESPOND", 0.6, start, m.end(1))
                return

    @staticmethod
    def _adult_spam(ctx: Context) -> None:
        if not any("adult_spam" in h.tags for h in ctx.hits):
            return
        sg = [h.score for h in ctx.hits if h.label == "safeguarding"]
        if sg and max(sg) < _SG_WEAK:
            ctx.caps["safeguarding"] = min(ctx.caps.get("safeguarding", 1.0), 0.45)

    def __call__(self, ctx: Context) -> None:
        self._adult_spam(ctx)
        self._question(ctx)
        press = ctx.score("press")
        complaint = ctx.score("complaint")
        query = ctx.score("query")
        if press >= self._press_min:
            winner = "press"
        elif complaint >= self._complaint_strong:
            winner = "complaint"
        elif query >= 0.5:
            winner = "query"
        elif complaint >= 0.5:
            winner = "complaint"
        else:
            winner = "other"
        for label in _KEEP:
            if label != winner:
                ctx.caps[label] = min(ctx.caps.get(label, 1.0), 0.45)
        if winner == "other" and not any(
            ctx.score(label) >= 0.5 for label in HIDE_LABELS
        ):
            ctx.add("intent.other", "other", "P-RESPOND", 0.5, 0, 0)


# Common English words: function words plus the everyday vocabulary of school comments.  Text
# with several words and almost none of these is in a language the rules do not read.
_ENGLISH = frozenset(
    """a about after again against all almost already also always am an and another any anyone
    anything are around as ask asked at away back bad be because been before being best better
    between big bit both bring but buy by call came can can't cant could day days did didn't do
    does doesn't don't dont done down during each early else end enough even ever every
    everyone everything far few find first for forgot found free from full get gets getting give
    given go goes going gone good got great had has hasn't have haven't having he help her here
    him his home how however i i'd i'll i'm i've if im in into is isn't it it's its just keep
    kind know last late least left less let like likes little long look looking lot lots love
    loved lovely made make many may me might more most much must my need needs never new next
    nice no nobody none not nothing now of off often old on once one only or other our out over
    own paid pay people please proud put quite really right said same say says see seen she
    should since so some someone something soon still such sure take taken tell than thank
    thanks that the their them then there these they thing things think this those though
    through time to today told tomorrow too took try two under until up us use used very want
    wants was wasn't way we week well went were what when where which while who why will with
    without won't work would write wrong year years yes yet you your yours school kids kid
    child children son daughter mum dad teacher teachers class lesson homework uniform trip
    parents parent term club team sports morning night tonight weekend amazing brilliant
    lol omg ngl tbh bro u ur pls thx""".split()
)
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_LATIN_LETTERS = re.compile(r"[a-z]")
_OTHER_LETTERS = re.compile(r"[^\W\da-z_]")


@lru_cache(maxsize=1024)
def unknown_language(text: str) -> bool:
    """True when a folded text is mostly in a language the detectors do not read: letters of
    another script outnumber Latin ones, or four or more words with hardly any English (in ten
    words or more, under one in eight).  Cached: three detectors ask it of the same text."""
    if text.isascii():  # no letters of other scripts: only the word check below matters
        if _LATIN_LETTERS.search(text) is None:
            return False
        latin, other = 1, 0
    else:
        latin = len(_LATIN_LETTERS.findall(text))
        other = len(_OTHER_LETTERS.findall(text))
    if latin + other == 0:
        return False
    if other > latin and latin + other >= 4:
        return True
    words = [w for w in (w.strip("'") for w in _LATIN_WORD.findall(text)) if w]
    if len(words) < 4:
        return False
    english = sum(1 for w in words if len(w) > 1 and w in _ENGLISH)
    if len(words) >= 10:  # a long text with a borrowed "school" or "please" in it
        return english / len(words) < 0.12
    return english < 2 and english / len(words) < 0.2


class LanguageDetector:
    """Marks text in a language the rules do not read (review plus a ticket, never "other")."""

    def __call__(self, ctx: Context) -> None:
        if unknown_language(ctx.norm.text):
            ctx.language = "und"
            ctx.review_reasons.append("unknown_language")
