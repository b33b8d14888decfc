"""Character folding: look-alike letters, invisible characters, accents and case.

Each character folds on its own (``fold_char``); :func:`fold_text` folds a whole text and
records, for every folded character, the span of the original character it came from.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from moderation_rules.normalize.emoji import emoji_at

__all__ = ["fold_char", "fold_text"]

# Characters that render as nothing (or nearly nothing) and are used to split words.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufe0e\ufe0f"
)

# Look-alikes NFKC does not fold: Cyrillic and Greek letters that read as Latin ones, plus the
# typographic quotes and dashes people paste from phones.  Written for this project.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic lower case
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "ӏ": "l", "г": "r", "п": "n", "и": "u", "л": "n",
    # Cyrillic upper case
    "А": "a", "В": "b", "Е": "e", "Ё": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ї": "i", "Ј": "j", "Һ": "h",
    "Ԁ": "d", "Ԛ": "q", "Ԝ": "w", "Ӏ": "l",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    # punctuation look-alikes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00b7": ".", "\u2022": ".", "\u2024": ".",
    # small capitals ("ᴄʀᴜsᴀᴅᴇ")
    "\u1d00": "a", "\u0299": "b", "\u1d04": "c", "\u1d05": "d", "\u1d07": "e", "\ua730": "f",
    "\u0262": "g", "\u029c": "h", "\u026a": "i", "\u1d0a": "j", "\u1d0b": "k", "\u029f": "l",
    "\u1d0d": "m", "\u0274": "n", "\u1d0f": "o", "\u1d18": "p", "\u0280": "r", "\ua731": "s",
    "\u1d1b": "t", "\u1d1c": "u", "\u1d20": "v", "\u1d21": "w", "\u028f": "y", "\u1d22": "z",
    # currency and letter-like signs used as letters ("ƒυ¢к")
    "\u0192": "f", "\u00a2": "c",
    # the keycap that turns "0" into the emoji 0️⃣: a gap, so keycap digits read as spaced
    # digits (a phone number to the personal-data detector) and never as letters inside a word
    "\u20e3": " ",
}
# ASCII that still needs the slow path: control characters and the backtick (a quote).
_ASCII_SPECIAL = re.compile(r"[\x00-\x1f\x7f`]")


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Fold one character: confusables, NFKC, accents stripped, lower case ('' if invisible)."""
    if ch in _INVISIBLE:
        return ""
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    cat = unicodedata.category(ch)
    if cat == "Cf" or (cat == "Cc" and ch not in "\n\t\r"):
        return ""
    if ch in "\n\t\r":
        return " "
    if cat == "Nd":  # a digit of another script (Bengali ০৭৭০০): the phone number is the same
        return str(unicodedata.decimal(ch))
    out = unicodedata.normalize("NFKC", ch)
    out = "".join(
        _CONFUSABLES.get(c, c)
        for c in unicodedata.normalize("NFD", out)
        if not unicodedata.combining(c)
    )
    return out.lower()


# what may follow an emoji and still belong to it: selectors, skin tones, joined emoji
_EMOJI_TAIL = re.compile("(?:[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\u20e3]|\u200d.)*")


def _emoji_here(text: str, i: int, folded: list[str]) -> tuple[str, int] | None:
    """What the matching view reads for an emoji at ``text[i]`` and where it ends, or None.

    Between two letters an emoji stands for a letter ("m🕌slims", "k🔪ll"): a listed letter
    emoji ("f🅰️g") reads as its letter, any other as the ``*`` wildcard the word lists and
    the wildcard filler already read.  Elsewhere a listed emoji reads as its words."""
    spelled = emoji_at(text, i)
    if folded and folded[-1].isalpha() and unicodedata.category(text[i]) == "So":
        end = spelled[1] if spelled is not None else _EMOJI_TAIL.match(text, i + 1).end()  # type: ignore[union-attr]
        if end < len(text) and text[end].isalpha():
            if spelled is not None and " " not in spelled[0]:
                return spelled
            return "*", end
    return spelled


def fold_text(text: str) -> tuple[list[str], list[int], list[int]]:
    """Character-level fold with whitespace runs squeezed to one space.

    Returns the folded characters and, per folded character, the start and end of the
    original character it came from (one original character may fold to several)."""
    if text.isascii() and "  " not in text and not _ASCII_SPECIAL.search(text):
        n = len(text)
        return list(text.lower()), list(range(n)), list(range(1, n + 1))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        end = i + 1
        if ch.isascii() and ch not in "\n\t\r`":
            out = ch.lower() if ch.isalpha() else ch
        elif ch >= "\u2100" and (spelled := _emoji_here(text, i, chars)) is not None:
            out, end = spelled
        else:
            out = fold_char(ch)
        for c in out:
            if c == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(c)
            starts.append(i)
            ends.append(end)
        i = end
    return chars, starts, ends
