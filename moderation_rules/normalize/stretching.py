"""Shrink stretched letters: ``fuuuuck`` -> ``fuck``, ``stttaff`` -> ``staff``.

Three or more of one letter never occur in English, so such a run is stretching; it shrinks
to one or two letters, whichever makes a known word.
"""

from __future__ import annotations

import re

from moderation_rules.normalize.vocabulary import (
    COMMON_WORDS,
    known_words,
    sensitive_words,
    word_rank,
)

__all__ = ["collapse_all", "collapse_runs"]

_RUN3 = re.compile(r"([a-z])\1{2,}")
_TOKEN_ALPHA = re.compile(r"[a-z*]+")


def _run_keep(token: str) -> list[int]:
    """For each run of 3+ identical letters in ``token``: keep 1 or 2 of them."""
    runs = [m for m in _RUN3.finditer(token)]
    if len(runs) > 3:
        return [1] * len(runs)
    vocab = known_words()
    known: list[tuple[list[int], str]] = []
    for mask in range(1 << len(runs)):
        keep = [2 if mask >> k & 1 else 1 for k in range(len(runs))]
        out, last = [], 0
        for m, n in zip(runs, keep):
            out.append(token[last : m.start()] + m.group(1) * n)
            last = m.end()
        out.append(token[last:])
        word = "".join(out)
        if word in vocab or word in sensitive_words():
            known.append((keep, word))
    if known:
        # "neeeed": both "ned" and "need" are known; the everyday word wins
        rank = word_rank()
        return min(known, key=lambda kw: (kw[1] not in COMMON_WORDS,
                                          rank.get(kw[1], 1 << 30)))[0]
    # No known word: three or more of a letter never occur in English, so the run is
    # stretching and most stretched letters were single ("sssslob", "lannne").
    return [1] * len(runs)


def collapse_runs(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Collapse runs of three or more identical letters, in place.

    A run shrinks to one or two letters, whichever makes a known word ('fuuuuck' -> 'fuck',
    'stttaff' -> 'staff'); with no known word, to one.  A kept pair points at the first and
    the last letter of the run; a single letter spans the whole run.
    """
    text = "".join(chars)
    if not _RUN3.search(text):
        return
    keep_at: dict[int, int] = {}
    for tm in _TOKEN_ALPHA.finditer(text):
        tok = tm.group()
        if not _RUN3.search(tok):
            continue
        for m, n in zip(_RUN3.finditer(tok), _run_keep(tok)):
            keep_at[tm.start() + m.start()] = n
    out_c: list[str] = []
    out_s: list[int] = []
    out_e: list[int] = []
    i = 0
    n = len(chars)
    while i < n:
        j = i
        while j + 1 < n and chars[j + 1] == chars[i]:
            j += 1
        if j - i >= 2 and chars[i].isalpha():
            n_keep = keep_at.get(i, 1)
            if n_keep == 2:
                out_c.extend((chars[i], chars[i]))
                out_s.extend((starts[i], starts[j]))
                out_e.extend((ends[i], ends[j]))
            else:
                out_c.append(chars[i])
                out_s.append(starts[i])
                out_e.append(ends[j])
        else:
            out_c.extend(chars[i : j + 1])
            out_s.extend(starts[i : j + 1])
            out_e.extend(ends[i : j + 1])
        i = j + 1
    chars[:], starts[:], ends[:] = out_c, out_s, out_e


def collapse_all(word: str) -> str:
    """Collapse every doubled letter ('fuuck' -> 'fuck'); used as a fallback lexicon key."""
    out: list[str] = []
    for c in word:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)
