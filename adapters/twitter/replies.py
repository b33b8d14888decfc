"""Reply texts on X: fitting them to 280 weighted characters, and recognising them afterwards.

X counts characters by weight (twitter-text v3): most Latin, Greek, Cyrillic and Hebrew code
points count 1, others (CJK, emoji) 2, and every URL 23.  This count never under-estimates X's
(an emoji sequence counts 2 per code point here, 2 in all at X), so a fitted text is accepted.
The same fitting runs when posting and when looking for an earlier attempt, so both agree.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 280
URL_WEIGHT = 23
ELLIPSIS = "…"
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_LEADING_HANDLES = re.compile(r"^(?:@\w{1,15}\s+)+")


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """X's length of ``text`` (or slightly more for emoji sequences, never less)."""
    normal = unicodedata.normalize("NFC", text)
    total, last = 0, 0
    for match in _URL.finditer(normal):
        total += sum(_char_weight(c) for c in normal[last:match.start()]) + URL_WEIGHT
        last = match.end()
    return total + sum(_char_weight(c) for c in normal[last:])


def fit_reply(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` (stripped, NFC) if it fits, else cut at a word boundary and ended with "…"."""
    normal = unicodedata.normalize("NFC", text.strip())
    if weighted_length(normal) <= limit:
        return normal
    budget = limit - weighted_length(ELLIPSIS)
    cut = normal
    while cut and weighted_length(cut) > budget:
        cut = cut[: max(0, len(cut) - max(1, (weighted_length(cut) - budget) // 2))]
    space = cut.rfind(" ")
    if space >= len(cut) // 2:  # end on a whole word unless that loses half the text
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def strip_leading_handles(text: str) -> str:
    """The text without the ``@handle`` prefix X apps (and our duplicate retry) put first."""
    return _LEADING_HANDLES.sub("", text.strip())


def same_reply(posted: str, wanted: str) -> bool:
    """Whether a posted Tweet is the fitted reply ``wanted``, ignoring a leading ``@handle``."""
    normal = unicodedata.normalize("NFC", posted.strip())
    return normal == wanted or strip_leading_handles(normal) == strip_leading_handles(wanted)


def with_handle(handle: str, text: str, limit: int = MAX_CHARS) -> str:
    """``@handle text`` fitted to the limit (to make an explanation distinct for X)."""
    return fit_reply(f"@{handle} {text}", limit)
