"""Leetspeak and wildcards: digits and symbols standing in for letters inside words.

``sh1t``, ``tw@t`` and ``a$$`` become letters, but ``3rd``, ``4W`` and ``7pm`` stay as they
are.  A ``*`` for a vowel (``c*me``) is filled when exactly one everyday reading is a known
word; when any reading is a listed word (``b*tch``) the ``*`` stays, and the word-list
detectors treat it as a wildcard.  Both repairs work in place on the folded characters.
"""

from __future__ import annotations

import re

from moderation_rules.normalize.vocabulary import known_words, sensitive_words, word_rank

__all__ = ["WILDCARD", "fill_wildcards", "repair_leet"]

WILDCARD = "*"

# Leetspeak: digits and symbols standing in for letters inside words.
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
}
_LEET_SYMBOLS = frozenset("@$!")
_LEET_ANY = re.compile(r"[013457@$!]")
_TOKEN = re.compile(r"(?:[^\W_]|[@$!*])+")
# Suffixes and units after a number: "3rd", "7pm", "10k" are not leetspeak.
_UNITS = frozenset({"am", "pm", "st", "nd", "rd", "th", "yo", "yr", "yrs", "k", "m", "p", "x"})
_TOKEN_ALPHA = re.compile(r"[a-z*]+")
_STAR_VOWELS = "aeiou"


def _should_leet(token: str) -> bool:
    """Whether a token mixing letters and digits/symbols is leetspeak rather than '3rd' or '4W'."""
    letters = sum(c.isalpha() for c in token)
    if letters < 2:
        return False
    m = re.fullmatch(r"(\d+)([a-z]+)", token) or re.fullmatch(r"([a-z]+)(\d+)", token)
    if m is None:
        return True
    digits = m.group(1) if m.group(1).isdigit() else m.group(2)
    alpha = m.group(2) if m.group(1).isdigit() else m.group(1)
    return len(digits) == 1 and len(alpha) >= 3 and alpha not in _UNITS


def repair_leet(chars: list[str]) -> None:
    """Replace leet digits and symbols inside word-like tokens, in place."""
    text = "".join(chars)
    if _LEET_ANY.search(text) is None:  # most comments: nothing to replace
        return
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok.isalpha() or not any(c.isalpha() for c in tok):
            continue
        core = tok.lstrip("!*@").rstrip("!*@")
        if not core:
            continue
        offset = m.start() + tok.index(core[0]) if core else m.start()
        plain = core.replace("*", "a").replace("@", "a").replace("$", "s")
        digits_ok = _should_leet(plain) or (
            len(core) >= 3 and sum(c.isalpha() for c in plain) >= 2
            and "".join(_LEET.get(c, c) for c in core) in known_words()
        )
        for j, c in enumerate(core):
            pos = offset + j
            # the character before, as already repaired ("com3$": the 3 is now an e)
            prev_alpha = j > 0 and (chars[pos - 1].isalpha() or core[j - 1] in "$@")
            next_alpha = j + 1 < len(core) and core[j + 1].isalpha()
            if c.isdigit() and c in _LEET and digits_ok:
                chars[pos] = _LEET[c]
            elif c in _LEET_SYMBOLS and (prev_alpha or (c != "@" and next_alpha)):
                if c != "!" or (prev_alpha and next_alpha):
                    chars[pos] = _LEET[c]


def fill_wildcards(chars: list[str]) -> None:
    """Replace a '*' standing for a vowel inside a word when that makes a known word.

    A reading that is a listed word ("wh*re") keeps the wildcard, so the word lists still see
    it, unless the text stars everyday words throughout ("Wh*re c*n I f*nd the proced*re?"):
    when two or more starred words have no listed reading and they outnumber the rest, the
    stars are noise and a starred word with an everyday reading takes the most common one.
    """
    text = "".join(chars)
    if "*" not in text:
        return
    vocab = known_words()
    listed = sensitive_words()
    rank = word_rank()
    starred: list[tuple[int, list[int], list[str], bool]] = []
    for m in _TOKEN_ALPHA.finditer(text):
        tok = m.group()
        stars = [i for i, c in enumerate(tok) if c == "*" and 0 < i < len(tok) - 1]
        if not stars or len(stars) > 2 or tok.count("*") != len(stars):
            continue
        words, rude = [], False
        for fill in _vowel_fills(len(stars)):
            cand = list(tok)
            for i, v in zip(stars, fill):
                cand[i] = v
            word = "".join(cand)
            rude = rude or word in listed
            if word in vocab:
                words.append(word)
        starred.append((m.start(), stars, words, rude))
    everyday = sum(1 for *_, rude in starred if not rude)
    noise = everyday >= 2 and everyday > len(starred) - everyday
    for start, stars, words, rude in starred:
        if rude and noise:
            words = [w for w in words if w not in listed]
        elif rude and len(words) > 1:
            continue  # "wh*re": the word lists read the wildcard
        if len(words) > 1:  # "w*s", "d*es": ambiguous among everyday words
            words = [min(words, key=lambda w: rank.get(w, 1 << 30))]
        if len(words) == 1:
            for i in stars:
                chars[start + i] = words[0][i]


def _vowel_fills(n: int) -> list[tuple[str, ...]]:
    """Every way to put a vowel in one or two '*' slots."""
    if n == 1:
        return [(v,) for v in _STAR_VOWELS]
    return [(a, b) for a in _STAR_VOWELS for b in _STAR_VOWELS]
