"""Result types of an assessment; plain frozen dataclasses with no dependency on the service."""

from __future__ import annotations

from dataclasses import dataclass, field

# Primary labels in precedence order (DESIGN §3).  bot.domain.Label mirrors this tuple.
LABELS: tuple[str, ...] = (
    "safeguarding",
    "personal_data",
    "hate",
    "sexual",
    "abuse",
    "spam",
    "profanity",
    "press",
    "complaint",
    "query",
    "other",
)
HIDE_LABELS: frozenset[str] = frozenset(LABELS[:7])


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a rule fired: the rule id, its label, the policy clause and a span of the original text."""

    rule: str
    label: str
    clause: str
    start: int
    end: int
    excerpt: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the rules say about one text.

    ``scores`` holds a confidence in [0, 1] for every label that any detector raised; ``label``
    is the primary label by precedence among the labels whose score reaches the review
    threshold. ``review_reasons`` are reasons a person must look whatever the label (text in a
    language the detector does not read, a borderline score).
    """

    label: str
    scores: dict[str, float]
    rules: tuple[str, ...] = ()
    policy: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    language: str = "en"
    review_reasons: tuple[str, ...] = ()
    extra_labels: tuple[str, ...] = field(default=())  # other labels that applied, by precedence
    tags: tuple[str, ...] = ()  # e.g. "staff_allegation", "about_head": routing hints for alerts
