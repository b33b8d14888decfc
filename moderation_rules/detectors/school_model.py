"""The school comment model as a rule: what the lexicons miss goes to a person.

``model/school.json`` (trained by ``model/train_school.py`` on comments written in the voice
of UK school accounts) gives a probability for each of the eleven labels.  It turns into
evidence only where the rules said less, at levels chosen from its 5-fold cross-validated
precision (the table is in the model file, ``cross_validation``):

* the model never hides on its own: its evidence is review-level (0.55 at p >= 0.5, CV
  precision 0.90-0.98; 0.7 at p >= 0.7, CV precision 0.97-0.99).  Rule and model evidence
  combine by noisy-or, so a rule hit of its own (0.34 or more) and a confident model together
  hide.  Cross-validation reads comments like the ones it learnt from; on hard look-alikes
  written to trip the rules ("my mum said she'd kill me if I didn't tidy my room") it is
  wrong more often, which is why a person decides;
* safeguarding is recall first: p >= 0.4 labels the comment safeguarding at review level
  (0.6, the DSL is alerted; CV precision 0.90, recall 0.66), p >= 0.7 at 0.7.  Of 89 hard
  look-alikes in ``tests/test_rules_safeguarding_kinds.py`` the model sends 9 to review; of
  its 100 written disclosures, grooming offers, missing children and threats it flags 56;
* press, complaint and query at p >= 0.5 (query 0.6) set the label when the rules found no
  intent, so the ticket and the reply fit the comment;
* on a comment the rules already hide, the model only strengthens labels the rules raised: a
  new review-level label of higher precedence would only take the hide away;
* abuse, hate and profanity are never added to a comment the rules read as a complaint (a
  furious complaint stays a complaint), and hate never where the rules found the attack aimed
  at a person or a group that is not protected, nor in a text naming no protected group.
"""

from __future__ import annotations

import re

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.model import HashedModel, load_shipped
from moderation_rules.thresholds import HIDE_THRESHOLD, REVIEW_THRESHOLD
from moderation_rules.types import HIDE_LABELS

__all__ = ["SchoolModelDetector", "load_school_model"]

_HARMFUL = ("personal_data", "hate", "sexual", "abuse", "spam", "profanity")
_NOT_ON_COMPLAINTS = frozenset({"abuse", "hate", "profanity"})
# label -> (probability, score) steps, highest first
_STEPS: dict[str, tuple[tuple[float, float], ...]] = {
    **{label: ((0.7, 0.7), (0.5, 0.55)) for label in _HARMFUL},
    "safeguarding": ((0.7, 0.7), (0.4, 0.6)),
    "press": ((0.5, 0.6),),
    "complaint": ((0.5, 0.55),),
    "query": ((0.6, 0.55),),
}
_CLAUSE = {"safeguarding": "P-SAFEGUARD", "personal_data": "P-PERSONAL", "hate": "P-PROTECTED",
           "sexual": "P-ABUSE", "abuse": "P-DEFAME", "spam": "P-SOLICIT", "profanity": "P-ABUSE",
           "press": "P-PRESS", "complaint": "P-RESPOND", "query": "P-RESPOND"}


def load_school_model() -> HashedModel:
    """The shipped school comment model."""
    return load_shipped("school.json")


class SchoolModelDetector:
    """Adds ``model.school.<label>`` evidence where the rules said less than the model."""

    def __init__(self, model: HashedModel | None = None,
                 group_words: frozenset[str] | None = None) -> None:
        """``group_words``: words naming a protected group; without one, no hate evidence."""
        self.model = model or load_school_model()
        self._groups = group_words

    def __call__(self, ctx: Context) -> None:
        folded = ctx.norm.text
        if len(folded) < 3:
            return
        # the rules already hide it: the model may strengthen a label the rules raised, but a
        # new review-level label of higher precedence would only take the hide away
        now = {label: ctx.score(label) for label in {h.label for h in ctx.hits}}
        hiding = any(now[label] >= HIDE_THRESHOLD for label in now if label in HIDE_LABELS)
        if hiding and not any(REVIEW_THRESHOLD <= now[label] < HIDE_THRESHOLD
                              for label in now if label in HIDE_LABELS):
            return
        probs = self.model.predict_folded(folded)
        complaint = now.get("complaint", 0.0) >= 0.5
        for label, steps in _STEPS.items():
            p = probs.get(label, 0.0)
            score = next((s for t, s in steps if p >= t), 0.0)
            current = now.get(label, 0.0)
            if not score or current >= score or (hiding and current < REVIEW_THRESHOLD):
                continue
            if label in _NOT_ON_COMPLAINTS and complaint:
                continue
            if label == "hate" and (ctx.nonprotected_target or (
                    self._groups is not None
                    and self._groups.isdisjoint(re.findall(r"[a-z]+", folded)))):
                continue
            ctx.add(f"model.school.{label}", label, _CLAUSE[label], score, 0, 0)
