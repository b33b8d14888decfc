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
        one = rf"(?:(?:a|an|that|this|the|every|each|any|one|some)\s+{alt(w.singulars)})"
        quant, inten, be, negslot = QUANTIFIERS, INTENSIFIERS, COPULA, NEGATION_SLOT
        like_you, pro, modal = LIKE_YOU, _GROUP_PRONOUN, _MODAL
        neg_all = alt(w.strong + w.harsh)
        neg_strong = alt(w.strong)
        opener = alt(w.openers)
        threat = alt(w.threats)
        positive = alt(w.positive)
        passive = alt(w.passive)
        exclusion = alt(w.exclusion)
        singulars = alt(w.singulars)
        direct = tuple((rid, re.compile(src)) for rid, src in (
            ("target.hate_attitude",
             rf"\b{alt(w.hate_verbs)}\s+{quant}(?:{group}|{one})\b"),
            ("target.group_negative",
             rf"\b{quant}(?:{group}|{one}){like_you}\s+(?:{be}\s+)?{negslot}{inten}{neg_all}\b"),
            ("target.group_question",
             rf"\b(?:why|how\s+come|how)\s+(?:are|do|is|must|can|does)\s+{quant}{group}"
             rf"\s+(?:{be}\s+)?{inten}{neg_all}\b"),
            ("target.group_exclusion",
             rf"\b{quant}(?:{group}|{one}){like_you}\s+{exclusion}\b"),
            ("target.negated_praise",
             rf"\b{quant}{group}\s+(?:are|is|r|will|can|could|should|would|were|do|does)?"
             rf"\s*(?:never|not|n't|no\s+longer|hardly\s+ever|rarely|cannot|cant|wont|arent"
             rf"|isnt)\s+(?:be\s+|been\s+|ever\s+|really\s+|truly\s+|even\s+|considered\s+|"
             rf"as\s+|a\s+|an\s+)*{positive}\b"),
            ("target.no_member_good",
             rf"\b(?:no|not\s+a\s+single|not\s+one)\s+{alt(w.singulars + w.groups)}\s+(?:is|are|"
             rf"can\s+be|can\s+ever\s+be|will\s+ever\s+be|has\s+ever\s+been|could\s+ever\s+be|"
             rf"deserves?\s+to\s+be|should\s+be)\s+(?:ever\s+)?{positive}\b"),
            ("target.group_threat",
             rf"\b(?:{opener}\s+(?:\w+\s+){{0,2}})?{threat}\s+(?:all\s+|every\s+|the\s+|those\s+|"
             rf"these\s+|some\s+|more\s+|a\s+few\s+|any\s+|the\s+next\s+)?(?:of\s+the\s+)?"
             rf"(?:{group}|{one}|{singulars})\b"),
            ("target.group_harm",
             rf"\b{quant}{group}\s+(?:all\s+)?{modal}\s+(?:all\s+)?(?:just\s+)?{passive}\b"),
            ("target.death_to",
             rf"\b(?:death\s+to|down\s+with|kill\s+all|gas\s+the|hang\s+the|shoot\s+the)"
             rf"\s+(?:all\s+)?(?:the\s+)?{group}\b"),
            ("target.better_without",
             rf"\b(?:world|country|society|planet|everyone|everybody|we|britain|this\s+place|"
             rf"life|school|town)\s+(?:would\s+be|'d\s+be|will\s+be|is|are|was)\s+"
             rf"(?:so\s+much\s+|much\s+|a\s+lot\s+|far\s+)?(?:better|safer|nicer|cleaner)\s+"
             rf"(?:off\s+)?(?:without|with\s+no|with\s+fewer|with\s+less)\s+{quant}{group}\b"),
            ("target.wish_harm",
             rf"\b(?:if|when|wish|hope|until)\s+{quant}{group}\s+(?:all\s+)?(?:just\s+)?"
             rf"(?:died|disappeared|dropped\s+dead|vanished|were\s+(?:all\s+)?(?:dead|gone|killed|"
             rf"shot|deported|wiped\s+out|exterminated|removed|banned|locked\s+up)|got\s+(?:killed|"
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
             re.compile(rf"\b{pro}\s+(?:{be}\s+)?{negslot}{inten}{neg_all}\b")),
            ("target.group_reference_threat",
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{threat}\s+(?:them|all\s+of\s+them|"
                        rf"every\s+(?:one|last\s+one)\s+of\s+them|the\s+lot)\b")),
            ("target.group_reference_harm",
             re.compile(rf"\b{pro}\s+(?:all\s+)?{modal}\s+(?:all\s+)?{passive}\b")),
            ("target.group_reference_exclusion",
             re.compile(rf"\b{pro}\s+(?:all\s+|just\s+|always\s+)?{exclusion}\b")),
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
        "target.group_negative": lead_group,
        "target.group_question": frozenset({"why", "how"}),
        "target.group_exclusion": lead_group,
        "target.negated_praise": lead_group,
        "target.no_member_good": frozenset({"no", "not"}),
        "target.group_threat": lead_words(w.openers, w.threats),
        "target.group_harm": lead_group,
        "target.death_to": frozenset({"death", "down", "kill", "gas", "hang", "shoot"}),
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
        "target.group_reference_harm": _REFERENCE_LEAD,
    }
