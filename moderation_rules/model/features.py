"""Hashed features shared by training and inference (pure Python, no numpy needed).

A comment is folded first (:func:`moderation_rules.normalize.normalize`: look-alike letters,
leetspeak, zero-width characters, spaced and stretched letters), so the model sees the same
view as the rules and an evasion changes few features.  Features are word unigrams, word
bigrams, emoji, and character 4-grams inside longer words (which survive one dropped or
swapped letter), hashed with CRC-32 into ``buckets`` slots.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

from moderation_rules.normalize import _vocab, normalize

__all__ = ["features", "features_folded", "tokens", "BUCKETS", "EMOJI"]

BUCKETS = 1 << 18
EMOJI = "\U0001F000-\U0001FAFF\u2600-\u27BF"  # the emoji the models read as tokens (a class body)
_WORD = re.compile(rf"[a-z]+(?:'[a-z]+)?|[{EMOJI}]")
_crc = zlib.crc32


def tokens(text: str) -> list[str]:
    """Folded word and emoji tokens of ``text``."""
    return _WORD.findall(normalize(text).text)


def features(text: str, buckets: int = BUCKETS) -> dict[int, float]:
    """Hashed feature counts (bucket -> value) of one raw text."""
    return features_folded(normalize(text).text, buckets)


@lru_cache(maxsize=65536)
def _word_hashes(tok: str, buckets: int) -> tuple[int, tuple[int, ...]]:
    """Bucket of a word's unigram and of its character 4-grams (only for unknown words)."""
    w = _crc(("w:" + tok).encode()) % buckets
    grams: tuple[int, ...] = ()
    if len(tok) >= 5 and tok not in _vocab():  # misspellings and evasions only
        padded = "<" + tok + ">"
        grams = tuple(_crc(("c:" + padded[i : i + 4]).encode()) % buckets
                      for i in range(len(padded) - 3))
    return w, grams


@lru_cache(maxsize=131072)
def _bigram_hash(prev: str, tok: str, buckets: int) -> int:
    return _crc(("b:" + prev + " " + tok).encode()) % buckets


def features_folded(folded: str, buckets: int = BUCKETS) -> dict[int, float]:
    """Hashed feature counts of an already folded text (the engine's matching view).

    Per-word hashes are cached: comments share most of their vocabulary.
    """
    toks = _WORD.findall(folded)
    out: dict[int, float] = {}
    get = out.get
    prev = "<s>"
    for tok in toks:
        w, grams = _word_hashes(tok, buckets)
        out[w] = get(w, 0.0) + 1.0
        h = _bigram_hash(prev, tok, buckets)
        out[h] = get(h, 0.0) + 1.0
        for h in grams:
            out[h] = get(h, 0.0) + 0.5
        prev = tok
    h = _bigram_hash(prev, "</s>", buckets)
    out[h] = get(h, 0.0) + 1.0
    return out
