"""Views of a comment for the personal-data detectors: the author's capitals, digits and '@'
kept, while look-alike letters, leetspeak inside names and spelled-out letters are undone
(the last two by the matching view itself)."""

from __future__ import annotations

import re

from moderation_rules.normalize import Normalized

__all__ = ["cased_view"]

# a capitalised name with a leet digit inside ("T0m", "J4yden"; not "Y7s" or a postcode)
_NAME_LEET = re.compile(r"\b(?!Y)[A-Z][a-z]*[013457$*@][a-z013457$*@]*[a-z]\b(?![.@\w])")
_NAME_LEET_MAP = str.maketrans("013457$*@", "oieastsaa")


def _unleet_name(m: re.Match[str]) -> str:
    return m.group().translate(_NAME_LEET_MAP)




def cased_view(text: str, norm: Normalized) -> tuple[str, list[int], list[int]]:
    """The matching view with the author's capitals and every '@' put back.

    The matching view has already undone look-alikes, leetspeak in words, stretched, starred
    and spelled-out letters ("C l a r k e", "sn@pcha7", "workkkks"); personal-data patterns
    also need capitals (names) and '@' (e-mail addresses), which it folds away.  Digits of
    numbers are never folded by it (only digits inside words), so phone numbers, postcodes and
    dates survive.  Returns the view and, per character, its span in ``text``.
    """
    out: list[str] = []
    starts, ends = list(norm.starts), list(norm.ends)
    for c, a, b in zip(norm.text, starts, ends):
        orig = text[a] if b - a == 1 else ""
        if orig == "@":
            c = "@"
        elif orig and orig.isupper() and c.isalpha():
            c = c.upper()
        out.append(c)
    view = _NAME_LEET.sub(_unleet_name, "".join(out))  # "W*rren" (a star the view left)
    return view, starts, ends
