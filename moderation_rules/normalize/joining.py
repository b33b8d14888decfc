"""Join letters split apart to dodge filters: ``f u c k``, ``k.y.s``, ``d-i-c-k``.

Both joins work in place on the folded characters and their original spans, so the joined
word still points at every original letter.  A run of spaced letters that spells several
words ("a k n i f e") is cut back into known words where possible ("a knife").  The reverse
evasion, words run together ("ihatemuslims"), is cut apart by :func:`split_glued`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from moderation_rules.normalize.vocabulary import (
    COMMON_WORDS,
    allowed_words,
    group_words,
    known_words,
    listed_words,
    sensitive_words,
)

__all__ = ["rejoin_chains", "rejoin_spaced", "split_glued"]

_SPACED = re.compile(r"(?<![^\W_])(?<![^\W_]')[a-z](?: [a-z]){2,}(?![^\W_])")
# letters chained by dots, dashes or underscores with single letters inside: "k.y.s",
# "d-i-c-k", and pieces left by other evasions ("mu.z.zies", "dic.k.h.e.a.d.s")
_CHAIN = re.compile(r"(?<![^\W_])(?<![^\W_]')[a-z]+(?:[.\-_][a-z]+){2,}(?![^\W_])")
_CHAIN_SEP = re.compile(r"[.\-_]")


def _fewest_words(letters: str, is_word: Callable[[str], bool], longest: int) -> list[int] | None:
    """Cut points splitting ``letters`` into the fewest pieces ``is_word`` accepts (None if
    impossible); no piece is longer than ``longest``."""
    n = len(letters)
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    best[0] = (0, -1)
    for end in range(1, n + 1):
        for start in range(max(0, end - longest), end):
            prev = best[start]
            if prev is not None and is_word(letters[start:end]):
                cand = (prev[0] + 1, start)
                if best[end] is None or cand[0] < best[end][0]:  # type: ignore[index]
                    best[end] = cand
    if best[n] is None:
        return None
    cuts: list[int] = []
    pos = n
    while pos > 0:
        start = best[pos][1]  # type: ignore[index]
        if start > 0:
            cuts.append(start)
        pos = start
    return sorted(cuts)


def _segment(letters: str) -> list[int] | None:
    """Cut points splitting ``letters`` into the fewest known words (None if impossible)."""
    vocab = known_words()
    if len(letters) > 60 or not vocab:
        return None
    return _fewest_words(letters, lambda w: ((len(w) >= 4 and w in vocab)
                                             or (len(w) == 1 and w in "ai")
                                             or (1 < len(w) < 4 and w in COMMON_WORDS)), 20)


def _drop(chars: list[str], starts: list[int], ends: list[int], drop: set[int]) -> None:
    """Remove the folded characters at positions ``drop``, with their spans, in place."""
    keep = [k for k in range(len(chars)) if k not in drop]
    chars[:] = [chars[k] for k in keep]
    starts[:] = [starts[k] for k in keep]
    ends[:] = [ends[k] for k in keep]


def rejoin_chains(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Join words split by dots, dashes or underscores ("k.y.s", "t-h-e"), in place.

    A chain of three or more pieces whose inner pieces are single letters is one word spelled
    out ("mother-in-law" and "a-level" are left alone).
    """
    text = "".join(chars)
    if "." not in text and "-" not in text and "_" not in text:
        return
    drop: set[int] = set()
    for m in _CHAIN.finditer(text):
        pieces = _CHAIN_SEP.split(m.group())
        if any(len(p) != 1 for p in pieces[1:-1]):
            continue
        if len(pieces[0]) > 1 and len(pieces[-1]) > 1 and len(pieces) < 4 \
                and "." not in m.group():
            continue  # "pick-n-mix", "will-o-wisp": hyphenated words, not a spelled-out one
        for k in range(m.start(), m.end()):
            if text[k] in ".-_":
                drop.add(k)
    if drop:
        _drop(chars, starts, ends, drop)


