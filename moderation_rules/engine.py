"""The rule engine: fold the text, run the detectors in order, turn hits into an Assessment.

Order matters and is fixed: word lists and patterns first (they see the folded text), then the
mitigations (a quoted slur), then personal data on the raw text (which needs to know whether a
number belongs to a journalist or an advertiser), then language and intent, which only pick
among the keep labels.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from moderation_rules.detectors.base import Context, Hit, Rule
from moderation_rules.detectors.intent import IntentResolver, LanguageDetector
from moderation_rules.detectors.lexicon import LexiconDetector
from moderation_rules.detectors.model import ModelDetector
from moderation_rules.detectors.patterns import PatternDetector, SuppressionDetector
from moderation_rules.detectors.personal_data import PersonalDataDetector
from moderation_rules.detectors.school_model import (
    MINILM_BLEND,
    TOKEN_BLEND,
    SchoolModelDetector,
    load_school_model,
)
from moderation_rules.detectors.targets import TargetDetector, load_people_groups
from moderation_rules.normalize import normalize
from moderation_rules.rulepack import load_rules
from moderation_rules.thresholds import HIDE_THRESHOLD, REVIEW_THRESHOLD
from moderation_rules.types import HIDE_LABELS, LABELS, Assessment, Evidence

__all__ = ["ENGINE_VERSION", "RuleEngine", "default_engine", "primary_label"]

ENGINE_VERSION = "rules-9"  # rules, n-gram hate model, school model with token head (mean+conv)
_PRECEDENCE = {label: i for i, label in enumerate(LABELS)}
_ABOUT_HEAD = re.compile(
    r"\b(?:the |our |your |new )?(?:head ?teacher|headmaster|headmistress|principal|"
    r"head(?! (?:boy|girl|of (?:year|department|maths|english|science)|lice)))\b"
)
_MAX_CHARS = 20_000  # longer texts are assessed on their first part; comments are far shorter
_log = logging.getLogger(__name__)


def _embedding_stage(embeddings: bool | None, school_model: bool) -> Any:
    """The optional sentence-embedding stage: the school head's second opinion for the school
    model, or None (the default).

    ``embeddings=None`` follows the ``MODBOT_EMBEDDINGS`` environment variable (unset: off);
    there a missing extra, or a missing school model (the stage's only reader), logs a warning
    and the engine runs without the stage.  An explicit ``embeddings=True`` without either
    raises.
    """
    if embeddings is False:
        return None
    from moderation_rules import embeddings as emb

    if embeddings and not school_model:
        raise ValueError("the embedding stage is read by the school model: "
                         "embeddings=True needs use_model and school_model")
    if embeddings is None:
        if not emb.enabled_by_env():
            return None
        if not school_model:
            _log.warning("MODBOT_EMBEDDINGS is set but the school model is off: running "
                         "without the embedding stage, which only the school model reads")
            return None
        if not emb.available():
            _log.warning("MODBOT_EMBEDDINGS is set but the 'embeddings' extra is not "
                         "installed: running without the embedding stage")
            return None
    elif not emb.available():
        raise RuntimeError("RuleEngine(embeddings=True) needs the 'embeddings' extra: "
                           "pip install 'academy-modbot[embeddings]'")
    return emb.SchoolSecondOpinion()


class RuleEngine:
    """Assesses one text at a time; immutable after construction, so safe to share."""

    def __init__(self, packs: list[Path] | None = None, allow_contacts: Iterable[str] = (),
                 use_model: bool = True, embeddings: bool | None = None,
                 people_groups: Iterable[Path | str] = (), school_model: bool = True,
                 token_vectors: bool | None = None) -> None:
        """``people_groups``: a school's own YAML files of non-protected groups of people, in
        the format of ``lexicons/people_groups.yaml``, added to the shipped list.
        ``school_model=False`` leaves out the school comment model (to test the rules alone).
        ``token_vectors=False`` leaves out the school model's second reader of the default
        install (``token_vectors.py``), as before round 13, for about a third more throughput;
        ``None`` follows ``MODBOT_TOKEN_VECTORS`` (unset: on; 0, false, no or off: off).  The
        embedding stage, when on, takes its place."""
        rules = load_rules(packs)
        extra_groups = tuple(people_groups)
        targets = TargetDetector(people_groups=load_people_groups(extra_groups)) \
            if extra_groups else TargetDetector()
        self.sources: tuple[str, ...] = tuple(rules.sources)
        patterns = PatternDetector(rules)
        # the two models read the words in one pass; the school model's reading is kept in the
        # context for its own detector
        school = load_school_model() if use_model and school_model else None
        # a second reading for the school model: the optional MiniLM stage when it is on,
        # otherwise MiniLM's token vectors
        second_opinion = _embedding_stage(embeddings, school is not None)
        self.embeddings: bool = second_opinion is not None
        blend_levels = MINILM_BLEND
        if token_vectors is None:
            token_vectors = os.environ.get("MODBOT_TOKEN_VECTORS", "").strip().lower() not in (
                "0", "false", "no", "off")
        if second_opinion is None and school is not None and token_vectors:
            from moderation_rules.token_vectors import TokenVectorOpinion

            second_opinion = TokenVectorOpinion(innocent_words=rules.allow_words)
            blend_levels = TOKEN_BLEND
        self.version: str = ENGINE_VERSION + ("+minilm-3" if self.embeddings else "") + (
            "" if second_opinion is not None or school is None else "-no-token-vectors")
        self.rules: tuple[Rule, ...] = (
            LexiconDetector(rules),
            patterns,
            targets,
            # caps (quoted, reported or negated language) before the models read the scores: a
            # rule hit that a cap will silence must not make the school model stand aside as
            # if the rules already hid the comment
            SuppressionDetector(patterns),
            *((ModelDetector(targets.protected_tokens, targets=targets, school=school),)
              if use_model else ()),
            *((SchoolModelDetector(school, group_words=targets.protected_tokens,
                                   targets=targets, second_opinion=second_opinion,
                                   blend_levels=blend_levels),)
              if school is not None else ()),
            PersonalDataDetector(allow_contacts),
            LanguageDetector(),
            IntentResolver(),
        )

    def assess(self, text: str, platform: str | None = None) -> Assessment:
        """Label ``text`` with scores, fired rules, policy clauses and evidence spans."""
        text = (text or "")[:_MAX_CHARS]
        ctx = Context(text=text, platform=platform, norm=normalize(text))
        for rule in self.rules:
            rule(ctx)
        return _assessment(ctx)


def primary_label(raised: list[str], scores: dict[str, float]) -> str:
    """The primary label of DESIGN §3: by precedence among the labels that apply.

    A label at hide level applies; one at review level only may.  So where some label is at
    hide level, the primary label is the first of those by precedence ("hate" at review level
    does not keep a comment up that an abuse rule hides), except that a possible safeguarding
    concern always stays primary: the DSL is alerted, and the comment is hidden all the same
    (:func:`moderation_rules.thresholds.action_for`)."""
    if not raised:
        return "other"
    if raised[0] == "safeguarding":
        return "safeguarding"
    hiding = [lab for lab in raised if lab in HIDE_LABELS and scores[lab] >= HIDE_THRESHOLD]
    return hiding[0] if hiding else raised[0]


def _assessment(ctx: Context) -> Assessment:
    scores = ctx.scores()
    raised = [lab for lab in LABELS if scores.get(lab, 0.0) >= REVIEW_THRESHOLD]
    label = primary_label(raised, scores)
    kept: list[Hit] = sorted(
        (h for h in ctx.hits if h.label in raised and h.end > h.start),
        key=lambda h: (_PRECEDENCE[h.label], -h.score, h.start),
    )
    evidence: list[Evidence] = []
    seen: set[tuple[str, int, int]] = set()
    for h in kept:
        key = (h.rule, h.start, h.end)
        if key not in seen:
            seen.add(key)
            evidence.append(Evidence(h.rule, h.label, h.clause, h.start, h.end,
                                     ctx.text[h.start : h.end]))
    policy = tuple(dict.fromkeys(h.clause for h in kept))
    if not policy and label in ("query", "complaint", "other"):
        policy = ("P-RESPOND",)
    tags: list[str] = []
    if label == "safeguarding":
        for h in ctx.hits:
            if h.label == "safeguarding":
                tags.extend(h.tags)
        if "staff_allegation" in tags and _ABOUT_HEAD.search(ctx.norm.text):
            tags.append("about_head")
    rules = tuple(dict.fromkeys([h.rule for h in ctx.hits] + ctx.suppressed_by))
    return Assessment(
        label=label,
        scores=scores,
        rules=rules,
        policy=policy,
        evidence=tuple(evidence),
        language=ctx.language,
        review_reasons=tuple(dict.fromkeys(ctx.review_reasons)),
        extra_labels=tuple(lab for lab in raised if lab != label),
        tags=tuple(dict.fromkeys(tags)),
    )


@lru_cache(maxsize=1)
def default_engine() -> RuleEngine:
    """The engine with the shipped packs and no academy contacts (built once per process)."""
    return RuleEngine()
