"""Default score thresholds shared by the engine, the evaluation and the service's decisions.

A clear rule hit scores at least 0.9 and a weak or ambiguous one about 0.6, so 0.8 separates
"act now" from "a person should look" and 0.5 separates "look" from "ignore".
"""

from __future__ import annotations

from typing import Mapping

from moderation_rules.types import HIDE_LABELS

__all__ = ["HIDE_THRESHOLD", "REVIEW_THRESHOLD", "action_for"]

HIDE_THRESHOLD: float = 0.8
REVIEW_THRESHOLD: float = 0.5


def action_for(
    label: str,
    scores: Mapping[str, float],
    hide: float = HIDE_THRESHOLD,
    review: float = REVIEW_THRESHOLD,
) -> str:
    """The enforce-mode outcome of a primary label: "hide", "review" or "keep".

    A possible safeguarding concern (review level) is the primary label even where another
    label hides the comment: the DSL is alerted and the comment is hidden."""
    if label not in HIDE_LABELS:
        return "keep"
    score = scores.get(label, 0.0)
    if score >= hide:
        return "hide"
    if label == "safeguarding" and any(scores.get(other, 0.0) >= hide for other in HIDE_LABELS):
        return "hide"
    if score >= review:
        return "review"
    return "keep"
