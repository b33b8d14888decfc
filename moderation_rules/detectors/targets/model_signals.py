"""Regexes the statistical detectors borrow to check a model-only "hate" reading.

:class:`~moderation_rules.detectors.model.ModelDetector` and the optional embedding stage only
lift a model's hate score when the text also holds a negative predicate that is not negated
or reported; they read these (plus ``negation_rx`` and ``reporting_rx``) off the detector.
"""

from __future__ import annotations

import re

from moderation_rules.detectors.targets.lexicon import TargetWords
from moderation_rules.detectors.targets.phrase_regex import alt

__all__ = ["negated_positive_rx", "negative_predicate_rx"]


def negative_predicate_rx(w: TargetWords) -> re.Pattern[str]:
    """Any negative predicate or attribute at all (for lifting a model-only hate signal)."""
    predicates = (w.strong + w.harsh + w.hate_verbs + w.threats + w.exclusion + w.passive
                  + w.negative_attributes)
    return re.compile(rf"\b{alt(predicates)}\b")


def negated_positive_rx(w: TargetWords) -> re.Pattern[str]:
    """A negated compliment ("X are never any good", "X can't be trusted")."""
    return re.compile(
        rf"\b(?:not|never|n't|no\s+longer|hardly\s+ever|cannot|cant|wont|arent|isnt)\s+"
        rf"(?:be\s+|been\s+|ever\s+|really\s+|truly\s+|even\s+|as\s+|a\s+|an\s+)*"
        rf"{alt(w.positive)}\b")
