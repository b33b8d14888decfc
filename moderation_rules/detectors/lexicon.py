"""Word-list matching on whole words of the folded text.

Matching whole words (not substrings) is what lets Scunthorpe, Penistone, Cockburn, "assessment"
and "cocktail" through; allow-listed words and phrases ("Dick Whittington", "faggots and peas")
are skipped outright.  A ``*`` left in a word by the author ("b*tch", "p*kis") is a wildcard for
one or two letters, and stretched spellings ("fuuck") fall back to a doubled-letter-free key.
"""

from __future__ import annotations

import re
from collections import defaultdict

from moderation_rules.detectors.base import Context
from moderation_rules.normalize import _vocab, collapse_all
from moderation_rules.rulepack import RuleSet, TermRule

__all__ = ["LexiconDetector"]

_WORD = re.compile(r"(?:[^\W\d_]|\*)+")
_Entry = tuple[tuple[str, ...], TermRule]


class LexiconDetector:
    """Finds pack terms in the folded text, honouring allow-lists."""

    def __init__(self, rules: RuleSet) -> None:
        self._exact: dict[str, list[_Entry]] = defaultdict(list)
        self._collapsed: dict[str, list[_Entry]] = defaultdict(list)
        self._prefixes: list[tuple[str, TermRule]] = []
        for term in rules.terms:
            for words in term.words:
                self._exact[words[0]].append((words[1:], term))
                key = collapse_all(words[0])
                if len(words) == 1 and len(key) >= 4:
                    self._collapsed[key].append(((), term))
            for prefix in term.prefixes:
                self._prefixes.append((prefix, term))
        self._allow_words = frozenset(rules.allow_words)
        self._allow_phrases = tuple(rules.allow_phrases)
        self._cache: dict[str, list[_Entry]] = {}
        self._singles = [w for w, entries in self._exact.items() if any(not t for t, _ in entries)]

    def _lookup(self, tok: str) -> list[_Entry]:
        cached = self._cache.get(tok)
        if cached is None:
            cached = self._lookup_uncached(tok)
            if len(self._cache) < 100_000:
                self._cache[tok] = cached
        return cached

    def _lookup_uncached(self, tok: str) -> list[_Entry]:
        out: list[_Entry] = list(self._exact.get(tok, ()))
        out.extend(((), term) for prefix, term in self._prefixes if tok.startswith(prefix))
        if any(not tail for tail, _ in out):
            return out
        for stem in (tok[:-1] if tok.endswith("s") else "", tok[:-2] if tok.endswith("es") else ""):
            if len(stem) >= 3 and stem in self._exact:
                singles = [(t, r) for t, r in self._exact[stem] if not t]
                if singles:
                    return out + singles
        key = collapse_all(tok)
        if key != tok and key in self._collapsed:
            return out + self._collapsed[key]
        return out

    def _wildcard(self, tok: str) -> list[_Entry]:
        core = tok.strip("*")
        if sum(c.isalpha() for c in core) < 2 or "*" not in core:
            return self._lookup(core) if core and core != tok else []
        if core.count("*") == 1:
            # One star most often hides one vowel: if a vowel makes a listed word, that is the
            # reading; if it makes only everyday words ("w*s", "c*me"), nothing is listed here.
            vowels = [core.replace("*", v) for v in "aeiou"]
            listed = [e for w in vowels for e in self._exact.get(w, ()) if not e[0]]
            listed += [((), term) for w in vowels for prefix, term in self._prefixes
                       if w.startswith(prefix)]
            if listed:
                return listed
            vocab = _vocab()
            if any(w in vocab for w in vowels):
                return []
        rx = re.compile("".join("[a-z]{1,2}" if c == "*" else re.escape(c) for c in core))
        out: list[_Entry] = []
        for word in self._singles:
            if rx.fullmatch(word):
                out.extend((t, r) for t, r in self._exact[word] if not t)
        for prefix, term in self._prefixes:
            if _wild_prefix(core, prefix):
                out.append(((), term))
        return out

    def __call__(self, ctx: Context) -> None:
        text = ctx.norm.text
        for rx in self._allow_phrases:
            ctx.allowed.extend(m.span() for m in rx.finditer(text))
        tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        allow_words = self._allow_words
        allowed = ctx.allowed
        cache = self._cache
        for i, (tok, start, end) in enumerate(tokens):
            if tok in allow_words or (allowed and ctx.is_allowed(start, end)):
                continue
            entries = cache.get(tok)
            if entries is None:
                entries = self._wildcard(tok) if "*" in tok else self._lookup(tok)
            if not entries:
                continue
            for tail, term in entries:
                stop = end
                if tail:
                    nxt = tokens[i + 1 : i + 1 + len(tail)]
                    if tuple(t for t, _, _ in nxt) != tail:
                        continue
                    stop = nxt[-1][2]
                if ctx.is_allowed(start, stop):
                    continue
                m = term.meta
                ctx.add_norm(m.id, m.label, m.clause, m.score, start, stop, m.tags)


def _wild_prefix(core: str, prefix: str) -> bool:
    """Whether a wildcard word like 'f*cking' can start with ``prefix`` ('fuck')."""
    if len(core) < len(prefix):
        return False
    return all(c == "*" or c == p for c, p in zip(core, prefix))
