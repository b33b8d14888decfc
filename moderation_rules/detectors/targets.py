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

Groups of people that are not protected (roles, professions, the school community, year
groups, supporters, residents: ``lexicons/people_groups.yaml``, which a school may extend) are
targets of ABUSE: with a dehumanising or insulting predicate, a contempt verb ("make me sick"),
a hatred verb ("I despise dentists") or a wish of death or violence.  A role that contains a
protected word ("dinner ladies", "year 9 girls") is the role, not the protected group.

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

__all__ = ["TargetDetector", "load_people_groups", "load_target_lexicon", "repair_tokens"]

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
                               "target.wish_harm", "target.person_contempt"})
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


def _keys(*groups: Iterable[str]) -> frozenset[str]:
    """One word every phrase needs (its longest): a rule whose predicate list has none of these
    words in the text cannot match, so it is not tried."""
    out: set[str] = set()
    for g in groups:
        for p in g:
            words = re.findall(r"[a-z]+", p)
            if words:
                out.add(max(words, key=len))
    return frozenset(out)


def _firsts(*groups: Iterable[str]) -> frozenset[str]:
    """First words of phrases: a rule is only tried where one of them starts a word."""
    return frozenset(p.split()[0] for g in groups for p in g if p.split())


@lru_cache(maxsize=1)
def load_target_lexicon() -> dict[str, Any]:
    """The shipped target/predicate lexicon (read with importlib.resources)."""
    path = resources.files("moderation_rules") / "lexicons" / "targets.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _read_people_groups(text: str, source: str) -> list[dict[str, Any]]:
    data = yaml.safe_load(text) or {}
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(data.get("groups") or ()):
        if not isinstance(entry, dict) or not entry.get("words"):
            raise ValueError(f"{source}: groups[{i}] needs a list of words")
        clause = str(entry.get("clause", "")).strip()
        if not re.fullmatch(r"P-[A-Z-]+", clause):
            raise ValueError(f"{source}: groups[{i}] ({entry.get('id', '?')}) needs a clause "
                             f"such as P-DEFAME or P-ABUSE")
        out.append({"id": str(entry.get("id", f"{source}[{i}]")), "clause": clause,
                    "school": bool(entry.get("school", False)),
                    "words": _as_list(entry.get("words"))})
    return out


@lru_cache(maxsize=1)
def _shipped_people_groups() -> tuple[dict[str, Any], ...]:
    path = resources.files("moderation_rules") / "lexicons" / "people_groups.yaml"
    return tuple(_read_people_groups(path.read_text(encoding="utf-8"), "people_groups.yaml"))


def load_people_groups(extra: Iterable[str | Any] = ()) -> list[dict[str, Any]]:
    """Non-protected groups of people: the shipped list plus a school's own YAML files.

    Each entry is ``{"id", "clause", "school", "words"}`` (see ``lexicons/people_groups.yaml``)."""
    groups = [dict(g) for g in _shipped_people_groups()]
    for path in extra:
        with open(path, encoding="utf-8") as fh:
            groups.extend(_read_people_groups(fh.read(), str(path)))
    return groups


# A year number in a template ("year {n}s", "y{n} boys").
_YEAR_N = (r"(?:1[0-3]|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
           r"thirteen)")
# Words a {name} slot never takes: function words, verbs of being, and the negative words that
# follow a group ("fans of united are scum": the name stops before "are").
_NAME_STOP = frozenset(
    """a an the all and or but of in on at to from for with by as is are was were be been being
    am 'm 're 's r this that these those my your our their his her its who which what when
    where why how i we you he she they it them us me him not no never just so very really too
    like should must will would can could may might shall deserve deserves need needs ought
    make makes made do does did dont don't have has had get gets got go goes""".split())
