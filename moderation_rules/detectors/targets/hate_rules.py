"""Hate: a protected group (Equality Act 2010 characteristics) with a hostile predicate.

"I hate <group>", "<group> are scum", "<group> should be deported", "death to <group>",
"the world would be better without <group>", and pronouns that carry an attack on a group
named just before ("I met some Muslims. They are scum").  A rule only counts as hate when a
protected-group word is in the text; the group words are the cheap gate for all of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation_rules.detectors.targets.grammar import (
    COPULA,
    INTENSIFIERS,
    LIKE_YOU,
    NEGATION_SLOT,
    QUANTIFIER_WORDS,
    QUANTIFIERS,
)
from moderation_rules.detectors.targets.lexicon import TargetWords
from moderation_rules.detectors.targets.phrase_regex import alt, lead_words

__all__ = ["HateRules"]

# Words of protected-group phrases that name no protected group on their own.
_GENERIC_GROUP_WORDS = frozenset(
    """the of with new non people folk folks kids lads staff teachers users needs special ill
    mums children colour seekers minorities""".split())
# Pronouns standing for a group named earlier.
_GROUP_PRONOUN = (r"(?:they|them|these\s+people|those\s+people|such\s+people|their\s+kind|"
                  r"those)")
_MODAL = (r"(?:should|must|need\s+to|needs\s+to|deserve\s+to|deserves\s+to|ought\s+to|"
          r"have\s+to|has\s+to|will|shall|are\s+going\s+to|gonna|better|can|could|may)")
_REFERENCE_LEAD = frozenset({"they", "them", "these", "those", "such", "their"})
# ", who can't even make up their minds," between a group and what is said of it
_RELATIVE = r"(?:\s*,\s*(?:who|whose|which|that)\b[^,.!?]{0,60},)?"
# what a hostile question asks of a group, besides the insult and exclusion lists
_QUESTION_PREDICATES = (r"(?:even\s+allowed|allowed\s+to\s+exist|just\s+die|shut\s+up|so\s+obsessed|"
                        r"stop\s+(?:stealing|drinking|breeding|killing|lying)|killing\s+each\s+other|"
                        r"never\s+bother|so\s+(?:lazy|dirty|stupid|violent|greedy|ugly|smelly|thick))")

Rules = tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True, slots=True)
class HateRules:
    """The protected-group rules, each tried in order, with their gates."""

    direct: Rules               # a protected group named in the clause itself
    reference: Rules            # a pronoun for a group named elsewhere in the text
    lead: dict[str, frozenset[str]]   # rule id -> words a match may start at
    group_words: frozenset[str]       # a text needs one of these for any hate rule
    protected_tokens: frozenset[str]  # words naming a protected group by themselves

    @classmethod
    def build(cls, w: TargetWords) -> HateRules:
        """Compile the rules from the lexicon lists."""
        group = (rf"(?:{alt(w.groups)}|{alt(w.adjs)}\s+{alt(w.nouns)})")
        one = (rf"(?:(?:a|an|that|this|the|every|each|any|one|some)\s+(?:{alt(w.singulars)}|"
               rf"{alt(w.adjs)}\s+(?:man|woman|person|girl|boy|kid|child|guy|lad|bloke|family|"
               rf"teacher|neighbour|lodger)))")
        quant, inten, be, negslot = QUANTIFIERS, INTENSIFIERS, COPULA, NEGATION_SLOT
        rel = _RELATIVE
        like_you, pro, modal = LIKE_YOU, _GROUP_PRONOUN, _MODAL
        neg_all = alt(w.strong + w.harsh)
        neg_strong = alt(w.strong)
        opener = alt(w.openers)
        threat = alt(w.threats)
        positive = alt(w.positive)
        passive = alt(w.passive)
        exclusion = alt(list(dict.fromkeys(w.exclusion + w.contempt)))
        singulars = alt(w.singulars)
        direct = tuple((rid, re.compile(src)) for rid, src in (
            ("target.hate_attitude",
             rf"\b{alt(w.hate_verbs)}\s+(?:(?:seeing|hearing(?:\s+about)?|having|dealing\s+with|"
             rf"looking\s+at|living\s+(?:with|near|next\s+to))\s+)?{quant}(?:{group}|{one})\b"),
            ("target.nothing_worse",
             rf"\b(?:nothing|no\s+one|nobody|no\s+people)\s+(?:in\s+the\s+world\s+)?(?:"
             rf"disgusts|sickens|repulses|annoys|angers|irritates|revolts|is\s+worse|"
             rf"(?:is|are)\s+more\s+(?:disgusting|annoying|pathetic|vile|useless))\s+(?:me\s+)?"
             rf"(?:more\s+|as\s+much\s+)?(?:than|as)\s+{quant}{group}\b"),
            # "there is nothing dirty about X": a negated attack, seen so that it is defused
            ("target.nothing_bad_about",
             rf"\b(?:nothing|not\s+(?:one|a\s+single)\s+thing)\s+(?:{neg_all})\s+(?:about|in)\s+"
             rf"{quant}{group}\b"),
            ("target.nothing_good",
             rf"\b(?:nothing|not\s+(?:one|a\s+single)\s+thing)\s+(?:good|positive|nice|decent|"
             rf"redeeming|worthwhile|of\s+value|valuable|worth\s+\w+)\s+(?:about|in|from)\s+"
             rf"{quant}{group}\b"),
            ("target.group_negative",
             rf"\b{quant}(?:{group}|{one}){like_you}{rel}\s+(?:{be}\s+)?{negslot}{inten}{neg_all}\b"),
            # "X are bloodsucking leeches", "X are some of the nastiest, most spiteful people"
            ("target.group_negative_loose",
             rf"\b{quant}(?:{group}|{one}){rel}\s+(?:are|is|were|r|'re)\s+(?:[a-z'-]+,?\s+){{1,4}}"
             rf"{neg_strong}\b"),
            ("target.group_question",
             rf"\b(?:why|how\s+come|how)\s+(?:are|do|is|must|can|does)\s+{quant}{group}"
             rf"\s+(?:{be}\s+)?{inten}{neg_all}\b"),
            ("target.group_exclusion",
             rf"\b{quant}(?:{group}|{one}){like_you}{rel}\s+{exclusion}\b"),
            # "Why are X even allowed to exist?", "Aren't X just a filthy people?"
            ("target.group_question_loose",
             rf"\b(?:why|how\s+come|aren'?t|arent|isn'?t|isnt|shouldn'?t|shouldnt|when\s+will)"
             rf"\s+(?:[a-z']+\s+){{0,3}}{quant}{group}\s+(?:[a-z']+\s+){{0,3}}"
             rf"(?:{neg_strong}|{exclusion}|{_QUESTION_PREDICATES})\b"),
            ("target.point_of_group",
             rf"\b(?:what'?s|whats|what\s+is)\s+the\s+point\s+of\s+(?:keeping\s+|having\s+)?"
             rf"{quant}{group}\b"),
            # "Just seeing X fills me with rage", "the sight of a X makes me want to throw up"
            ("target.sight_of",
             rf"\b(?:seeing|the\s+sight\s+of|being\s+(?:around|near)|living\s+(?:near|next\s+to)|"
             rf"hearing)\s+(?:a\s+|an\s+)?{quant}(?:{group}|{one})\b[^.!?]{{0,40}}?"
             rf"\b(?:{alt(w.contempt)})\b"),
            ("target.negated_praise",
             rf"\b{quant}(?:{group}|{one})\s+(?:are|is|r|will|can|could|should|would|were|do|does)?"
             rf"\s*(?:never|not|n't|no\s+longer|hardly\s+ever|rarely|cannot|cant|wont|arent"
             rf"|isnt|can't|won't|don't|doesn't|isn't|aren't|couldn't|shouldn't)\s+"
             rf"(?:be\s+|been\s+|ever\s+|really\s+|truly\s+|even\s+|considered\s+|"
             rf"genuinely\s+|properly\s+|actually\s+|fully\s+|as\s+|a\s+|an\s+)*{positive}\b"),
            ("target.never_contributed",
             rf"\b{quant}(?:{group}|{one})\s+(?:have|has)\s+never\s+(?:done|contributed|achieved|"
             rf"given|added|offered|built|created|made)\s+(?:anything|a\s+\w+\s+thing|a\s+single|"
             rf"one\s+\w+|much)\b"),
            ("target.no_member_good",
             rf"\b(?:no|not\s+a\s+single|not\s+one)\s+(?:{alt(w.singulars + w.groups)}|"
             rf"{alt(w.adjs)}\s+(?:man|woman|person|girl|boy|kid|child|guy|lad|bloke))\s+(?:is|are|"
             rf"can\s+be|can\s+ever\s+be|will\s+ever\s+be|has\s+ever\s+been|could\s+ever\s+be|"
             rf"deserves?\s+to\s+be|should\s+be)\s+(?:ever\s+)?{positive}\b"),
            ("target.group_threat",
             rf"\b(?:{opener}\s+(?:\w+\s+){{0,2}})?{threat}\s+(?:all\s+|every\s+|the\s+|those\s+|"
             rf"these\s+|some\s+|more\s+|a\s+few\s+|any\s+|the\s+next\s+)?(?:of\s+the\s+)?"
             rf"(?:{group}|{one}|{singulars})\b"),
            ("target.group_harm",
             rf"\b{quant}{group}\s+(?:all\s+)?{modal}\s+(?:all\s+)?(?:just\s+)?{passive}\b"),
            ("target.death_to",
             rf"\b(?:death\s+to|down\s+with|kill\s+all|gas\s+the|hang\s+the|shoot\s+the|fuck|"
             rf"fuck\s+all|screw|to\s+hell\s+with|get\s+rid\s+of\s+all)"
             rf"\s+(?:all\s+)?(?:the\s+)?{group}\b"),
            ("target.better_without",
             rf"\b(?:world|country|society|planet|everyone|everybody|we|britain|this\s+place|"
             rf"life|school|town)\s+(?:would\s+be|'d\s+be|will\s+be|is|are|was)\s+"
             rf"(?:so\s+much\s+|much\s+|a\s+lot\s+|far\s+)?(?:better|safer|nicer|cleaner)\s+"
             rf"(?:off\s+)?(?:without|with\s+no|with\s+fewer|with\s+less)\s+{quant}{group}\b"),
            ("target.wish_harm",
             rf"\b(?:if|when|wish|hope|until)\s+{quant}{group}\s+(?:all\s+)?(?:just\s+)?"
             rf"(?:died|disappeared|dropped\s+dead|vanished|were\s+(?:all\s+)?(?:dead|gone|killed|"
             rf"shot|deported|wiped\s+out|exterminated|removed|banned|locked\s+up|hanged|hung|"
             rf"gassed|burned|burnt|euthanised|euthanized|sterilised|rounded\s+up)|got\s+(?:killed|"
             rf"shot|deported|what\s+they\s+deserve)|would\s+(?:all\s+)?(?:die|disappear|leave))\b"),
            ("target.feeling_for",
             rf"\b(?:contempt|disdain|hatred|loathing|disgust|hate|scorn|revulsion)\s+(?:for|of|"
             rf"towards|toward)\s+{quant}{group}\b"),
            ("target.scum_like",
             rf"\b{neg_strong}\s+like\s+(?:you|u|them|{group}|{one})\b"),
        ))
        # After a group is named, pronouns carry the attack ("I met some Muslims. They are scum").
        reference = (
            ("target.group_reference",
             re.compile(rf"\b{pro}(?:\s+|(?=')|(?=re\b))(?:{be}\s+)?{negslot}{inten}{neg_all}\b")),
            ("target.group_reference_threat",
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{threat}\s+(?:them|all\s+of\s+them|"
                        rf"every\s+(?:one|last\s+one)\s+of\s+them|the\s+lot)\b")),
            ("target.group_reference_harm",
             re.compile(rf"\b{pro}\s+(?:all\s+)?{modal}\s+(?:all\s+)?{passive}\b")),
            ("target.group_reference_exclusion",
             re.compile(rf"\b{pro}\s+(?:all\s+|just\s+|always\s+)?{exclusion}\b")),
            ("target.group_reference_wish",
             re.compile(r"\b(?:wish|hope)\s+(?:they|them|those\s+people|these\s+people)\s+"
                        r"(?:would\s+|will\s+)?(?:all\s+)?(?:just\s+)?(?:die|died|drop\s+dead|"
                        r"choke|rot|burn|disappear|were\s+(?:all\s+)?dead|get\s+what)\b")),
            ("target.group_reference_none_good",
             re.compile(rf"\bnone\s+of\s+(?:them|those\s+people|these\s+people)\s+(?:can|could|"
                        rf"should|will|are|is)\s+(?:ever\s+)?(?:be\s+)?{positive}\b")),
        )
        protected = w.protected_words
        return cls(direct=direct, reference=reference, lead=_lead(w),
                   group_words=frozenset(protected),
                   protected_tokens=frozenset(protected - _GENERIC_GROUP_WORDS))


def _lead(w: TargetWords) -> dict[str, frozenset[str]]:
    """Words each protected-group rule may start at."""
    lead_group = lead_words(w.groups, w.adjs, QUANTIFIER_WORDS,
                            ["a", "an", "that", "this", "every", "each", "any", "one"])
    return {
        "target.hate_attitude": lead_words(w.hate_verbs),
        "target.nothing_worse": frozenset({"nothing", "no", "nobody"}),
        "target.nothing_good": frozenset({"nothing", "not"}),
        "target.nothing_bad_about": frozenset({"nothing", "not"}),
        "target.group_negative": lead_group,
        "target.group_negative_loose": lead_group,
        "target.group_question_loose": frozenset({"why", "how", "aren't", "arent", "isn't", "isnt",
                                                  "shouldn't", "shouldnt", "when"}),
        "target.point_of_group": frozenset({"what's", "whats", "what"}),
        "target.sight_of": frozenset({"seeing", "the", "being", "living", "hearing"}),
        "target.never_contributed": lead_group,
        "target.group_question": frozenset({"why", "how"}),
        "target.group_exclusion": lead_group,
        "target.negated_praise": lead_group,
        "target.no_member_good": frozenset({"no", "not"}),
        "target.group_threat": lead_words(w.openers, w.threats),
        "target.group_harm": lead_group,
        "target.death_to": frozenset({"death", "down", "kill", "gas", "hang", "shoot", "fuck",
                                      "screw", "to", "get"}),
        "target.better_without": frozenset({"world", "country", "society", "planet",
                                            "everyone", "everybody", "we", "britain", "this",
                                            "life", "school", "town"}),
        "target.wish_harm": frozenset({"if", "when", "wish", "hope", "until"}),
        "target.feeling_for": frozenset({"contempt", "disdain", "hatred", "loathing",
                                         "disgust", "hate", "scorn", "revulsion"}),
        "target.scum_like": lead_words(w.strong),
        "target.group_reference": _REFERENCE_LEAD,
        "target.group_reference_threat": lead_words(w.openers),
        "target.group_reference_exclusion": _REFERENCE_LEAD,
        "target.group_reference_wish": frozenset({"wish", "hope"}),
        "target.group_reference_none_good": frozenset({"none"}),
        "target.group_reference_harm": _REFERENCE_LEAD,
    }
