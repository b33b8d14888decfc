"""Who is attacked and how: protected groups (hate), people and other groups (abuse).

Word lists can never enumerate every hateful sentence, but most share a shape: a TARGET (a
protected group, a person, "you") and a PREDICATE about it (a hateful attitude, an insult or a
dehumanising noun, a threat, an exclusion, a negated compliment).  This detector reads the
lists in ``lexicons/targets.yaml`` and matches those shapes on the folded text, then checks the
three things that turn a match harmless:

* negation of a negative predicate ("Muslims are not scum", "I don't hate gay people"), while a
  negated compliment still attacks ("women are never any good");
* counter-speech and quotation: the clause is in quotation marks or follows a reporting frame
  ("saying that X are vermin is disgusting", "people who call X animals ...");
* a target that is not a person (complaints about dinners and buses are never abuse).

Before matching it repairs common spelling evasions the character-level folding cannot undo:
a dropped, swapped or doubled letter in a listed word ("womne", "muslms") and missing spaces
("ihate women").  Known words are never "repaired" into listed ones.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Iterator

import yaml

from moderation_rules.detectors.base import Context

__all__ = ["TargetDetector", "load_target_lexicon", "repair_tokens"]

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|noone|none|nothing|neither|nor|hardly|n't|dont|doesnt|didnt|"
    r"isnt|arent|wasnt|werent|wont|wouldnt|shouldnt|cant|cannot|couldnt|aint|stop|stopped|"
    r"quit|refuse|no longer|without)\b|n't\b"
)
_NEG_PHRASES = re.compile(
    r"\b(?:not\s+human|no\s+good|not\s+welcome|not\s+wanted|not\s+real|not\s+fit|"
    r"not\s+good\s+enough|nothing\s+but|no\s+better\s+than|no\s+more\s+than|nothing\s+more\s+than|"
    r"good\s+for\s+nothing|can'?t\s+stand|cannot\s+stand|can'?t\s+bear|(?:cannot|can'?t)\s+be\s+trusted|"
    r"(?:don'?t|do\s+not)\s+(?:belong|deserve|want)|shouldn'?t|should\s+not|aren'?t\s+(?:welcome|real)|"
    r"not\s+allowed|no\s+place|no\s+rights|not\s+exist|never\s+be|less\s+than\s+human|sub\s+human)\b"
)
_RHETORICAL = re.compile(r"\b(?:isn'?t|aren'?t|wouldn'?t|don'?t|doesn'?t|can'?t)\s+(?:it|that|all|we|you|"
                         r"they|everyone|anyone|true)\b|\b(?:isn'?t|aren'?t)$")
# Rules whose own word lists already hold their negations ("don't respect", "not welcome").
_LEXICAL_NEGATION = frozenset({"target.hate_attitude", "target.group_exclusion",
                               "target.better_without", "target.feeling_for",
                               "target.person_hate", "target.wish_harm"})
# A hateful line reported in quotation marks ("anyone saying 'send them back' should be ...").
_QUOTED_REPORT = re.compile(
    r"\b(?:say|says|saying|said|call|calls|calling|called|shout\w*|chant\w*|wrote|writ\w*|post\w*|"
    r"tweet\w*|statements?\s+like|comments?\s+like|words\s+like|things\s+like|phrases?\s+like)"
    r"\s+(?:that\s+|things\s+like\s+|stuff\s+like\s+)?[\"']"
)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]|\bbut\b")
_OPEN_QUOTE = re.compile(r"(?:^|(?<=[\s(\[:,-]))[\"']")
_CLOSE_QUOTE = re.compile(r"[\"'](?=$|[\s.,!?;:)\]-])")
# Common words used to decide whether a token is a real word (never fuzzy-repaired).
_COMMON = frozenset(
    """a about after again all also always am an and any are as at away back be because been
    before being best better big both but by came can cant come could day did do does done
    dont down each even ever every for from get gets go going gone good got great had has have
    he her here him his how i if im in into is it its just keep kind know last left let like
    little look lot love made make many me more most much must my need never new next no not
    now of off old on once one only or other our out over own people please put really right
    said same say see she should so some still such take tell than that the their them then
    there these they thing think this those though time to too two up us very want was way we
    well went were what when where which while who why will with would year yes yet you your
    ours mine sure true life live lives loved lovely mean means meant omen woken wake worse
    worst words word world work works write wrote hang hung gang ate hate heat hat date
    dates later mates males moles miles homes hoes hose shoot shot shut skill still sum rash
    crash trash rats arts star stars tars pets pests vine file views news knew gas days guy
    guys says gods pea peas paste taste waste train tans sock suck numb think thin tick dirt
    thirty therapist therapists hand band bang bear bets bet beast born turn torn cross grass
    glass class lass less wild wide mild maid mad made sad said slim slime bread bead beard
    world whole hole holes whale wales""".split()
)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v).strip().lower() for v in value if str(v).strip()]


def _alt(phrases: Iterable[str]) -> str:
    """A regex matching any of the phrases, longest first, spaces as flexible whitespace.

    Built as a trie ("scum(?:bags)?", "a (?:plague|disease)") rather than a flat list, so the
    regex engine rules out most phrases after a character or two instead of trying each one.
    """
    trie: dict[str, Any] = {}
    for p in {p for p in phrases if p}:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + build(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return "(?:" + build(trie) + ")"


def _firsts(*groups: Iterable[str]) -> frozenset[str]:
    """First words of phrases: a rule is only tried where one of them starts a word."""
    return frozenset(p.split()[0] for g in groups for p in g if p.split())


@lru_cache(maxsize=1)
def load_target_lexicon() -> dict[str, Any]:
    """The shipped target/predicate lexicon (read with importlib.resources)."""
    path = resources.files("moderation_rules") / "lexicons" / "targets.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _variants(word: str) -> set[str]:
    """One-letter slips of ``word``: a dropped, swapped or doubled letter."""
    out: set[str] = set()
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1 :])
        out.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    out.discard(word)
    return out


def _swaps(word: str) -> set[str]:
    """Adjacent-letter swaps of ``word`` (for four-letter words, where drops are too risky)."""
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    out.discard(word)
    return out


class _Repairer:
    """Maps evasive tokens back to listed words (fuzzy slips and run-together words)."""

    def __init__(self, targets: Iterable[str], known: Iterable[str], exclude: Iterable[str],
                 joinable: Iterable[str], anchors: Iterable[str] = ()) -> None:
        known_set = set(known) | set(exclude) | _COMMON
        self._known = frozenset(known_set)
        fuzzy: dict[str, str] = {}
        clash: set[str] = set()
        for word in targets:
            if len(word) < 4 or not word.isalpha():
                continue
            variants = _variants(word) if len(word) >= 5 else _swaps(word)
            for v in variants:
                if v in known_set or len(v) < 4:
                    continue
                if v in fuzzy and fuzzy[v] != word:
                    clash.add(v)
                fuzzy[v] = word
        for v in clash:
            fuzzy.pop(v, None)
        self._fuzzy = fuzzy
        self._joinable = frozenset(joinable) | _COMMON
        self._targets = frozenset(targets)
        self._anchors = frozenset(a for a in anchors if len(a) >= 3)
        self._cache: dict[str, str | None] = {}

    def word(self, tok: str) -> str | None:
        """The listed word ``tok`` is a slip of, a split of run-together words, or None."""
        cache = self._cache
        if tok in cache:
            return cache[tok]
        fixed = self._word(tok)
        if len(cache) < 100_000:
            cache[tok] = fixed
        return fixed

    def _word(self, tok: str) -> str | None:
        if tok in self._known or tok in self._targets:
            return None
        hit = self._fuzzy.get(tok)
        if hit:
            return hit
        if len(tok) >= 5:
            for i in range(1, len(tok) - 1):
                a, b = tok[:i], tok[i:]
                if a in self._joinable and b in self._joinable and (len(a) > 1 or a == "i") \
                        and (a in self._anchors or b in self._anchors):
                    return f"{a} {b}"
        return None


def repair_tokens(text: str, repairer: _Repairer) -> tuple[str, list[int]]:
    """Rewrite slipped tokens; return the new text and, per char, its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    last = 0
    changed = False
    for m in _TOKEN.finditer(text):
        fixed = repairer.word(m.group())
        if fixed is None:
            continue
        changed = True
        out.append(text[last : m.start()])
        index.extend(range(last, m.start()))
        out.append(fixed)
        span = m.end() - m.start()
        index.extend(m.start() + min(k * span // max(1, len(fixed)), span - 1)
                     for k in range(len(fixed)))
        last = m.end()
    if not changed:
        return text, []
    out.append(text[last:])
    index.extend(range(last, len(text)))
    return "".join(out), index


class TargetDetector:
    """Target + predicate shapes for hate (protected groups) and abuse (people)."""

    def __init__(self, lexicon: dict[str, Any] | None = None, known_words: Iterable[str] = ()
                 ) -> None:
        lex = lexicon or load_target_lexicon()
        self.clause_hate = str(lex.get("clause_hate", "P-PROTECTED"))
        self.clause_abuse = str(lex.get("clause_abuse", "P-DEFAME"))
        self.clause_threat = str(lex.get("clause_threat", "P-ABUSE"))
        groups: list[str] = []
        for words in (lex.get("groups") or {}).values():
            groups.extend(_as_list(words))
        adjs = _as_list(lex.get("group_adjectives"))
        nouns = _as_list(lex.get("person_nouns"))
        singulars = _as_list(lex.get("group_singulars"))
        people = _as_list(lex.get("people"))
        hate_verbs = _as_list(lex.get("hate_verbs"))
        strong = _as_list(lex.get("negative_strong"))
        harsh = _as_list(lex.get("negative_harsh"))
        exclusion = _as_list(lex.get("exclusion"))
        threats = _as_list(lex.get("threat_verbs"))
        openers = _as_list(lex.get("threat_openers"))
        passive = _as_list(lex.get("harm_passive"))
        positive = _as_list(lex.get("positive"))
        reporting = _as_list(lex.get("reporting"))

        words_of = lambda items: {w for p in items for w in p.split()}  # noqa: E731
        target_words = words_of(groups) | set(adjs) | set(singulars) | words_of(hate_verbs)
        target_words |= {w for w in words_of(strong) if len(w) >= 6}
        target_words |= {w for w in words_of(threats) if len(w) >= 5}
        known = set(known_words) | words_of(nouns) | words_of(people) | words_of(positive)
        known |= words_of(openers) | words_of(reporting) | words_of(passive) | words_of(harsh)
        known |= words_of(exclusion)
        joinable = target_words | words_of(nouns) | {"i", "we", "are", "is", "all", "hate",
                                                     "the", "you", "they", "should", "be"}
        anchors = words_of(groups) | set(adjs) | {"hate", "despise", "detest", "loathe", "kill",
                                                  "murder", "scum", "vermin", "disgusting"}
        self._repair = _Repairer(target_words, known, _as_list(lex.get("fuzzy_exclude")),
                                 joinable, anchors)
        # cheap gates: a text needs one of these words before the big regexes run
        self._group_words = frozenset(words_of(groups) | set(adjs) | set(singulars))
        self.group_words = self._group_words
        self._people_words = frozenset(words_of(people))

        group = (rf"(?:{_alt(groups)}|{_alt(adjs)}\s+{_alt(nouns)})")
        one = rf"(?:(?:a|an|that|this|the|every|each|any|one|some)\s+{_alt(singulars)})"
        quant = (r"(?:(?:all|most|many|some|those|these|the|you|of|all\s+the|all\s+those|"
                 r"all\s+of\s+the|all\s+of\s+those|all\s+these|you\s+fucking|fucking|bloody|"
                 r"filthy|dirty|disgusting|stupid)\s+)*")
        inten = (r"(?:(?:all|just|so|such|really|truly|totally|utterly|completely|nothing\s+but|"
                 r"no\s+better\s+than|no\s+more\s+than|nothing\s+more\s+than|always|simply|"
                 r"basically|literally|like|fucking|fuckin|bloody|absolute|absolutely|total|"
                 r"complete|a\s+bunch\s+of|a\s+pack\s+of|a\s+load\s+of|a\s+lot\s+of|a\s+herd\s+of|"
                 r"a\s+horde\s+of|a\s+swarm\s+of|such\s+a|a|an|the|so|very|too|of\s+course|"
                 r"obviously|clearly|honestly|genuinely|frankly|naturally|inherently|"
                 r"biologically|by\s+nature|utter|pure|complete|massive|huge|disgusting|filthy|"
                 r"dirty|stupid|useless|worthless|pathetic|vile|ugly|fat|little|dumb|thick|"
                 r"horrible|nasty|lazy|sick|evil)\s+)*")
        be = (r"(?:are|r|is|were|was|be|being|'re|re|'s|s|remain|become|seem|look|sound|"
              r"act\s+like|behave\s+like|are\s+just|r\s+just|will\s+always\s+be|"
              r"will\s+never\s+be|are\s+nothing\s+but|are\s+no\s+more\s+than|make\s+me\s+sick|"
              r"deserve\s+to\s+be|should\s+be\s+treated\s+like|should\s+be\s+called)")
        neg_all = _alt(strong + harsh)
        # an optional negation, so "X are not scum" is seen (and then defused), not missed
        negslot = r"(?:(?:not|never|n't|no\s+longer|hardly)\s+(?:at\s+all\s+)?)?"
        neg_strong = _alt(strong)
        neg_harsh = _alt(harsh)
        like_you = r"(?:\s+like\s+(?:you|u|them|him|her|that|yourself|yours))?"
        pro = r"(?:they|them|these\s+people|those\s+people|such\s+people|their\s+kind|those)"
        modal = (r"(?:should|must|need\s+to|needs\s+to|deserve\s+to|deserves\s+to|ought\s+to|"
                 r"have\s+to|has\s+to|will|shall|are\s+going\s+to|gonna|better|can|could|may)")
        opener = _alt(openers)
        threat = _alt(threats)
        people_alt = _alt(people)
        quant_words = {"all", "most", "many", "some", "those", "these", "the", "you", "of",
                       "fucking", "bloody", "filthy", "dirty", "disgusting", "stupid"}
        lead_group = _firsts(groups, adjs, quant_words,
                             ["a", "an", "that", "this", "every", "each", "any", "one"])
        lead = {
            "target.hate_attitude": _firsts(hate_verbs),
            "target.group_negative": lead_group,
            "target.group_question": frozenset({"why", "how"}),
            "target.group_exclusion": lead_group,
            "target.negated_praise": lead_group,
            "target.no_member_good": frozenset({"no", "not"}),
            "target.group_threat": _firsts(openers, threats),
            "target.group_harm": lead_group,
            "target.death_to": frozenset({"death", "down", "kill", "gas", "hang", "shoot"}),
            "target.better_without": frozenset({"world", "country", "society", "planet",
                                                "everyone", "everybody", "we", "britain", "this",
                                                "life", "school", "town"}),
            "target.wish_harm": frozenset({"if", "when", "wish", "hope", "until"}),
            "target.feeling_for": frozenset({"contempt", "disdain", "hatred", "loathing",
                                             "disgust", "hate", "scorn", "revulsion"}),
            "target.scum_like": _firsts(strong),
            "target.group_reference": frozenset({"they", "them", "these", "those", "such",
                                                 "their"}),
            "target.group_reference_threat": _firsts(openers),
            "target.group_reference_exclusion": frozenset({"they", "them", "these", "those",
                                                           "such", "their"}),
            "target.group_reference_harm": frozenset({"they", "them", "these", "those", "such",
                                                      "their"}),
        }
        lead_people = _firsts(people, ["you", "u", "ya", "yous", "all"])
        lead.update({
            "target.person_strong": lead_people, "target.you_strong": lead_people,
            "target.person_hate": frozenset({"i", "we"}), "target.you_threat": _firsts(openers),
            "target.person_harsh": lead_people, "target.you_harm": lead_people,
        })
        self._lead = lead
        # word -> the rules a match may start at it (so each text is indexed once, not per rule)
        self._lead_of: dict[str, tuple[str, ...]] = {}
        for rid, words in lead.items():
            for w in words:
                self._lead_of[w] = self._lead_of.get(w, ()) + (rid,)
        # --- protected groups -------------------------------------------------------------
        self._hate_rx: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
            (rid, re.compile(src)) for rid, src in (
                ("target.hate_attitude",
                 rf"\b{_alt(hate_verbs)}\s+{quant}(?:{group}|{one})\b"),
                ("target.group_negative",
                 rf"\b{quant}(?:{group}|{one}){like_you}\s+(?:{be}\s+)?{negslot}{inten}{neg_all}\b"),
                ("target.group_question",
                 rf"\b(?:why|how\s+come|how)\s+(?:are|do|is|must|can|does)\s+{quant}{group}"
                 rf"\s+(?:{be}\s+)?{inten}{neg_all}\b"),
                ("target.group_exclusion",
                 rf"\b{quant}(?:{group}|{one}){like_you}\s+{_alt(exclusion)}\b"),
                ("target.negated_praise",
                 rf"\b{quant}{group}\s+(?:are|is|r|will|can|could|should|would|were|do|does)?"
                 rf"\s*(?:never|not|n't|no\s+longer|hardly\s+ever|rarely|cannot|cant|wont|arent"
                 rf"|isnt)\s+(?:be\s+|been\s+|ever\s+|really\s+|truly\s+|even\s+|considered\s+|"
                 rf"as\s+|a\s+|an\s+)*{_alt(positive)}\b"),
                ("target.no_member_good",
                 rf"\b(?:no|not\s+a\s+single|not\s+one)\s+{_alt(singulars + groups)}\s+(?:is|are|"
                 rf"can\s+be|can\s+ever\s+be|will\s+ever\s+be|has\s+ever\s+been|could\s+ever\s+be|"
                 rf"deserves?\s+to\s+be|should\s+be)\s+(?:ever\s+)?{_alt(positive)}\b"),
                ("target.group_threat",
                 rf"\b(?:{opener}\s+(?:\w+\s+){{0,2}})?{threat}\s+(?:all\s+|every\s+|the\s+|those\s+|"
                 rf"these\s+|some\s+|more\s+|a\s+few\s+|any\s+|the\s+next\s+)?(?:of\s+the\s+)?"
                 rf"(?:{group}|{one}|{_alt(singulars)})\b"),
                ("target.group_harm",
                 rf"\b{quant}{group}\s+(?:all\s+)?{modal}\s+(?:all\s+)?(?:just\s+)?"
                 rf"{_alt(passive)}\b"),
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
            )
        )
        # After a group is named, pronouns carry the attack ("I met some Muslims. They are scum").
        self._ref_rx = (
            ("target.group_reference",
             re.compile(rf"\b{pro}\s+(?:{be}\s+)?{negslot}{inten}{neg_all}\b")),
            ("target.group_reference_threat",
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{threat}\s+(?:them|all\s+of\s+them|"
                        rf"every\s+(?:one|last\s+one)\s+of\s+them|the\s+lot)\b")),
            ("target.group_reference_harm",
             re.compile(rf"\b{pro}\s+(?:all\s+)?{modal}\s+(?:all\s+)?{_alt(passive)}\b")),
            ("target.group_reference_exclusion",
             re.compile(rf"\b{pro}\s+(?:all\s+|just\s+|always\s+)?{_alt(exclusion)}\b")),
        )
        # --- people and non-protected groups ---------------------------------------------------
        you = r"(?:you|u|ya|yous|you\s+lot|you\s+people|all\s+of\s+you)"
        self._abuse_rx: tuple[tuple[str, float, re.Pattern[str]], ...] = (
            ("target.person_strong", 0.88,
             re.compile(rf"\b(?:{people_alt})\s+(?:{be})\s+{inten}{neg_strong}\b")),
            ("target.you_strong", 0.88,
             re.compile(rf"\b{you}\s+{inten}{neg_strong}\b")),
            ("target.person_hate", 0.85,
             re.compile(rf"\b(?:i|we)\s+(?:\w+\s+)?{_alt(hate_verbs)}\s+(?:{you}|all\s+of\s+(?:you|them)|"
                        rf"(?:the\s+|all\s+the\s+|those\s+|these\s+)?(?:{people_alt}))\b")),
            ("target.you_threat", 0.92,
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{threat}\s+{you}\b(?!\s+if\b)")),
            ("target.person_harsh", 0.62,
             re.compile(rf"\b(?:{people_alt})\s+(?:{be})\s+{inten}{neg_harsh}\b")),
            ("target.you_harm", 0.9,
             re.compile(rf"\b{you}\s+(?:all\s+)?(?:should|deserve\s+to|need\s+to|ought\s+to)\s+"
                        rf"(?:all\s+)?{_alt(passive)}\b")),
        )
        self._reporting = re.compile(rf"\b{_alt(reporting)}\b")
        # Any negative predicate or attribute at all (for lifting a model-only hate signal)
        attrs = _as_list(lex.get("negative_attributes"))
        self.negative_rx = re.compile(
            rf"\b{_alt(strong + harsh + hate_verbs + threats + exclusion + passive + attrs)}\b")
        self.negation_rx = _NEGATION
        # a negated compliment ("X are never any good", "X can't be trusted")
        self.negated_positive_rx = re.compile(
            rf"\b(?:not|never|n't|no\s+longer|hardly\s+ever|cannot|cant|wont|arent|isnt)\s+"
            rf"(?:be\s+|been\s+|ever\s+|really\s+|truly\s+|even\s+|as\s+|a\s+|an\s+)*"
            rf"{_alt(positive)}\b")
        self.reporting_rx = self._reporting

    # ------------------------------------------------------------------------------------
    def __call__(self, ctx: Context) -> None:
        folded = ctx.norm.text
        if not folded:
            return
        text, index = repair_tokens(folded, self._repair)
        lead_of = self._lead_of
        tokens: set[str] = set()
        at: dict[str, list[int]] = {}  # rule id -> positions of its lead words, in order
        for t in _TOKEN.finditer(text):
            w = t.group()
            tokens.add(w)
            rids = lead_of.get(w)
            if rids:
                pos = t.start()
                for rid in rids:
                    if rid in at:
                        at[rid].append(pos)
                    else:
                        at[rid] = [pos]
        has_group = not self._group_words.isdisjoint(tokens)
        found_hate = False
        defused = False
        if has_group:
            for rid, rx in self._hate_rx:
                if rid not in at:
                    continue
                for m in self._find(rx, rid, text, at):
                    if self._harmless(text, m, rid):
                        defused = True
                        continue
                    self._add(ctx, index, rid, "hate", self.clause_hate, 0.92, m)
                    found_hate = True
                    break
            if not found_hate:
                for rid, rx in self._ref_rx:
                    if rid not in at:
                        continue
                    for m in self._find(rx, rid, text, at):
                        if self._harmless(text, m, rid):
                            defused = True
                            continue
                        self._add(ctx, index, rid, "hate", self.clause_hate, 0.9, m)
                        found_hate = True
                        break
                    if found_hate:
                        break
        if not found_hate and _QUOTED_REPORT.search(text):
            defused = True
        if defused and not found_hate:
            # the only attack-shaped clause is negated, quoted or reported: counter-speech
            ctx.suppressed_by.append("target.counter_speech")
            for label in ("hate", "abuse"):
                ctx.caps[label] = min(ctx.caps.get(label, 1.0), 0.45)
            return
        if found_hate or self._people_words.isdisjoint(tokens):
            return
        for rid, score, rx in self._abuse_rx:
            if rid not in at:
                continue
            for m in self._find(rx, rid, text, at):
                if self._harmless(text, m, rid):
                    continue
                clause = self.clause_threat if "threat" in rid or "harm" in rid else \
                    self.clause_abuse
                self._add(ctx, index, rid, "abuse", clause, score, m)
                break

    def _find(self, rx: re.Pattern[str], rid: str, text: str,
              at: dict[str, list[int]]) -> Iterator[re.Match[str]]:
        """Matches of ``rx`` that begin at a word in the rule's lead set, in text order.

        ``at`` maps each rule id to the positions of its lead words in ``text``."""
        after = -1
        for pos in at.get(rid, ()):
            if pos < after:
                continue
            m = rx.match(text, pos)
            if m:
                yield m
                after = m.end()

    def _add(self, ctx: Context, index: list[int], rid: str, label: str, clause: str,
             score: float, m: re.Match[str]) -> None:
        start, end = m.span()
        if index:
            start, end = index[start], index[max(start, end - 1)] + 1
        if ctx.is_allowed(start, end):
            return
        ctx.add_norm(rid, label, clause, score, start, end)

    def _harmless(self, text: str, m: re.Match[str], rid: str) -> bool:
        """Negated, quoted or reported: the words are not the author's attack."""
        start, end = m.span()
        sent_start = 0
        for b in _SENTENCE_BREAK.finditer(text, 0, start):
            sent_start = b.end()
        before = text[max(sent_start, start - 40) : start]
        inside = m.group()
        if rid not in ("target.negated_praise", "target.no_member_good"):
            # "not" just before the match or inside it cancels a negative predicate, unless the
            # negation belongs to the predicate itself ("not human", "can't be trusted")
            near = " ".join(before.split()[-3:])
            if _NEGATION.search(near) and not _RHETORICAL.search(before):
                return True
            if rid not in _LEXICAL_NEGATION and _NEGATION.search(_NEG_PHRASES.sub(" ", inside)):
                return True
        # counter-speech: quoted, or after a reporting frame in the same sentence
        if self._quoted(text, start, end):
            return True
        if self._reporting.search(text, max(sent_start, start - 60), start):
            return True
        return False

    @staticmethod
    def _quoted(text: str, start: int, end: int) -> bool:
        opens = [q.start() for q in _OPEN_QUOTE.finditer(text, 0, start + 1)]
        if not opens:
            return False
        o = opens[-1]
        close = _CLOSE_QUOTE.search(text, max(o + 1, start))
        if close is None:
            return False
        between = _CLOSE_QUOTE.search(text, o + 1, start)
        return between is None or between.start() >= start
