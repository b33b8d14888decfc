"""BERT's uncased WordPiece tokenizer in pure Python, for the default install's token vectors.

all-MiniLM-L6-v2 reads text through ``bert-base-uncased``'s tokenizer.  The optional
embedding stage runs it through the ``tokenizers`` library; the default install has no such
dependency, so this module does the same steps with the standard library:

1. clean: drop NUL, U+FFFD and control and format characters (tab, newline and carriage
   return are whitespace), turn whitespace into spaces, put spaces around CJK ideographs;
2. strip accents (NFD, then drop combining marks) and lower-case;
3. split on whitespace, and split every punctuation character off as its own word (ASCII
   symbols such as ``$``, ``+`` and ``|`` count as punctuation, as in BERT);
4. WordPiece: the longest vocabulary entry from the start of the word, then the longest
   ``##`` continuation, and so on; a word that cannot be covered, or of more than 100
   characters, is ``[UNK]``.

Each character is mapped on its own, as ``tokenizers`` does (so a final capital sigma becomes
"σ", not "ς"), through a translation table filled in as characters are first seen.  On the
78,000 training texts (raw and folded) it gives the same ids as ``tokenizers`` 0.23, which
cuts a text at 256 word pieces where this tokenizer does not.  The two read Unicode from
different versions of its tables, so a few hundred rare characters (a combining mark or a
format character new in Unicode 14, say) are classed differently; after the engine's folding
none of the training texts holds one.  Characters newer than Python's tables (an emoji added
after Unicode 14) are kept and become ``[UNK]``, as ``tokenizers`` does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["WordPieceTokenizer"]

_MAX_WORD_CHARS = 100
_KEEP_CONTROLS = frozenset("\t\n\r")  # whitespace to BERT, not control characters
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co"})


def _is_cjk(cp: int) -> bool:
    """A CJK Unified Ideograph (BERT splits them one character to a word)."""
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


class _CharMap(dict[int, str]):
    """Steps 1 to 3 for one character at a time, as a ``str.translate`` table filled in as
    characters are first seen: dropped, a space, the character between spaces (CJK and
    punctuation, which BERT makes words of their own), or the character without its accents
    and in lower case."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if cp == 0 or cp == 0xFFFD or (
                ch not in _KEEP_CONTROLS and unicodedata.category(ch) in _DROP_CATEGORIES):
            out = ""
        elif ch.isspace():
            out = " "
        else:
            # BERT pads CJK first, then strips accents and lower-cases, then splits off
            # punctuation: "≠" (= and a combining stroke) becomes "="
            kept = "".join(c for c in unicodedata.normalize("NFD", ch)
                           if unicodedata.category(c) != "Mn").lower()
            out = "".join(f" {c} " if _is_punctuation(c) else c for c in kept)
            if _is_cjk(cp):
                out = f" {out} "
        self[cp] = out
        return out


class WordPieceTokenizer:
    """Token ids of a text under a BERT uncased vocabulary (one token per line, id = line)."""

    def __init__(self, vocab: Sequence[str], unk: str = "[UNK]") -> None:
        self.ids: dict[str, int] = {token: i for i, token in enumerate(vocab)}
        if unk not in self.ids:
            raise ValueError(f"vocabulary has no {unk!r} token")
        self.unk = self.ids[unk]
        self.word_ids = lru_cache(maxsize=65536)(self._word_ids)
        self._chars = _CharMap()

    def words(self, text: str) -> list[str]:
        """Steps 1 to 3: the cleaned, lower-cased words and punctuation marks."""
        return text.translate(self._chars).split()

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """Step 4 for one word (cached: comments share most of their words)."""
        if len(word) > _MAX_WORD_CHARS:
            return (self.unk,)
        ids: list[int] = []
        start = 0
        vocab = self.ids
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            ids.append(found)
            start = end
        return tuple(ids)

    def encode(self, text: str, skip: frozenset[str] = frozenset()) -> list[int]:
        """The token ids of ``text``, without ``[CLS]`` and ``[SEP]``, leaving out the words
        in ``skip``."""
        words = self.words(text)
        if skip:
            words = [w for w in words if w not in skip]
        return [i for word in words for i in self.word_ids(word)]
