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

from moderation_rules.normalize import _vocab, normalize

__all__ = ["features", "features_folded", "tokens", "BUCKETS"]

BUCKETS = 1 << 18
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[\U0001F000-\U0001FAFF\u2600-\u27BF]")
_crc = zlib.crc32


def tokens(text: str) -> list[str]:
    """Folded word and emoji tokens of ``text``."""
    return _WORD.findall(normalize(text).text)


def features(text: str, buckets: int = BUCKETS) -> dict[int, float]:
    """Hashed feature counts (bucket -> value) of one raw text."""
    return features_folded(normalize(text).text, buckets)


def features_folded(folded: str, buckets: int = BUCKETS) -> dict[int, float]:
    """Hashed feature counts of an already folded text (the engine's matching view)."""
    toks = _WORD.findall(folded)
    vocab = _vocab()
    out: dict[int, float] = {}
    prev = "<s>"
    for tok in toks:
        for key in ("w:" + tok, "b:" + prev + " " + tok):
            h = _crc(key.encode()) % buckets
            out[h] = out.get(h, 0.0) + 1.0
        if len(tok) >= 5 and tok not in vocab:  # misspellings and evasions only
            padded = "<" + tok + ">"
            for i in range(len(padded) - 3):
                h = _crc(("c:" + padded[i : i + 4]).encode()) % buckets
                out[h] = out.get(h, 0.0) + 0.5
        prev = tok
    h = _crc(("b:" + prev + " </s>").encode()) % buckets
    out[h] = out.get(h, 0.0) + 1.0
    return out
