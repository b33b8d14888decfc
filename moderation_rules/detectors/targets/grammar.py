"""Regex pieces of English the target rules share, independent of any lexicon.

A rule reads "<quantifier> <target> <copula> <negation?> <intensifiers> <predicate>"
("all those X are just utter scum"); these are the glue between the lexicon's lists.
"""

from __future__ import annotations

__all__ = [
           "COPULA",
           "INTENSIFIERS",
           "LIKE_YOU",
           "NEGATION_SLOT",
           "OBJECT_END",
           "PRONOUNS",
           "QUANTIFIERS",
           "QUANTIFIER_WORDS",
           "YOU_WORDS",
]

# "all those", "you fucking", "filthy": words in front of a target
QUANTIFIERS = (r"(?:(?:all|most|many|some|those|these|the|you|of|all\s+the|all\s+those|"
               r"all\s+of\s+the|all\s+of\s+those|all\s+these|you\s+fucking|fucking|bloody|"
               r"filthy|dirty|disgusting|stupid)\s+)*")
# the single words of QUANTIFIERS: a rule on a target may start at any of them
QUANTIFIER_WORDS = frozenset({"all", "most", "many", "some", "those", "these", "the", "you",
                              "of", "fucking", "bloody", "filthy", "dirty", "disgusting",
                              "stupid"})
# "just", "nothing but", "a bunch of", "utter": words in front of a predicate
INTENSIFIERS = (
    r"(?:(?:all|just|so|such|really|truly|totally|utterly|completely|nothing\s+but|"
    r"no\s+better\s+than|no\s+more\s+than|nothing\s+more\s+than|always|simply|"
    r"basically|literally|like|fucking|fuckin|bloody|absolute|absolutely|total|"
    r"complete|a\s+bunch\s+of|a\s+pack\s+of|a\s+load\s+of|a\s+lot\s+of|a\s+herd\s+of|"
    r"a\s+horde\s+of|a\s+swarm\s+of|such\s+a|a|an|the|so|very|too|of\s+course|"
    r"obviously|clearly|honestly|genuinely|frankly|naturally|inherently|"
    r"biologically|by\s+nature|utter|pure|complete|massive|huge|disgusting|filthy|"
    r"dirty|stupid|useless|worthless|pathetic|vile|ugly|fat|little|dumb|thick|"
    r"horrible|nasty|lazy|sick|evil)\s+)*")
# "are", "will always be", "make me sick": what links a target to its predicate
COPULA = (r"(?:are|r|is|were|was|be|being|'re|re|'s|s|remain|become|seem|look|sound|"
          r"act\s+like|behave\s+like|are\s+just|r\s+just|will\s+always\s+be|"
          r"will\s+never\s+be|are\s+nothing\s+but|are\s+no\s+more\s+than|make\s+me\s+sick|"
          r"deserve\s+to\s+be|should\s+be\s+treated\s+like|should\s+be\s+called)")
# an optional negation, so "X are not scum" is seen (and then defused), not missed
NEGATION_SLOT = (r"(?:(?:not|never|n't|no\s+longer|hardly|aren't|arent|isn't|isnt|weren't|"
                 r"wasn't)\s+(?:at\s+all\s+)?)?")
# "X like you are ...": a comparison that still names the target
LIKE_YOU = r"(?:\s+like\s+(?:you|u|them|him|her|that|yourself|yours))?"
# the "people" entries of targets.yaml that address the reader
YOU_WORDS = frozenset({"you", "u", "ya", "yous", "you all"})
# the "people" entries that are bare pronouns (never a target without an antecedent)
PRONOUNS = frozenset({"he", "she", "him", "her", "them", "they", "these people",
                      "those people"})
# What may follow the object of "I hate <group>": the end of a clause or a function word, not a
# noun making a compound ("I hate parents evening", "I hate staff meetings", "kids' shoes").
OBJECT_END = (r"(?=\s*(?:$|[.,!?;:)\]\u2026\"]|-\s)|\s+(?:and|or|but|who|that|which|when|"
              r"whenever|if|because|cos|coz|cause|as|so|they|all|too|more|most|than|at|in|on|"
              r"from|of|with|here|there|now|today|tbh|honestly|lol|lmao|haha|like|round|"
              r"around|near|for|since|every|to|even|already|anyway|though|innit|mate|i|we|"
              r"you|u|sometimes|always|the|this|these|those|x+|ngl|fr|ffs|smh|tomorrow|tmrw|"
              r"tmr|tonight|later|soon|next|after|before|again|then|first|by|until|till|while|"
              r"whilst|up|down|out|off|back|over|monday|tuesday|wednesday|thursday|friday|"
              r"saturday|sunday|one)\b|"
              r"\s+[^\w\s'])")
