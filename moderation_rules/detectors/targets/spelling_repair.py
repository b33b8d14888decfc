"""Undo spelling evasions of listed words that character folding cannot undo.

Folding (:mod:`moderation_rules.normalize`) turns ``mu$l1ms`` into ``muslims`` but not a
dropped, swapped or doubled letter (``womne``, ``muslms``), words run together (``ihate``) or
a ``*`` standing for a consonant (``pl*mbers``).  These repairs only ever lead TO a listed
word, and known words are never "repaired", so ordinary text passes through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from moderation_rules.detectors.targets.lexicon import TargetWords, words_in
from moderation_rules.normalize.group_spelling import one_letter_slips

__all__ = ["TOKEN", "TokenRepairer", "fill_stars", "repair_tokens", "star_words"]

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_STAR_TOKEN = re.compile(r"[a-z*]*[a-z][a-z*]*\*[a-z*]*|[a-z*]*\*[a-z*]*[a-z][a-z*]*")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
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


class TokenRepairer:
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
            variants = one_letter_slips(word)
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

    @classmethod
    def for_lexicon(cls, w: TargetWords, known_words: Iterable[str] = ()) -> TokenRepairer:
        """The repairer of the target detector: which words may be reached, which never left."""
        target_words = words_in(w.groups) | set(w.adjs) | set(w.singulars) \
            | words_in(w.hate_verbs)
        target_words |= {x for x in words_in(w.strong) if len(x) >= 6}
        target_words |= {x for x in words_in(w.threats) if len(x) >= 5}
        known = set(known_words) | words_in(w.nouns) | words_in(w.people) \
            | words_in(w.positive)
        known |= words_in(w.openers) | words_in(w.reporting) | words_in(w.passive) \
            | words_in(w.harsh)
        known |= words_in(w.exclusion) | words_in(w.pg_literal) | words_in(w.contempt)
        joinable = target_words | words_in(w.nouns) | {"i", "we", "are", "is", "all", "hate",
                                                        "the", "you", "they", "should", "be"}
        anchors = words_in(w.groups) | set(w.adjs) | {"hate", "despise", "detest", "loathe",
                                                      "kill", "murder", "scum", "vermin",
                                                      "disgusting"}
        return cls(target_words, known, w.fuzzy_exclude, joinable, anchors)

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


def repair_tokens(text: str, repairer: TokenRepairer) -> tuple[str, list[int]]:
    """Rewrite slipped tokens; return the new text and, per char, its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    last = 0
    changed = False
    for m in TOKEN.finditer(text):
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


def star_words(w: TargetWords) -> frozenset[str]:
    """Words a '*' may stand in ("pl*mbers", "sc*m", "m*slims"): listed targets/predicates."""
    return frozenset(
        x for x in (words_in(w.pg_literal) | words_in(w.groups) | set(w.adjs)
                    | set(w.singulars) | words_in(w.strong) | words_in(w.harsh)
                    | words_in(w.hatred) | words_in(w.contempt) | words_in(w.violent)
                    | words_in(w.harm_people))
        if len(x) >= 3 and x.isalpha())


def fill_stars(text: str, words: frozenset[str]) -> str:
    """"pl*mbers", "sc*m": a '*' inside a word that makes exactly one of ``words``."""
    if "*" not in text:
        return text
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