# Sentences about a match, a game or a photo: "we'll murder the year 10s at football" and
# "shoot the year 6s for the yearbook" are not threats.
_SPORT = re.compile(
    r"\b(?:match|matches|game|games|football|footy|netball|rugby|hockey|cricket|basketball|"
    r"rounders|sports?\s+day|tournament|finals?|league|cup|quiz|score|scored|goals?|points|"
    r"fixture|penalt(?:y|ies)|fifa|fortnite|minecraft|xbox|ps5|playstation|chess|debate|"
    r"spelling\s+bee|race|relay|tug\s+of\s+war|dodgeball|paintball|laser\s+tag|water\s+fight|"
    r"snowball|nerf|pillow\s+fight)\b")
_PHOTO = re.compile(r"\b(?:photos?|photograph\w*|pictures?|pics?|video\w*|film\w*|camera|"
                    r"yearbook|headshots?|portraits?|shoot\s+for|photo\s*shoot)\b")
_SPORTY_VERBS = frozenset({"kill", "murder", "slaughter", "massacre", "batter", "bomb", "shoot",
                           "hammer", "attack", "knock out", "deck", "kill every",
                           "shoot every", "hurt"})
# What may follow the object of "I hate <group>": the end of a clause or a function word, not a
# noun making a compound ("I hate parents evening", "I hate staff meetings", "kids' shoes").
_OBJECT_END = (r"(?=\s*(?:$|[.,!?;:)\]\u2026\"]|-\s)|\s+(?:and|or|but|who|that|which|when|"
               r"whenever|if|because|cos|coz|cause|as|so|they|all|too|more|most|than|at|in|on|"
               r"from|of|with|here|there|now|today|tbh|honestly|lol|lmao|haha|like|round|"
               r"around|near|for|since|every|to|even|already|anyway|though|innit|mate|i|we|"
               r"you|u|sometimes|always|the|this|these|those|x+|ngl|fr|ffs|smh|tomorrow|tmrw|"
               r"tmr|tonight|later|soon|next|after|before|again|then|first|by|until|till|while|"
               r"whilst|up|down|out|off|back|over|monday|tuesday|wednesday|thursday|friday|"
               r"saturday|sunday|one)\b|"
               r"\s+[^\w\s'])")
# A restricted object: "I can't stand parents who park on the zig-zags" is about conduct.
_RESTRICTED = re.compile(r"\s+(?:who|that|which|when|whenever|if)\b")
# The speaker calls them that themself ("I'd call the governors scum"), or reports it.
_FIRST_PERSON_BEFORE = re.compile(
    r"\b(?:i|we|i'd|id|i'll|we'd|we'll|i've|ive|we've)\s+(?:\w+\s+){0,2}$")
_PRONOUNS = frozenset({"he", "she", "him", "her", "them", "they", "these people",
                       "those people"})
_YOU_WORDS = frozenset({"you", "u", "ya", "yous", "you all"})
# Words of protected-group phrases that name no protected group on their own.
_GENERIC_GROUP_WORDS = frozenset(
    """the of with new non people folk folks kids lads staff teachers users needs special ill
    mums children colour seekers minorities""".split())
# Wishes of harm that sports talk also uses ("the year 10s deserve to be slaughtered at netball").
_SPORTY_HARM = re.compile(r"\b(?:beaten|battered|slaughtered|murdered|massacred|thrashed|"
                          r"hammered|destroyed|killed)\b")
# Rules for threats and wished harm: they cite clause_threat (P-ABUSE).
_VIOLENT_RULES = frozenset({"target.person_threat", "target.person_harm", "target.person_wish",
                            "target.person_death_to"})
# Single people who are school staff: a threat against them also goes to safeguarding.
_SCHOOL_PERSON = re.compile(r"(?:mr|mrs|miss|ms|dr|sir)\b|(?:the\s+)?head(?:teacher)?\b|"
                            r"the\s+teacher\b")