def rejoin_spaced(chars: list[str], starts: list[int], ends: list[int],
                  original: str = "") -> None:
    """Join letters split by single spaces, dots or dashes ('f u c k', 'k.y.s'), in place.

    Several spaced words in a row ('a k n i f e') are cut back into known words where
    possible ('a knife'), otherwise joined into one; a gap wider than the run's narrowest
    marks a word break ('i s  a  p r a t'), an even one does not ('k  y  s').
    """
    text = "".join(chars)
    drop: set[int] = set()
    for m in _SPACED.finditer(text):
        letters = text[m.start() : m.end() : 2]
        whole = letters in known_words()
        cuts = set() if whole or len(letters) < 4 else set(_segment(letters) or ())
        gaps = [original.count(" ", ends[k - 1], starts[k + 1]) if original else 1
                for k in range(m.start() + 1, m.end(), 2)]
        narrow = min(gaps, default=1)
        for j, k in enumerate(range(m.start() + 1, m.end(), 2)):
            # a capital after a small letter starts a new word ("B r o o k f i e l d A v e"),
            # and so does a wider gap than the one between letters ("i s  a  p r a t")
            if j + 1 in cuts or (original and (
                    (original[starts[k + 1]].isupper() and original[starts[k - 1]].islower())
                    or gaps[j] > narrow)):
                chars[k] = " "
            else:
                drop.add(k)
    if drop:
        _drop(chars, starts, ends, drop)


_GLUED = re.compile(r"(?<![^\W_])[a-z]{7,40}(?![^\W_])")
# words of attack that are not on the packs' word lists but carry hate run together
_ATTACK_WORDS = frozenset({
    "hate", "hates", "kill", "killing", "despise", "despises", "loathe", "deport", "exterminate",
    "gas", "ban", "banned", "vermin", "scum", "filth", "disgusting", "inferior", "animals", "rats",
    "parasites", "criminals", "terrorists", "trash", "gross", "useless", "enemy", "evil",
    "invaders", "invasion", "subhuman", "die", "filthy", "dirty", "plague", "disease"})
# faiths named by their religion rather than their people ("islamisevil")
_FAITHS = frozenset({"islam", "judaism", "hinduism", "sikhism", "christianity"})
# words that, next to a group's name, make a slogan of it ("polesgohome", "muslimsout")
_SLOGAN_WORDS = frozenset({"out", "home", "back", "go", "not", "are", "is", "should", "run",
                           "control", "own", "rule", "ruin"})
# the verb of a claim about a group ("immigrantsareleeches"), and the nouns an adjective needs
_CLAIM_VERBS = ("are", "should", "must", "is")
_PEOPLE_WORDS = frozenset({"people", "folk", "men", "women", "kids", "children", "families"})
# words that put a slur that closes the token in aim ("thepakis", "allthe...")
_AIMING_WORDS = frozenset({"the", "all", "them", "those", "these", "you", "ya", "u", "dirty",
                           "filthy", "fucking", "bloody", "stupid", "hate"})


def _glued_cuts(token: str) -> list[int] | None:
    """Cut points splitting ``token`` into the fewest known words; None unless the pieces carry
    an attack: two of listed words, words of attack and names of groups or faiths
    ("jewsarescum", "blackpeopleareanimals"), a group's name and a slogan word ("polesgohome",
    "jewsrunthemedia"), "people" with a word of attack ("oldpeopleshouldjustdie"), or a slur
    closing the token after a word that aims it ("thepakis").  One listed word alone inside a
    longer word is usually an innocent word the vocabulary lacks ("yiddish", "cockatoo",
    "blackburn").  Failing those, a claim run together (:func:`_claim_cuts`)."""
    vocab, sensitive, nouns = known_words(), sensitive_words(), group_words()[0]
    short_groups = _short_group_words()

    def is_word(w: str) -> bool:
        return ((len(w) >= 4 and (w in vocab or w in sensitive)) or w in _ATTACK_WORDS
                or w in ("i", "a") or w in short_groups
                or (1 < len(w) < 4 and w in COMMON_WORDS))

    cuts = _fewest_words(token, is_word, 16)
    if cuts is None or len(cuts) > 4:
        return _claim_cuts(token, is_word)
    if not cuts:
        return None
    parts = [token[a:b] for a, b in zip([0, *cuts], [*cuts, len(token)])]
    adjectives = group_words()[1]
    named = [p for p in parts if (len(p) >= 4 and p in nouns) or p in _FAITHS
             or (len(p) >= 3 and p in adjectives)]
    attack = [p for p in parts if (len(p) >= 4 and p in listed_words()) or p in _ATTACK_WORDS]
    slogan = any(p in _SLOGAN_WORDS for p in parts)
    if len(set(named) | set(attack)) >= 2 or (named and slogan):
        return cuts
    if attack and "people" in parts and len(parts) >= 3:
        return cuts
    if (len(parts) == 2 and parts[0] in _AIMING_WORDS and len(parts[1]) >= 4
            and parts[1] in listed_words()):
        return cuts
    return None


