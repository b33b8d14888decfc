"""The matching view: the folded text every word and pattern rule reads, with its span map.

:func:`normalize` runs the repairs in a fixed order (each one sees the previous one's output):
fold characters, leetspeak, wildcards, dotted chains, spaced letters, stretched letters,
slips in a group's name, words run together.
:class:`Normalized` maps every folded character back to the original, so evidence always
quotes what the author actually wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation_rules.normalize.characters import fold_text
from moderation_rules.normalize.group_spelling import join_split_group_names, repair_group_slips
from moderation_rules.normalize.joining import rejoin_chains, rejoin_spaced, split_glued
from moderation_rules.normalize.leetspeak import fill_wildcards, repair_leet
from moderation_rules.normalize.stretching import collapse_runs

__all__ = ["Normalized", "normalize"]


@dataclass(frozen=True, slots=True)
class Normalized:
    """The folded matching view of a text with a map from each folded character to the original.

    ``starts[i]``/``ends[i]`` give the original span of folded character ``i``.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the folded text to the original text."""
        if not self.text or end <= start:
            return (0, 0)
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return (self.starts[start], self.ends[end - 1])

    def excerpt(self, start: int, end: int) -> str:
        """The original text behind a folded span."""
        a, b = self.span(start, end)
        return self.original[a:b]


def normalize(text: str) -> Normalized:
    """Fold ``text`` into the matching view (lower case, Latin look-alikes, leet, joined
    letters)."""
    chars, starts, ends = fold_text(text)
    repair_leet(chars)
    fill_wildcards(chars)
    rejoin_chains(chars, starts, ends)
    rejoin_spaced(chars, starts, ends, text)
    collapse_runs(chars, starts, ends)
    join_split_group_names(chars, starts, ends, text)
    repair_group_slips(chars, starts, ends)
    split_glued(chars, starts, ends)
    while chars and chars[-1] == " ":
        chars.pop()
        starts.pop()
        ends.pop()
    while chars and chars[0] == " ":
        del chars[0], starts[0], ends[0]
    return Normalized(text, "".join(chars), tuple(starts), tuple(ends))
