"""Record target hits as evidence, mapping repaired-text spans back to the folded text.

The rules match on the *repaired* text (slips fixed, words split: see
:mod:`~moderation_rules.detectors.targets.spelling_repair`); ``index`` maps each repaired
character to its folded one ([] when nothing was repaired), and the context maps folded
spans to the original text, so evidence quotes what the author wrote.
"""

from __future__ import annotations

import re

from moderation_rules.detectors.base import Context

__all__ = ["add_evidence", "only_within", "to_folded"]


def to_folded(index: list[int], start: int, end: int) -> tuple[int, int]:
    """A span of the repaired text as a span of the folded text."""
    if index:
        start, end = index[start], index[max(start, end - 1)] + 1
    return start, end


def add_evidence(ctx: Context, index: list[int], rid: str, label: str, clause: str,
                 score: float, m: re.Match[str]) -> None:
    """Add a hit for match ``m`` unless it lies in an allow-listed phrase."""
    start, end = to_folded(index, *m.span())
    if ctx.is_allowed(start, end):
        return
    ctx.add_norm(rid, label, clause, score, start, end)


def only_within(ctx: Context, index: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether every abuse hit so far lies inside one of the (defused) repaired spans."""
    orig: list[tuple[int, int]] = []
    for a, b in spans:
        orig.append(ctx.norm.span(*to_folded(index, a, b)))
    for h in ctx.hits:
        if h.label == "abuse" and h.end > h.start and \
                not any(a <= h.start and h.end <= b for a, b in orig):
            return False
    return True