_STAR_TOKEN = re.compile(r"[a-z*]*[a-z][a-z*]*\*[a-z*]*|[a-z*]*\*[a-z*]*[a-z][a-z*]*")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _phrases_rx(phrases: list[str], name_rx: str) -> re.Pattern[str]:
    """One regex for a list of people-group phrases (literal ones as a trie, then templates)."""
    literal = [p for p in phrases if "{" not in p]
    parts = ([_alt(literal)] if literal else []) + [_template(p, name_rx) for p in phrases
                                                    if "{" in p]
    return re.compile(rf"\b(?:{'|'.join(parts) or '(?!)'})\b")


def _template(phrase: str, name_rx: str) -> str:
    """Regex source of one people-group phrase (literal words, {n} and {name} slots)."""
    out: list[str] = []
    for part in re.split(r"(\{n\}|\{name\})", phrase):
        if part == "{n}":
            out.append(_YEAR_N)
        elif part == "{name}":
            out.append(name_rx)
        elif part:
            out.append(r"\s+".join(re.escape(w) for w in part.split(" ")))
    return "".join(out)


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

    def __init__(self, lexicon: dict[str, Any] | None = None, known_words: Iterable[str] = (),
                 people_groups: Iterable[dict[str, Any]] | None = None) -> None:
        """``people_groups``: non-protected groups (default: ``load_people_groups()``)."""
        lex = lexicon or load_target_lexicon()
        pgroups = list(load_people_groups() if people_groups is None else people_groups)
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
        dislike = set(_as_list(lex.get("dislike_verbs")))
        hatred = [v for v in hate_verbs if v not in dislike]
        literal = set(_as_list(lex.get("literal_for_people")))
        strong_people = [w for w in strong if w not in literal]
        contempt = _as_list(lex.get("contempt"))
        harm_people = _as_list(lex.get("harm_people"))
        violent = _as_list(lex.get("violent_verbs"))
        # --- non-protected groups of people (people_groups.yaml) ------------------------
        pg_phrases: list[str] = []
        for g in pgroups:
            pg_phrases.extend(g["words"])
        pg_literal = sorted({p for p in pg_phrases if "{" not in p})
        pg_templates = sorted({p for p in pg_phrases if "{" in p})

        words_of = lambda items: {w for p in items for w in p.split()}  # noqa: E731
        target_words = words_of(groups) | set(adjs) | set(singulars) | words_of(hate_verbs)
        target_words |= {w for w in words_of(strong) if len(w) >= 6}
        target_words |= {w for w in words_of(threats) if len(w) >= 5}
        known = set(known_words) | words_of(nouns) | words_of(people) | words_of(positive)
        known |= words_of(openers) | words_of(reporting) | words_of(passive) | words_of(harsh)
        known |= words_of(exclusion) | words_of(pg_literal) | words_of(contempt)
        joinable = target_words | words_of(nouns) | {"i", "we", "are", "is", "all", "hate",
                                                     "the", "you", "they", "should", "be"}
        anchors = words_of(groups) | set(adjs) | {"hate", "despise", "detest", "loathe", "kill",
                                                  "murder", "scum", "vermin", "disgusting"}
        self._repair = _Repairer(target_words, known, _as_list(lex.get("fuzzy_exclude")),
                                 joinable, anchors)
        # cheap gates: a text needs one of these words before the big regexes run
        self._group_words = frozenset(words_of(groups) | set(adjs) | set(singulars))
        self.group_words = self._group_words
        literal_words = lambda p: {w for w in re.split(r"\{\w+\}|\s+", p) if w}
        self._people_words = frozenset(
            words_of(people) | words_of(pg_literal)
            | {w for p in pg_templates for w in literal_words(p)}
            | {"mr", "mrs", "miss", "ms", "dr", "sir"})

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
        # --- people: "you", single people, and non-protected groups (people_groups.yaml) ---
        you_list = [p for p in people if p in _YOU_WORDS]
        third = [p for p in people if p not in _YOU_WORDS]
        nonpronoun = [p for p in third if p not in _PRONOUNS]
        protected_words = words_of(groups) | set(adjs) | set(singulars)
        name_stop = _NAME_STOP | protected_words | {"wheelchairs", "eal", "sen"}
        nm = rf"(?!{_alt(name_stop)}\b)[a-z][a-z'&]*"
        name_rx = rf"(?:{nm}(?:\s+{nm}){{0,2}})"
        template_rx = "|".join(_template(p, name_rx) for p in pg_templates)
        pgroup = _alt(pg_literal) + (f"|{template_rx}" if template_rx else "")
        title = r"(?:mr|mrs|miss|ms|dr|sir)\.?\s+[a-z]+"
        people3 = rf"(?:{_alt(third)}|{pgroup})"        # he, she, the head, groups
        groups_np = rf"(?:{_alt(nonpronoun)}|{pgroup}|{title})"  # no bare pronouns
        # each group phrase -> its entry (clause; school community or not), first listed wins
        self._pg_entries = tuple((g["clause"], g["school"], _phrases_rx(g["words"], name_rx))
                                 for g in pgroups)
        # role phrases holding a protected word ("dinner ladies", "year 9 girls"): the role wins
        single_protected = {p for p in groups if " " not in p} | set(adjs) | set(singulars)
        roles = [p for p in pg_phrases if single_protected & set(re.split(r"\{\w+\}|\s+", p))]
        self._role_rx = re.compile(
            rf"\b(?:{'|'.join(_template(p, name_rx) for p in sorted(set(roles)))})\b"
        ) if roles else None
        self._role_words = frozenset(w for p in roles for w in re.split(r"\{\w+\}|\s+", p)
                                     if w in single_protected)
        self._role_protected = re.compile(rf"\b{_alt(sorted(single_protected))}\b")
        # words that name a protected group by themselves ("women", "muslim", "disabled"), not
        # the generic words of group phrases ("people", "the", "kids" of "disabled kids")
        self._protected_tokens = frozenset(
            (words_of(groups) | set(adjs) | set(singulars)) - _GENERIC_GROUP_WORDS)
        first_of = lambda items: {re.split(r"[\s{]", p)[0] for p in items if p and p[0] != "{"}
        lead_groups = frozenset(first_of(third) | first_of(pg_phrases) | quant_words
                                | {"our", "your", "their", "my", "mr", "mrs", "miss", "ms", "dr",
                                   "sir"}) - {""}
        lead_you = frozenset(_firsts(you_list, ["you", "u", "ya", "yous", "all"]))
        lead.update({
            "target.person_strong": lead_groups, "target.you_strong": lead_you,
            "target.person_hate": frozenset({"i", "we"}), "target.you_threat": _firsts(openers),
            "target.person_harsh": lead_groups | lead_you, "target.you_harm": lead_you,
            "target.person_contempt": lead_groups | lead_you,
            "target.person_harm": lead_groups,
            "target.person_wish": frozenset({"hope", "hoping", "wish", "wishing", "pray",
                                             "praying"}),
            "target.person_death_to": frozenset({"death"}),
            "target.person_threat": _firsts(openers),
            "target.person_called": frozenset({"call", "calls", "called", "calling", "branded",
                                               "labelled", "labeled"}),
        })
        self._lead = lead
        # rules with the same lead words share one position list (each text is indexed once)
        key_of_set: dict[frozenset[str], str] = {}
        self._key: dict[str, str] = {}
        for rid, words in lead.items():
            self._key[rid] = key_of_set.setdefault(frozenset(words), rid)
        # word -> the position lists it belongs to
        self._lead_of: dict[str, tuple[str, ...]] = {}
        for words, key in key_of_set.items():
            for w in words:
                self._lead_of[w] = self._lead_of.get(w, ()) + (key,)
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
        you_be = (r"(?:\s+(?:are|r|were|was|be|being|remain|look|sound|seem|act\s+like|"
                  r"behave\s+like|are\s+just|r\s+just|will\s+always\s+be)|'re|\s+re)")
        # "our governors", "the year 9s", "all those parents"
        det = rf"(?:(?:our|your|their|my)\s+)?{quant}"
        neg_people = _alt(strong_people)
        adv = (r"(?:(?:all|just|really|honestly|genuinely|literally|seriously|fucking|fuckin|"
               r"bloody|absolutely|actually|so|truly|totally|frankly|proper|always)\s+)*")
        harm_guard = (r"(?!\s+(?:of|from|laughing|for|down|out|off|up|happy|young|old|inside|"
                      r"with|trying|in\s+(?:their|his|her|my)\s+sleep|the\s+midnight|"
                      r"calories|energy|bright|through|a\s+little))")
        wish_verbs = (r"(?:die|dies|died|drop\s+dead|drops\s+dead|rot|rots|burn|burns|"
                      r"get\s+killed|gets\s+killed|get\s+shot|gets\s+shot|get\s+stabbed|"
                      r"gets\s+stabbed|get\s+run\s+over|gets\s+run\s+over|get\s+murdered|"
                      r"gets\s+murdered|get\s+hit\s+by\s+a\s+(?:bus|car|train|truck|lorry)|"
                      r"gets\s+hit\s+by\s+a\s+(?:bus|car|train|truck|lorry)|get\s+cancer|"
                      r"gets\s+cancer|were\s+(?:all\s+)?dead|was\s+dead|choke|chokes|suffer|"
                      r"suffers|rot\s+in\s+hell|burn\s+in\s+hell|all\s+die)")
        harm_modal = (r"(?:should|must|deserve\s+to|deserves\s+to|need\s+to|needs\s+to|"
                      r"ought\s+to|can|can\s+go\s+and|should\s+go\s+and|can\s+all|should\s+all|"
                      r"all\s+deserve\s+to|want\s+to\s+see\s+them|may)")
        self._abuse_rx: tuple[tuple[str, float, re.Pattern[str]], ...] = (
            # wished death or violence, threats (P-ABUSE)
            ("target.person_threat", 0.92,
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}(?P<verb>{_alt(violent)})\s+"
                        rf"(?:(?:all|every|each|some|a\s+few|any|of|the|those|these|them|"
                        rf"one\s+of\s+the|our|your|their)\s+)*(?P<who>{groups_np})"
                        rf"(?!\s+if\b){_OBJECT_END}")),
            ("target.person_harm", 0.92,
             re.compile(rf"\b{det}(?P<who>{people3}|{title}){like_you}\s+(?:all\s+)?{harm_modal}"
                        rf"\s+(?:all\s+)?(?:just\s+)?(?:{_alt(harm_people)}){harm_guard}\b")),
            ("target.person_wish", 0.92,
             re.compile(rf"\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?(?:all\s+)?"
                        rf"{det}(?P<who>{you}|{people3}|{title})\s+(?:all\s+)?(?:just\s+)?"
                        rf"(?:go\s+and\s+)?{wish_verbs}{harm_guard}\b")),
            ("target.person_death_to", 0.92,
             re.compile(rf"\bdeath\s+to\s+(?:all\s+)?{det}(?P<who>{groups_np}){_OBJECT_END}")),
            # insults, dehumanising nouns and contempt (P-DEFAME / the group's clause)
            ("target.you_strong", 0.88,
             re.compile(rf"\b{you}{like_you}(?:{you_be})?\s+{negslot}{inten}{neg_strong}\b")),
            ("target.person_strong", 0.88,
             re.compile(rf"\b{det}(?P<who>{people3}){like_you}\s+(?:{be})\s+{negslot}{inten}"
                        rf"{neg_people}\b")),
            ("target.person_contempt", 0.88,
             re.compile(rf"\b{det}(?P<who>{you}|{people3}){like_you}\s+{adv}{_alt(contempt)}\b")),
            ("target.person_called", 0.88,
             re.compile(rf"\b(?:call|calls|called|calling|branded|labelled|labeled)\s+{det}"
                        rf"(?P<who>{you}|{people3})\s+(?:as\s+)?(?:nothing\s+but\s+)?{inten}"
                        rf"{neg_people}\b")),
            ("target.person_hate", 0.85,
             re.compile(rf"\b(?:i|we)\s+(?:\w+\s+)?{_alt(hatred)}\s+(?:all\s+of\s+)?{det}"
                        rf"(?P<who>{you}|all\s+of\s+(?:you|them)|{people3}){like_you}"
                        rf"{_OBJECT_END}")),
            ("target.you_threat", 0.92,
             re.compile(rf"\b{opener}\s+(?:\w+\s+){{0,2}}{threat}\s+{you}\b(?!\s+if\b)")),
            ("target.person_harsh", 0.62,
             re.compile(rf"\b{det}(?P<who>{you}|{people3}){like_you}(?:\s+(?:{be})|'re)\s+"
                        rf"{negslot}{inten}{neg_harsh}\b")),
            ("target.you_harm", 0.9,
             re.compile(rf"\b{you}\s+(?:all\s+)?(?:should|deserve\s+to|need\s+to|ought\s+to)\s+"
                        rf"(?:all\s+)?{_alt(passive)}\b")),
        )
        self._sporty = frozenset(_SPORTY_VERBS)
        # a word the predicate needs: rules without one in the text are skipped (speed only)
        self._needs: dict[str, frozenset[str]] = {
            "target.person_threat": _keys(violent),
            "target.person_harm": _keys(harm_people),
            "target.person_wish": frozenset({"die", "dies", "died", "dead", "rot", "rots", "burn",
                                             "burns", "killed", "shot", "stabbed", "over",
                                             "murdered", "hit", "cancer", "choke", "chokes",
                                             "suffer", "suffers", "hell"}),
            "target.you_strong": _keys(strong),
            "target.person_strong": _keys(strong_people),
            "target.person_contempt": _keys(contempt),
            "target.person_called": _keys(strong_people),
            "target.person_hate": _keys(hatred),
            "target.you_threat": _keys(threats),
            "target.person_harsh": _keys(harsh),
            "target.you_harm": _keys(passive),
            "target.person_death_to": frozenset({"death"}),
        }
        self._abuse_plan = tuple((rid, score, rx, self._key[rid], self._needs[rid])
                                 for rid, score, rx in self._abuse_rx)
        by_id = {rid: rx for rid, _, rx in self._abuse_rx}
        self._threat_rx = by_id["target.person_threat"]
        self._harm_rx = by_id["target.person_harm"]
        # words a '*' may stand in ("pl*mbers", "sc*m", "m*slims"): listed targets/predicates
        self._star_words = frozenset(
            w for w in (words_of(pg_literal) | words_of(groups) | set(adjs) | set(singulars)
                        | words_of(strong) | words_of(harsh) | words_of(hatred)
                        | words_of(contempt) | words_of(violent) | words_of(harm_people))
            if len(w) >= 3 and w.isalpha())
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
        text, index = repair_tokens(self._fill_stars(folded), self._repair)
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
        hate_text = text
        hate_tokens: set[str] | frozenset[str] = tokens
        if has_group and self._role_rx is not None and not self._role_words.isdisjoint(tokens):
            # "dinner ladies", "year 9 girls": the role is the target, not the protected word
            hate_text = self._mask_roles(text)
            if hate_text is not text:
                hate_tokens = set(_TOKEN.findall(hate_text))
                has_group = not self._group_words.isdisjoint(hate_tokens)
        found_hate = False
        defused = False
        if has_group:
            for rid, rx in self._hate_rx:
                if self._key[rid] not in at:
                    continue
                for m in self._find(rx, rid, hate_text, at):
                    if self._harmless(hate_text, m, rid):
                        defused = True
                        continue
                    self._add(ctx, index, rid, "hate", self.clause_hate, 0.92, m)
                    found_hate = True
                    break
            if not found_hate:
                for rid, rx in self._ref_rx:
                    if self._key[rid] not in at:
                        continue
                    for m in self._find(rx, rid, hate_text, at):
                        if self._harmless(hate_text, m, rid):
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
            if self._key["target.person_threat"] in at:
                # a quoted or reported threat against the school community still goes to the
                # DSL (safeguarding is never capped here); a negated one does not
                for m in self._find(self._threat_rx, "target.person_threat", text, at):
                    if self._harmless(text, m, "target.person_threat") is not True \
                            and not self._figurative(text, m):
                        self._school_threat(ctx, index, m)
            return
        if found_hate or self._people_words.isdisjoint(tokens):
            return
        found_abuse = False
        defused_spans: list[tuple[int, int]] = []
        words = tokens | {w.split("'", 1)[0] for w in tokens if "'" in w} \
            if "'" in text else tokens
        for rid, score, rx, key, need in self._abuse_plan:
            if key not in at or need.isdisjoint(words):
                continue
            for m in self._find(rx, rid, text, at):
                if rid == "target.person_called":
                    # "I'd call the governors scum" attacks; "he called the dinner ladies
                    # animals" reports what someone else said
                    sent = max(text.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
                    if not _FIRST_PERSON_BEFORE.search(text, max(sent, m.start() - 30),
                                                       m.start()):
                        defused_spans.append(m.span())
                        continue
                if self._figurative(text, m):
                    continue
                harmless = self._harmless(text, m, rid)
                if harmless:
                    defused_spans.append(m.span())
                    if harmless == "reported" and rid == "target.person_threat":
                        self._school_threat(ctx, index, m)  # reported, still the DSL's concern
                    continue
                self._add_abuse(ctx, index, rid, score, m, text)
                found_abuse = True
                break
        protected = not self._protected_tokens.isdisjoint(hate_tokens)
        if found_abuse:
            if not protected:
                # the target is a person or a group that is not protected: the model's "hate"
                # reading of the same words is not hate (ModelDetector reads this flag)
                ctx.nonprotected_target = True
        elif defused_spans and self._only_within(ctx, index, defused_spans):
            # "teachers are not scum": the only attack on people is negated or reported
            ctx.suppressed_by.append("target.counter_speech")
            labels = ("abuse",) if protected else ("hate", "abuse")
            for label in labels:
                ctx.caps[label] = min(ctx.caps.get(label, 1.0), 0.45)

    # ------------------------------------------------------------------------------------
    def _fill_stars(self, text: str) -> str:
        """"pl*mbers", "sc*m": a '*' inside a word that makes exactly one listed word."""
        if "*" not in text:
            return text
        words = self._star_words
        out = list(text)
        for m in _STAR_TOKEN.finditer(text):
            tok = m.group()
            stars = [i for i, c in enumerate(tok) if c == "*"]
            if len(stars) > 2 or len(tok) - len(stars) < 2:
                continue
            letters = _LETTERS if len(stars) == 1 else "aeiou"
            found: set[str] = set()
            for fill in (letters if len(stars) == 1 else
                         [a + b for a in letters for b in letters]):
                cand = list(tok)
                for i, c in zip(stars, fill):
                    cand[i] = c
                word = "".join(cand)
                if word in words:
                    found.add(word)
                    if len(found) > 1:
                        break
            if len(found) == 1:
                word = found.pop()
                out[m.start() : m.end()] = word
        return "".join(out)

    def _mask_roles(self, text: str) -> str:
        """``text`` with protected words inside role phrases blanked ("dinner ______")."""
        chars: list[str] | None = None
        for m in self._role_rx.finditer(text):
            for pm in self._role_protected.finditer(text, m.start(), m.end()):
                if chars is None:
                    chars = list(text)
                chars[pm.start() : pm.end()] = "_" * (pm.end() - pm.start())
        return text if chars is None else "".join(chars)

    def _figurative(self, text: str, m: re.Match[str]) -> bool:
        """Sports and photo talk: "we'll murder the year 10s at football", "shoot the y6s"."""
        if m.re is not self._threat_rx and m.re is not self._harm_rx:
            return False
        words = m.group()
        if m.re is self._threat_rx and m.group("verb") not in self._sporty:
            return False
        if m.re is self._harm_rx and not _SPORTY_HARM.search(words):
            return False
        sent_start = max(text.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
        ends = [i for i in (text.find(c, m.end()) for c in ".!?;\n") if i >= 0]
        sentence = text[sent_start : min(ends, default=len(text))]
        if _SPORT.search(sentence):
            return True
        return m.re is self._threat_rx and m.group("verb").startswith("shoot") \
            and _PHOTO.search(sentence) is not None

    def _entry(self, who: str) -> tuple[str, bool] | None:
        """(clause, school community?) of the people-group entry naming ``who``, if any."""
        for clause, school, rx in self._pg_entries:
            if rx.search(who):
                return clause, school
        return None

    def _add_abuse(self, ctx: Context, index: list[int], rid: str, score: float,
                   m: re.Match[str], text: str) -> None:
        who = m.groupdict().get("who") or ""
        entry = self._entry(who) if who else None
        violent = rid in _VIOLENT_RULES or "threat" in rid or "harm" in rid
        if violent:
            clause = self.clause_threat
        else:
            clause = entry[0] if entry else self.clause_abuse
        if rid == "target.person_hate" and entry and _RESTRICTED.match(text, m.end()):
            score = 0.6  # "I can't stand parents who park on the zig-zags": about conduct
        self._add(ctx, index, rid, "abuse", clause, score, m)
        if rid == "target.person_threat":
            self._school_threat(ctx, index, m)

    def _school_threat(self, ctx: Context, index: list[int], m: re.Match[str]) -> None:
        """A threat of violence against staff, pupils or parents is also the DSL's concern."""
        who = m.group("who") or ""
        entry = self._entry(who)
        if not (entry[1] if entry else _SCHOOL_PERSON.match(who) is not None):
            return
        start, end = m.span()
        if index:
            start, end = index[start], index[max(start, end - 1)] + 1
        ctx.add_norm("target.school_threat", "safeguarding", "P-SAFEGUARD", 0.9, start, end)

    def _only_within(self, ctx: Context, index: list[int],
                     spans: list[tuple[int, int]]) -> bool:
        """Whether every abuse hit so far lies inside one of the (defused) folded spans."""
        orig: list[tuple[int, int]] = []
        for a, b in spans:
            if index:
                a, b = index[a], index[max(a, b - 1)] + 1
            orig.append(ctx.norm.span(a, b))
        for h in ctx.hits:
            if h.label == "abuse" and h.end > h.start and \
                    not any(a <= h.start and h.end <= b for a, b in orig):
                return False
        return True

    def _find(self, rx: re.Pattern[str], rid: str, text: str,
              at: dict[str, list[int]]) -> Iterator[re.Match[str]]:
        """Matches of ``rx`` that begin at a word in the rule's lead set, in text order.

        ``at`` maps each rule id to the positions of its lead words in ``text``."""
        after = -1
        for pos in at.get(self._key[rid], ()):
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

    def _harmless(self, text: str, m: re.Match[str], rid: str) -> bool | str:
        """Negated, quoted or reported: the words are not the author's attack.

        Returns ``"reported"`` (truthy) when the clause is quoted or reported but not negated:
        a reported threat against the school community still concerns safeguarding."""
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
            return "reported"
        if self._reporting.search(text, max(sent_start, start - 60), start):
            return "reported"
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