@lru_cache(maxsize=1)
def _short_group_words() -> frozenset[str]:
    """Group words of three letters ("gay", "jew"): words when cutting, too short for the
    vocabulary's test."""
    nouns, others = group_words()
    return frozenset(w for w in nouns | others if len(w) == 3 and w.isalpha())


def _claim_cuts(token: str, is_word: Callable[[str], bool]) -> list[int] | None:
    """Cut points for a claim about a group run together whose last word the vocabulary lacks
    ("immigrantsareleeches", "sikhsarefreaks"): known words naming a group ("trans people",
    "travellers"), then "are", "is", "should" or "must", then the rest, itself cut into known
    words where it can be ("belockedaway"), or else "be" cut off its front ("bewelcomed")."""
    nouns, adjectives = group_words()
    for verb in _CLAIM_VERBS:
        at = token.find(verb, 3)
        while at != -1:
            head, tail = token[:at], token[at + len(verb):]
            cuts = _fewest_words(head, is_word, 16) if len(tail) >= 4 else None
            if cuts is not None and len(cuts) <= 2:
                parts = [head[a:b] for a, b in zip([0, *cuts], [*cuts, len(head)])]
                if parts[-1] in nouns or (parts[-1] in _PEOPLE_WORDS and len(parts) == 2
                                          and parts[0] in adjectives):
                    rest = _fewest_words(tail, is_word, 16) or (
                        [2] if tail.startswith("be") and verb != "is" else [])
                    end = at + len(verb)
                    return [*cuts, at, end, *(end + c for c in rest)]
            at = token.find(verb, at + 1)
    return None


@lru_cache(maxsize=1)
def _hot_inside() -> re.Pattern[str]:
    """Any word a cut could turn into an attack, found inside a longer token: a cheap test that
    spares most unknown words the segmentation."""
    nouns = group_words()[0]
    hot = {w for w in listed_words() | nouns if len(w) >= 4 and w.isalpha()}
    hot |= _ATTACK_WORDS | _short_group_words() | _PEOPLE_WORDS - {"men"}
    return re.compile("|".join(sorted(map(re.escape, hot), key=len, reverse=True)))


def split_glued(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Cut words run together to dodge filters ("ihatemuslims", "polesgohome") back apart, in
    place, where the pieces are known words that carry an attack.  A known or allowed word
    ("therapist", "scunthorpe", "cocktails") is never cut."""
    text = "".join(chars)
    vocab, allowed = known_words(), allowed_words()
    inserts: list[int] = []
    for m in _GLUED.finditer(text):
        token = m.group()
        stem = token.removesuffix("s")
        if (token in vocab or token in allowed or stem in vocab or stem in allowed
                or _hot_inside().search(token) is None):
            continue
        cuts = _glued_cuts(token)
        if cuts:
            inserts.extend(m.start() + c for c in cuts)
    for k in sorted(inserts, reverse=True):  # a space between two letters: no original span
        chars.insert(k, " ")
        starts.insert(k, starts[k])
        ends.insert(k, starts[k])
