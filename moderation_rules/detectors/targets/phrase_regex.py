"""Turn word lists into regexes and into the cheap word gates that decide which rules to try.

The rules are big alternations of lexicon phrases; matching them on every comment would be
slow, so each rule also gets the words it must START at (:func:`lead_words`) and a word its
predicate cannot do without (:func:`key_words`).  A rule is only run where both are present.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["alt", "key_words", "lead_words"]


def alt(phrases: Iterable[str]) -> str:
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


def key_words(*groups: Iterable[str]) -> frozenset[str]:
    """One word every phrase needs (its longest): a rule whose predicate list has none of these
    words in the text cannot match, so it is not tried."""
    out: set[str] = set()
    for g in groups:
        for p in g:
            words = re.findall(r"[a-z]+", p)
            if words:
                out.add(max(words, key=len))
    return frozenset(out)


def lead_words(*groups: Iterable[str]) -> frozenset[str]:
    """First words of phrases: a rule is only tried where one of them starts a word."""
    return frozenset(p.split()[0] for g in groups for p in g if p.split())
