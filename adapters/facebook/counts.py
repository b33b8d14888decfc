"""Finding new comments on quiet old posts by their comment counts (Pages and Instagram).

Graph lists comments per post, so a poll reads only recent posts; a comment on an old post is
found when its webhook arrives, or, if that webhook was lost, when the post's comment count
(stored in the cursor) changes at the next recount.  Both Graph pollers share this mechanism.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool): what a stored cursor value must be."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def read_counts(cursor: Mapping[str, Any]) -> tuple[dict[str, int], float | None]:
    """Per-post comment counts and when they were last all compared, dropping junk.

    A cursor from before counts were kept has neither: its next poll is a first count.
    """
    if not isinstance(cursor, Mapping):
        return {}, None
    counts = cursor.get("counts")
    at = cursor.get("counted_at")
    found = (
        {str(k): int(v) for k, v in counts.items() if is_number(v)}
        if isinstance(counts, Mapping) else {}
    )
    return found, float(at) if is_number(at) else None


def recount_due(counted_at: float | None, now: float, interval: float) -> bool:
    """Whether this poll compares counts; a last recount "in the future" (the clock went
    back) must not put recounts off."""
    return counted_at is None or not 0 <= now - counted_at < interval


def changed_posts(
    listed: Mapping[str, int | None], counts: Mapping[str, int], reading: Iterable[str],
    counted_at: float | None,
) -> list[str]:
    """Posts not already being read whose count differs from the stored one.

    The first count (``counted_at`` is None) only notes the counts: it finds nothing.
    """
    if counted_at is None:
        return []
    skip = set(reading)
    return [post for post, now_count in listed.items()
            if post not in skip and counts.get(post) is not None
            and now_count not in (None, counts[post])]


def next_counts(
    counts: Mapping[str, int], listed: Mapping[str, int | None], recount: bool
) -> dict[str, int]:
    """The counts to store: a recount forgets posts no longer listed (deleted, or older than
    the count horizon); a post Graph gave no number for keeps its stored count."""
    kept = {k: v for k, v in counts.items() if k in listed} if recount else dict(counts)
    kept.update({k: n for k, n in listed.items() if n is not None})
    return kept
