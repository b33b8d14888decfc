"""Skip regexes that cannot match: a cheap word-start index in front of the rule packs.

Running every pack regex over every comment costs a few microseconds each; most comments can
only match a handful.  For each regex we work out the literal prefixes any match must begin with
(from Python's own regex parser) and index them by their first three characters; a comment
only runs the regexes whose keys occur at one of its word starts.  A regex whose start cannot
be worked out (it begins with ``\\w+``, an emoji or an optional group) always runs, so the
filter never changes a result, only the time taken.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

try:  # the parser behind ``re``; if a future Python moves it, every regex simply always runs
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover
    _c = _p = None  # type: ignore[assignment]

__all__ = ["literal_prefixes", "prefix_keys", "text_keys", "Scanner", "ScannerIndex",
           "BOUND_LEFT"]

# The left word boundary the rule packs put in front of every bounded regex: no word character
# just before, unless the match itself starts with a non-word character.
BOUND_LEFT = r"(?:(?<![^\W_])|(?=[\W_]))"

_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
_SYMBOL = re.compile(r"[^\w\s]")
_DIGIT = "\x00"  # key standing for "a digit starts a word here"


def _pre(items: list[Any], i: int, need: int) -> set[str]:
    """First ``need`` characters of any match of ``items[i:]``; '' marks "unknown from here"."""
    if need == 0:
        return {""}
    while i < len(items) and items[i][0] in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        i += 1
    if i == len(items):
        return {""}
    op, av = items[i]
    rest = items[i + 1 :]
    if op is _c.LITERAL:
        return {chr(av) + t for t in _pre(items, i + 1, need - 1)}
    if op is _c.SUBPATTERN:
        return _pre(list(av[-1]) + rest, 0, need)
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            out |= _pre(list(branch) + rest, 0, need)
        return out
    if op is _c.IN and any(o is _c.CATEGORY and v is _c.CATEGORY_DIGIT for o, v in av):
        if all(o is _c.CATEGORY and v is _c.CATEGORY_DIGIT for o, v in av):
            return {_DIGIT}
        return {""}
    if op is _c.IN:
        chars = [chr(v) for o, v in av if o is _c.LITERAL]
        if len(chars) != len(av) or len(chars) > 6:
            return {""}
        tails = _pre(items, i + 1, need - 1)
        return {c + t for c in chars for t in tails}
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
        lo, hi, body = av
        follow = rest if hi == 1 else []
        out = _pre(list(body) + follow, 0, need)
        if lo == 0:
            out |= _pre(items, i + 1, need)
        return out
    return {""}


def literal_prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings one of which every match starts with, or None if unknown."""
    if _p is None or pattern.flags & re.IGNORECASE:
        return None
    if not pattern.pattern.startswith(BOUND_LEFT):
        return None  # unbounded regexes may match inside a word
    try:
        found = _pre(list(_p.parse(pattern.pattern, pattern.flags)), 0, 3)
    except Exception:  # noqa: BLE001 - any parser surprise just disables the shortcut
        return None
    if not found or "" in found or any(p[0].isspace() for p in found):
        return None
    return frozenset(found)


def prefix_keys(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Index keys (first <= 3 characters of each literal prefix) of a regex, or None."""
    prefixes = literal_prefixes(pattern)
    if prefixes is None:
        return None
    return frozenset(p[:3] if p[0].isalnum() else p[0] for p in prefixes)


def text_keys(text: str) -> dict[str, list[int]]:
    """Where each 1-, 2- and 3-character string starting at a word start of ``text`` occurs."""
    keys: dict[str, list[int]] = {}
    for m in _WORD_START.finditer(text):
        i = m.start()
        for key in (text[i : i + 1], text[i : i + 2], text[i : i + 3]):
            keys.setdefault(key, []).append(i)
        if text[i].isdigit():
            keys.setdefault(_DIGIT, []).append(i)
    for m in _SYMBOL.finditer(text):
        keys.setdefault(m.group(), []).append(m.start())
    return keys


class Scanner:
    """One regex plus its prefix keys: tries only the word starts that can begin a match."""

    __slots__ = ("regex", "keys", "sid")

    def __init__(self, regex: re.Pattern[str], filtered: bool = True) -> None:
        self.regex = regex
        self.keys = prefix_keys(regex) if filtered else None
        self.sid = -1

    def finditer(self, text: str, starts: list[int] | None, lo: int = 0,
                 hi: int | None = None) -> Iterator[re.Match[str]]:
        """Non-overlapping matches in ``text[lo:hi]``, like ``regex.finditer``.

        ``starts`` are the candidate positions from :class:`ScannerIndex`; ignored (full scan)
        for a regex without keys.
        """
        hi = len(text) if hi is None else hi
        if self.keys is None:
            yield from self.regex.finditer(text, lo, hi)
            return
        after = lo
        for pos in sorted(set(starts or ())):
            if pos < after or pos >= hi:
                continue
            m = self.regex.match(text, pos, hi)
            if m:
                yield m
                after = max(m.end(), pos + 1)


class ScannerIndex:
    """Maps prefix keys to scanners, so a text only wakes the scanners its words can start."""

    def __init__(self, scanners: list[Scanner]) -> None:
        self._by_key: dict[str, list[int]] = {}
        for sid, scanner in enumerate(scanners):
            scanner.sid = sid
            for key in scanner.keys or ():
                self._by_key.setdefault(key, []).append(sid)

    def candidates(self, text: str) -> dict[int, list[int]]:
        """Candidate start positions per scanner id (scanners without keys are not listed)."""
        out: dict[int, list[int]] = {}
        by_key = self._by_key
        for key, positions in text_keys(text).items():
            for sid in by_key.get(key, ()):
                if sid in out:
                    out[sid].extend(positions)
                else:
                    out[sid] = list(positions)
        return out
