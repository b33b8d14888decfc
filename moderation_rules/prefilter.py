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
           "BOUND_LEFT", "long_prefixes", "trie_regex"]

# The left word boundary the rule packs put in front of every bounded regex: no word character
# just before, unless the match itself starts with a non-word character.
BOUND_LEFT = r"(?:(?<![^\W_])|(?=[\W_]))"

_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
_SYMBOL = re.compile(r"[^\w\s]")
_DIGIT = "\x00"  # key standing for "a digit starts a word here"


class _TooMany(Exception):
    """The prefixes of a regex multiply beyond what is worth indexing."""


_LIMIT = [1 << 30]  # set by long_prefixes while it works


def _pre(items: list[Any], i: int, need: int) -> set[str]:
    """First ``need`` characters of any match of ``items[i:]``; '' marks "unknown from here"."""
    out = _pre_raw(items, i, need)
    if len(out) > _LIMIT[0]:
        raise _TooMany
    return out


def _pre_raw(items: list[Any], i: int, need: int) -> set[str]:
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


def literal_prefixes(pattern: re.Pattern[str], need: int = 3) -> frozenset[str] | None:
    """Literal strings (up to ``need`` characters) one of which every match starts with, or
    None if unknown.  A digit class is written as ``\x00`` (see ``_DIGIT``)."""
    if _p is None or pattern.flags & re.IGNORECASE:
        return None
    if not pattern.pattern.startswith(BOUND_LEFT):
        return None  # unbounded regexes may match inside a word
    try:
        found = _pre(list(_p.parse(pattern.pattern, pattern.flags)), 0, need)
    except _TooMany:
        raise
    except Exception:  # noqa: BLE001 - any parser surprise just disables the shortcut
        return None
    if not found or "" in found or any(p[0].isspace() for p in found):
        return None
    return frozenset(found)


def long_prefixes(pattern: re.Pattern[str], max_prefixes: int = 1500
                  ) -> frozenset[str] | None:
    """The longest literal prefixes worth indexing (up to 12 characters), or None if unknown.

    Longer prefixes wake fewer regexes ("the head" rather than "the"); a regex whose
    alternatives multiply into too many prefixes falls back to shorter ones.  A prefix is cut
    before any digit class inside it (a digit class at the start stays as ``_DIGIT``).
    """
    for need in (12, 6, 3):
        _LIMIT[0] = max_prefixes if need > 3 else 1 << 30
        try:
            found = literal_prefixes(pattern, need)
        except _TooMany:
            continue
        except RecursionError:  # pragma: no cover - absurdly deep patterns
            found = None
        finally:
            _LIMIT[0] = 1 << 30
        if found is None:
            return None
        return frozenset(p if p[0] == _DIGIT else p.split(_DIGIT)[0] for p in found)
    return None  # pragma: no cover


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

    __slots__ = ("regex", "keys", "prefixes", "sid")

    def __init__(self, regex: re.Pattern[str], filtered: bool = True) -> None:
        self.regex = regex
        self.prefixes = long_prefixes(regex) if filtered else None
        self.keys = (frozenset(p[:3] if p[0].isalnum() else p[0] for p in self.prefixes)
                     if self.prefixes is not None else None)
        self.sid = -1

    def finditer(self, text: str, starts: list[int] | None, lo: int = 0,
                 hi: int | None = None) -> Iterator[re.Match[str]]:
        """Non-overlapping matches in ``text[lo:hi]``, like ``regex.finditer``.

        ``starts`` are the candidate positions from :class:`ScannerIndex` (sorted, unique);
        ignored (full scan) for a regex without keys.
        """
        hi = len(text) if hi is None else hi
        if self.keys is None:
            yield from self.regex.finditer(text, lo, hi)
            return
        after = lo
        for pos in starts or ():  # sorted and unique (ScannerIndex.candidates)
            if pos < after or pos >= hi:
                continue
            m = self.regex.match(text, pos, hi)
            if m:
                yield m
                after = max(m.end(), pos + 1)


def trie_regex(words: list[str]) -> str:
    """A regex matching the longest of ``words`` at a position (nested by common prefix)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?" if len(alts) == 1 and len(body) > 1 else body + "?"
        return body

    return build(trie)


_DIGIT_START = re.compile(r"(?<![^\W_])\d")


class ScannerIndex:
    """Maps literal prefixes to scanners, so a text only wakes the scanners whose prefix
    occurs at one of its word starts.

    All word prefixes of all scanners are compiled into one trie-shaped regex; one pass of it
    over the text finds, at every word start, the longest indexed prefix there, and every
    scanner with a prefix that starts that string is a candidate at that position.
    """

    def __init__(self, scanners: list[Scanner]) -> None:
        by_prefix: dict[str, set[int]] = {}
        self._symbol: dict[str, list[int]] = {}
        self._digit: list[int] = []
        for sid, scanner in enumerate(scanners):
            scanner.sid = sid
            for p in scanner.prefixes or ():
                if p[0] == _DIGIT:
                    if sid not in self._digit:
                        self._digit.append(sid)
                elif p[0].isalnum():
                    by_prefix.setdefault(p, set()).add(sid)
                else:
                    sids = self._symbol.setdefault(p[0], [])
                    if sid not in sids:
                        sids.append(sid)
        # every indexed prefix -> the scanners whose prefix is a prefix of it
        self._closure: dict[str, tuple[int, ...]] = {}
        for p in by_prefix:
            sids: set[int] = set()
            for k in range(1, len(p) + 1):
                sids |= by_prefix.get(p[:k], set())
            self._closure[p] = tuple(sorted(sids))
        words = sorted(by_prefix)
        self._rx = re.compile(r"(?<![^\W_])(?=(" + trie_regex(words) + "))") if words else None

    def candidates(self, text: str) -> dict[int, list[int]]:
        """Sorted, unique candidate start positions per scanner id (scanners without keys are
        not listed)."""
        out: dict[int, list[int]] = {}
        closure = self._closure
        if self._rx is not None:
            for m in self._rx.finditer(text):
                i = m.start()
                for sid in closure[m.group(1)]:
                    if sid in out:
                        out[sid].append(i)
                    else:
                        out[sid] = [i]
        extra: set[int] = set()
        if self._digit:
            digits = [m.start() for m in _DIGIT_START.finditer(text)]
            if digits:
                for sid in self._digit:
                    out.setdefault(sid, []).extend(digits)
                    extra.add(sid)
        if self._symbol:
            for m in _SYMBOL.finditer(text):
                for sid in self._symbol.get(m.group(), ()):
                    out.setdefault(sid, []).append(m.start())
                    extra.add(sid)
        for sid in extra:
            out[sid] = sorted(set(out[sid]))
        return out
