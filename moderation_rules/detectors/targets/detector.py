"""The target detector: runs the hate and abuse rules over one folded text.

Order of work, per text: fill '*' wildcards and repair slipped spellings; index where each
rule's lead words occur; try the protected-group (hate) rules, then, only if no hate was found
and no attack was defused as counter-speech, the rules about people and non-protected groups
(abuse).  The first shape that holds is the evidence; a defused one caps the scores instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.targets.counter_speech import (
    NEGATION,
    QUOTED_REPORT,
    CounterSpeech,
    called_by_speaker,
)
from moderation_rules.detectors.targets.evidence import add_evidence, only_within, to_folded
from moderation_rules.detectors.targets.hate_rules import HateRules
from moderation_rules.detectors.targets.insult_rules import about_conduct, insult_rules
from moderation_rules.detectors.targets.lexicon import (
    TargetWords,
    load_people_groups,
    load_target_lexicon,
)
from moderation_rules.detectors.targets.model_signals import (
    negated_positive_rx,
    negative_predicate_rx,
)
from moderation_rules.detectors.targets.people_targets import PeopleTargets
from moderation_rules.detectors.targets.spelling_repair import (
    TOKEN,
    TokenRepairer,
    fill_stars,
    repair_tokens,
    star_words,
)
from moderation_rules.detectors.targets.threat_rules import (
    against_school_community,
    is_figurative,
    is_violent,
    threat_rules,
)

__all__ = ["TargetDetector"]

# The people rules in the order they are tried: threats before insults, so a threat is the
# evidence (and reaches safeguarding) when a text holds both.
_PEOPLE_RULE_ORDER = (
    "target.person_threat", "target.person_harm", "target.person_wish",
    "target.person_death_to", "target.you_strong", "target.person_strong",
    "target.person_contempt", "target.person_called", "target.person_hate",
    "target.you_threat", "target.person_harsh", "target.you_harm",
)
# Caps on the scores when the only attack-shaped clause is counter-speech.
_COUNTER_SPEECH_CAP = 0.45


class TargetDetector:
    """Target + predicate shapes for hate (protected groups) and abuse (people)."""

    def __init__(self, lexicon: dict[str, Any] | None = None, known_words: Iterable[str] = (),
                 people_groups: Iterable[dict[str, Any]] | None = None) -> None:
        """``people_groups``: non-protected groups (default: ``load_people_groups()``)."""
        lex = lexicon or load_target_lexicon()
        pgroups = list(load_people_groups() if people_groups is None else people_groups)
        w = TargetWords.from_lexicon(lex, pgroups)
        self.clause_hate = w.clause_hate
        self.clause_abuse = w.clause_abuse
        self.clause_threat = w.clause_threat
        self._repair = TokenRepairer.for_lexicon(w, known_words)
        self._star_words = star_words(w)
        # --- protected groups -------------------------------------------------------------
        hate = HateRules.build(w)
        self._hate_rx = hate.direct
        self._ref_rx = hate.reference
        self._group_words = hate.group_words  # cheap gate: no group word, no hate rule
        self.group_words = self._group_words
        self._protected_tokens = hate.protected_tokens
        self.protected_tokens = hate.protected_tokens  # words naming a protected group alone
        # --- people and non-protected groups ------------------------------------------------
        who = PeopleTargets.build(w)
        self._who = who
        self._people_words = who.words        # cheap gate: no people word, no abuse rule
        self._roles = who.roles
        by_id = {r.rule_id: r for r in threat_rules(w, who) + insult_rules(w, who)}
        people_rules = tuple(by_id[rid] for rid in _PEOPLE_RULE_ORDER)
        self._threat_rx = by_id["target.person_threat"].pattern
        self._harm_rx = by_id["target.person_harm"].pattern
        self._you_rx = by_id["target.you_threat"].pattern
        # --- where each rule may start ------------------------------------------------------
        lead = dict(hate.lead)
        lead.update((r.rule_id, r.lead) for r in people_rules)
        self._lead = lead
        # rules with the same lead words share one position list (each text is indexed once)
        key_of_set: dict[frozenset[str], str] = {}
        self._key: dict[str, str] = {}
        for rid, words in lead.items():
            self._key[rid] = key_of_set.setdefault(frozenset(words), rid)
        # word -> the position lists it belongs to
        self._lead_of: dict[str, tuple[str, ...]] = {}
        for words, key in key_of_set.items():
            for word in words:
                self._lead_of[word] = self._lead_of.get(word, ()) + (key,)
        # a word the predicate needs: rules without one in the text are skipped (speed only)
        self._needs = {r.rule_id: r.needs for r in people_rules}
        self._abuse_plan = tuple((r.rule_id, r.score, r.pattern, self._key[r.rule_id], r.needs)
                                 for r in people_rules)
        # --- counter-speech, and the signals other detectors borrow -------------------------
        self._counter = CounterSpeech(w.reporting)
        self.reporting_rx = self._counter.reporting_rx
        self.negative_rx = negative_predicate_rx(w)
        self.negation_rx = NEGATION
        self.negated_positive_rx = negated_positive_rx(w)

    # ------------------------------------------------------------------------------------
    def __call__(self, ctx: Context) -> None:
        folded = ctx.norm.text
        if not folded:
            return
        text, index = repair_tokens(fill_stars(folded, self._star_words), self._repair)
        harmless = self._counter.harmless
        lead_of = self._lead_of
        tokens: set[str] = set()
        at: dict[str, list[int]] = {}  # rule id -> positions of its lead words, in order
        for t in TOKEN.finditer(text):
            w = t.group()
            tokens.add(w)
            rids = lead_of.get(w)
            if rids:
                pos = t.start()
                for rid in rids:
                    if rid in at:
                        at[rid].append(pos)
                    else:
                        at[rid] = [pos]
        has_group = not self._group_words.isdisjoint(tokens)
        hate_text = text
        hate_tokens: set[str] | frozenset[str] = tokens
        roles = self._roles
        if has_group and roles.rx is not None and not roles.words.isdisjoint(tokens):
            # "dinner ladies", "year 9 girls": the role is the target, not the protected word
            hate_text = roles.mask(text)
            if hate_text is not text:
                hate_tokens = set(TOKEN.findall(hate_text))
                has_group = not self._group_words.isdisjoint(hate_tokens)
        found_hate = False
        defused = False
        if has_group:
            # every direct rule may add its first real match; the pronoun rules only count
            # when no direct rule did, and the first of them that matches is enough
            found_hate, defused = self._hate_matches(
                ctx, index, self._hate_rx, 0.92, hate_text, at, first_only=False)
            if not found_hate:
                found_hate, defused_ref = self._hate_matches(
                    ctx, index, self._ref_rx, 0.9, hate_text, at, first_only=True)
                defused = defused or defused_ref
        if not found_hate and QUOTED_REPORT.search(text):
            defused = True
        if defused and not found_hate:
            # the only attack-shaped clause is negated, quoted or reported: counter-speech
            ctx.suppressed_by.append("target.counter_speech")
            for label in ("hate", "abuse"):
                ctx.caps[label] = min(ctx.caps.get(label, 1.0), _COUNTER_SPEECH_CAP)
            if self._key["target.person_threat"] in at:
                # a quoted or reported threat against the school community still goes to the
                # DSL (safeguarding is never capped here); a negated one does not
                for m in self._find(self._threat_rx, "target.person_threat", text, at):
                    if harmless(text, m, "target.person_threat") is not True \
                            and not is_figurative(text, m, self._threat_rx, self._harm_rx):
                        self._school_threat(ctx, index, m)
            return
        if found_hate or self._people_words.isdisjoint(tokens):
            return
        found_abuse = False
        defused_spans: list[tuple[int, int]] = []
        words = tokens | {w.split("'", 1)[0] for w in tokens if "'" in w} \
            if "'" in text else tokens
        for rid, score, rx, key, need in self._abuse_plan:
            if key not in at or need.isdisjoint(words):
                continue
            for m in self._find(rx, rid, text, at):
                if rid == "target.person_called" and not called_by_speaker(text, m.start()):
                    # "he called the dinner ladies animals" reports what someone else said
                    defused_spans.append(m.span())
                    continue
                if is_figurative(text, m, self._threat_rx, self._harm_rx, self._you_rx):
                    continue
                reason = harmless(text, m, rid)
                if reason:
                    defused_spans.append(m.span())
                    if reason == "reported" and rid == "target.person_threat":
                        self._school_threat(ctx, index, m)  # reported, still the DSL's concern
                    continue
                self._add_abuse(ctx, index, rid, score, m, text)
                found_abuse = True
                break
        protected = not self._protected_tokens.isdisjoint(hate_tokens)
        if found_abuse:
            if not protected:
                # the target is a person or a group that is not protected: the model's "hate"
                # reading of the same words is not hate (ModelDetector reads this flag)
                ctx.nonprotected_target = True
        elif defused_spans and only_within(ctx, index, defused_spans):
            # "teachers are not scum": the only attack on people is negated or reported
            ctx.suppressed_by.append("target.counter_speech")
            labels = ("abuse",) if protected else ("hate", "abuse")
            for label in labels:
                ctx.caps[label] = min(ctx.caps.get(label, 1.0), _COUNTER_SPEECH_CAP)

    # ------------------------------------------------------------------------------------
    def _hate_matches(self, ctx: Context, index: list[int],
                      rules: Iterable[tuple[str, re.Pattern[str]]], score: float, text: str,
                      at: dict[str, list[int]], first_only: bool) -> tuple[bool, bool]:
        """Add hate evidence for the first real match of each rule (of the first rule that has
        one when ``first_only``); returns (found, a match was defused as counter-speech)."""
        found = defused = False
        for rid, rx in rules:
            if self._key[rid] not in at:
                continue
            for m in self._find(rx, rid, text, at):
                if self._counter.harmless(text, m, rid):
                    defused = True
                    continue
                add_evidence(ctx, index, rid, "hate", self.clause_hate, score, m)
                found = True
                break
            if found and first_only:
                break
        return found, defused

    def _find(self, rx: re.Pattern[str], rid: str, text: str,
              at: dict[str, list[int]]) -> Iterator[re.Match[str]]:
        """Matches of ``rx`` that begin at a word in the rule's lead set, in text order.

        ``at`` maps each rule id to the positions of its lead words in ``text``."""
        after = -1
        for pos in at.get(self._key[rid], ()):
            if pos < after:
                continue
            m = rx.match(text, pos)
            if m:
                yield m
                after = m.end()

    def _add_abuse(self, ctx: Context, index: list[int], rid: str, score: float,
                   m: re.Match[str], text: str) -> None:
        """Abuse evidence citing the threat clause, the group entry's clause or P-DEFAME."""
        who = m.groupdict().get("who") or ""
        entry = self._who.entry(who) if who else None
        if is_violent(rid):
            clause = self.clause_threat
        else:
            clause = entry[0] if entry else self.clause_abuse
        if rid == "target.person_hate" and entry and about_conduct(text, m.end()):
            score = 0.6  # "I can't stand parents who park on the zig-zags": about conduct
        add_evidence(ctx, index, rid, "abuse", clause, score, m)
        if rid == "target.person_threat":
            self._school_threat(ctx, index, m)

    def _school_threat(self, ctx: Context, index: list[int], m: re.Match[str]) -> None:
        """A threat of violence against staff, pupils or parents is also the DSL's concern."""
        who = m.group("who") or ""
        if not against_school_community(who, self._who.entry(who)):
            return
        start, end = to_folded(index, *m.span())
        ctx.add_norm("target.school_threat", "safeguarding", "P-SAFEGUARD", 0.9, start, end)
