"""Views of a comment for the personal-data detectors: the author's capitals, digits and '@'
kept, while look-alike letters, leetspeak inside names and spelled-out letters are undone."""

from __future__ import annotations

import re

from moderation_rules.normalize import Normalized, fold_char

__all__ = ["cased_view", "light_fold"]

# a capitalised name with a leet digit inside ("T0m", "J4yden"; not "Y7s" or a postcode)
_NAME_LEET = re.compile(r"\b(?!Y)[A-Z][a-z]*[013457$*@][a-z013457$*@]*[a-z]\b(?![.@\w])")
_NAME_LEET_MAP = str.maketrans("013457$*@", "oieastsaa")


def _unleet_name(m: re.Match[str]) -> str:
    return m.group().translate(_NAME_LEET_MAP)


# four or more single letters split by the same space, dot or dash
_SPELLED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:( |\.|-)[^\W\d_])(?:\1[^\W\d_]){2,}(?![^\W\d_])")


def light_fold(text: str) -> tuple[str, list[int]]:
    """Undo look-alike letters, full-width forms and invisible characters, keeping case,
    digits and '@' (which the matching view would fold away).  Returns the view and, per view
    character, its index in ``text``; an empty index means the text needed no folding."""
    if text.isascii() and not _SPELLED.search(text) and not _NAME_LEET.search(text):
        return text, []
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            index.append(i)
            continue
        folded = fold_char(ch)
        if folded and ch.isupper():
            folded = folded.upper()
        for c in folded:
            out.append(c)
            index.append(i)
    view = _NAME_LEET.sub(_unleet_name, "".join(out))  # same length: the index still holds
    out = list(view)
    # names and streets spelled out letter by letter ("C l a r k e", "M.o.r.g.a.n")
    # (a capital after a small letter starts the next word: "B r o o k f i e l d A v e")
    drop = {k for m in _SPELLED.finditer(view) for k in range(m.start() + 1, m.end(), 2)
            if not (view[k + 1].isupper() and view[k - 1].islower())}
    if drop:
        keep = [k for k in range(len(out)) if k not in drop]
        view = "".join(out[k] for k in keep)
        index = [index[k] for k in keep]
    return view, index


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
