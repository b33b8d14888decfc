"""Emoji spelled out as words for the matching view (``lexicons/emoji.yaml``).

"they are all 🐀", "I'll 🔪 you" and "🏳️‍🌈 people are 🤮" carry the same attack as the words they
stand for.  :func:`emoji_at` finds the emoji (or emoji sequence) starting at a position of the
original text and returns the words to put in its place, so one set of rules reads both.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["EmojiWords", "emoji_at", "load_emoji_words"]

# Drawn with the emoji before them and meaning nothing on their own in the matching view.
_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
_DARK_TONES = ("\U0001f3fe", "\U0001f3ff")
# "🏳️‍🌈 people": the emoji's own noun is dropped when the author wrote one after it
_NOUN_AFTER = re.compile(r"\s*(?:people|persons?|men|women|man|woman|folks?|kids|boys|girls|"
                         r"children|couples?|families|pupils|students)\b", re.IGNORECASE)


class EmojiWords:
    """The emoji lexicon compiled into one longest-first regex."""

    def __init__(self, doc: dict[str, dict[str, str]]) -> None:
        table: dict[str, str] = {}  # emoji -> what the matching view reads in its place
        for key, words in (doc.get("words") or {}).items():
            table[key] = f" {words} "
        for key, letter in (doc.get("letters") or {}).items():
            table[key] = str(letter)  # inside a word: no spaces
        for key, words in (doc.get("sequences") or {}).items():
            table[key] = f" {words} "
        for key, word in (doc.get("people") or {}).items():
            for tone in _DARK_TONES:
                table[key + tone] = f" black {word} "
        self.table = table
        keys = sorted(table, key=len, reverse=True)
        # group 1 is the emoji as listed; selectors and skin tones after it are read as nothing
        self._rx = re.compile(
            "(" + "|".join(re.escape(k) for k in keys) + f")[{_MODIFIERS}]*") if keys else None
        self.first_chars = frozenset(k[0] for k in keys)

    def at(self, text: str, i: int) -> tuple[str, int] | None:
        """The words for the emoji starting at ``text[i]`` and the index just after it."""
        if self._rx is None or text[i] not in self.first_chars:
            return None
        m = self._rx.match(text, i)
        if m is None:
            return None
        words = self.table[m.group(1)]
        if words.count(" ") == 3 and _NOUN_AFTER.match(text, m.end()):
            words = words[: words.index(" ", 1) + 1]
        return words, m.end()


@lru_cache(maxsize=1)
def load_emoji_words() -> EmojiWords:
    """The shipped emoji lexicon (read once per process)."""
    path = resources.files("moderation_rules") / "lexicons" / "emoji.yaml"
    return EmojiWords(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def emoji_at(text: str, i: int) -> tuple[str, int] | None:
    """Words for an emoji at ``text[i]`` (see :meth:`EmojiWords.at`), or None."""
    return load_emoji_words().at(text, i)
