"""The state one assessment passes through its rules: the folded text and the hits so far.

Rules are small callables ``rule(ctx) -> None`` run in order; later rules (personal data,
intent) read what earlier ones found, e.g. a phone number in a journalist's request is a work
contact, not a private person's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from moderation_rules.normalize import Normalized

__all__ = ["Hit", "Context", "Rule", "noisy_or"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule firing: the label it supports, how strongly, and where in the ORIGINAL text."""

    rule: str
    label: str
    clause: str
    score: float
    start: int
    end: int
    tags: tuple[str, ...] = ()
    key: str = ""  # evidence identity for scoring; defaults to the rule id


def noisy_or(values: list[float]) -> float:
    """Combine independent pieces of evidence: 1 - prod(1 - v)."""
    rest = 1.0
    for v in values:
        rest *= 1.0 - v
    return 1.0 - rest


@dataclass(slots=True)
class Context:
    """Mutable working state of one assessment."""

    text: str
    platform: str | None
    norm: Normalized
    hits: list[Hit] = field(default_factory=list)
    caps: dict[str, float] = field(default_factory=dict)
    suppressed_by: list[str] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    model_probs: dict[str, float] = field(default_factory=dict)  # statistical model output
    # the school model's probabilities, when the hate model's pass over the words read them too
    school_probs: dict[str, float] | None = None
    language: str = "en"
    allowed: list[tuple[int, int]] = field(default_factory=list)  # folded spans never matched
    # set by the target detector: the attack it found is on a person or a group that is not a
    # protected characteristic, and no protected group is named, so model "hate" is not hate
    nonprotected_target: bool = False
    # the rule packs' prefilter candidates (scanner id -> positions), found once by the
    # pattern detector and read again by the suppressions
    candidates: dict[int, list[int]] | None = None
    # the best score of each piece of evidence per label, as far as ``_indexed`` hits go
    _best: dict[str, dict[str, float]] = field(default_factory=dict, init=False, repr=False)
    _indexed: int = field(default=0, init=False, repr=False)
    # label -> noisy-or of its best evidence (before caps), dropped when that evidence changes
    _combined: dict[str, float] = field(default_factory=dict, init=False, repr=False)

    def add(self, rule: str, label: str, clause: str, score: float, start: int, end: int,
            tags: tuple[str, ...] = (), key: str = "") -> None:
        """Record a hit whose span is already in original-text coordinates."""
        self.hits.append(Hit(rule, label, clause, score, start, end, tags, key or rule))

    def add_norm(self, rule: str, label: str, clause: str, score: float, start: int, end: int,
                 tags: tuple[str, ...] = (), key: str = "") -> None:
        """Record a hit whose span is in folded-text coordinates."""
        a, b = self.norm.span(start, end)
        self.hits.append(Hit(rule, label, clause, score, a, b, tags, key or rule))

    def is_allowed(self, start: int, end: int) -> bool:
        """Whether a folded span lies inside an allow-listed phrase."""
        return any(a <= start and end <= b for a, b in self.allowed)

    def only_models_say(self, label: str) -> bool:
        """Whether ``label`` has evidence and all of it comes from statistical models."""
        rules = [h.rule for h in self.hits if h.label == label]
        return bool(rules) and all(r.startswith("model.") for r in rules)

    def _best_evidence(self) -> dict[str, dict[str, float]]:
        """Label -> evidence key -> its best score, brought up to date with the hits (which
        are only ever appended, so each is read once)."""
        hits = self.hits
        if self._indexed < len(hits):
            best = self._best
            combined = self._combined
            for h in hits[self._indexed:]:
                per = best.setdefault(h.label, {})
                key = h.key or h.rule
                if h.score > per.get(key, 0.0):
                    per[key] = h.score
                    combined.pop(h.label, None)
            self._indexed = len(hits)
        return self._best

    def score(self, label: str) -> float:
        """Current score of a label: noisy-or over distinct evidence, each at its best, capped."""
        best = self._best_evidence().get(label)
        value = self._combined.get(label)
        if value is None:
            value = self._combined[label] = noisy_or(list(best.values())) if best else 0.0
        return min(value, self.caps.get(label, 1.0))

    def scores(self) -> dict[str, float]:
        """Scores of every label any rule raised, rounded for display."""
        labels = dict.fromkeys(h.label for h in self.hits)
        return {label: round(self.score(label), 3) for label in labels}


class Rule(Protocol):
    """A detector step: reads the context and appends hits."""

    def __call__(self, ctx: Context) -> None: ...
