"""Phrase patterns, co-occurrence combos and mitigating suppressions from the rule packs.

Patterns catch what single words cannot: "I know where you park", "nobody would notice if I
stopped", "send them back".  Combos pair a target with an attack ("Islam" ... "is a cancer") so
neither half alone hides anything.  Suppressions cap a label when the text shows the words are
reported rather than meant (a parent quoting what her son was called).
"""

from __future__ import annotations

import re

from moderation_rules.detectors.base import Context
from moderation_rules.prefilter import Scanner, ScannerIndex
from moderation_rules.rulepack import ComboRule, PatternRule, RuleSet, Suppression

__all__ = ["PatternDetector", "SuppressionDetector"]


def _hint(requires: tuple[str, ...]) -> re.Pattern[str] | None:
    """A rule's ``requires`` words as one search (None: no hint, always try the rule)."""
    return re.compile("|".join(re.escape(r) for r in requires)) if requires else None


class PatternDetector:
    """Runs every pattern and combo rule of the packs."""

    def __init__(self, rules: RuleSet) -> None:
        self._patterns: tuple[tuple[PatternRule, tuple[Scanner, ...]], ...] = tuple(
            (rule, tuple(Scanner(rx, rule.view == "norm") for rx in rule.regexes))
            for rule in rules.patterns
        )
        self._combos: tuple[tuple[ComboRule, tuple[Scanner, ...]], ...] = tuple(
            (combo, tuple(Scanner(part) for part in combo.parts)) for combo in rules.combos
        )
        # the suppressions' scanners share the index: one prefilter pass serves both detectors
        self.suppressions: tuple[tuple[Suppression, Scanner, re.Pattern[str] | None], ...] = tuple(
            (sup, Scanner(sup.regex), _hint(sup.requires)) for sup in rules.suppressions)
        everything = [sc for _, scs in self._patterns for sc in scs]
        everything += [sc for _, scs in self._combos for sc in scs]
        everything += [sc for _, sc, _ in self.suppressions]
        self._index = ScannerIndex(everything)
        # Which pattern rules a text can wake: rules with an unfiltered scanner always run; the
        # others only when the prefilter found a candidate for one of their scanners.
        self._always: frozenset[int] = frozenset(
            i for i, (_, scs) in enumerate(self._patterns) if any(sc.keys is None for sc in scs))
        self._combos_keyed = tuple(
            (combo, parts, frozenset(p.sid for p in parts if p.keys is not None))
            for combo, parts in self._combos)
        self._requires = tuple(_hint(rule.requires) for rule, _ in self._patterns)
        self._rule_of: dict[int, int] = {
            sc.sid: i for i, (_, scs) in enumerate(self._patterns) for sc in scs}

    def candidates(self, norm: str) -> dict[int, list[int]]:
        """Prefilter candidates of every scanner (patterns, combos, suppressions)."""
        return self._index.candidates(norm)

    def __call__(self, ctx: Context) -> None:
        norm = ctx.norm.text
        raw = ctx.text
        raw_lower = raw.lower()
        cands = self._index.candidates(norm)
        ctx.candidates = cands
        rule_of = self._rule_of
        wake = set(self._always)
        wake.update(rule_of[sid] for sid in cands if sid in rule_of)
        patterns = self._patterns
        requires = self._requires
        for i in sorted(wake):  # pack order, as if every rule were tried
            rule, scanners = patterns[i]
            req = requires[i]
            if req is not None and req.search(raw_lower) is None and req.search(norm) is None:
                continue
            m = rule.meta
            text = raw if rule.view == "raw" else norm
            done = False
            for scanner in scanners:
                if scanner.keys is not None and scanner.sid not in cands:
                    continue
                for hit in scanner.finditer(text, cands.get(scanner.sid)):
                    if rule.view == "norm":
                        if ctx.is_allowed(hit.start(), hit.end()):
                            continue
                        key = f"{m.id}:{hit.group()}" if rule.accumulate else m.id
                        ctx.add_norm(m.id, m.label, m.clause, m.score, hit.start(), hit.end(),
                                     m.tags, key)
                    else:
                        key = f"{m.id}:{hit.group().lower()}" if rule.accumulate else m.id
                        ctx.add(m.id, m.label, m.clause, m.score, hit.start(), hit.end(),
                                m.tags, key)
                    if not rule.accumulate:
                        done = True
                        break
                if done:
                    break
        keys = cands.keys()
        for combo, parts, keyed in self._combos_keyed:
            if keyed <= keys:
                self._combo(ctx, combo, parts, cands)

    @staticmethod
    def _combo(ctx: Context, combo: ComboRule, parts: tuple[Scanner, ...],
               cands: dict[int, list[int]]) -> None:
        norm = ctx.norm.text
        for anchor in parts[0].finditer(norm, cands.get(parts[0].sid)):
            if ctx.is_allowed(*anchor.span()):
                continue
            lo = max(0, anchor.start() - combo.near)
            hi = min(len(norm), anchor.end() + combo.near)
            spans = [anchor.span()]
            for part in parts[1:]:
                found = next((f for f in part.finditer(norm, cands.get(part.sid), lo, hi)
                              if not ctx.is_allowed(*f.span())), None)
                if found is None:
                    break
                spans.append(found.span())
            else:
                m = combo.meta
                start = min(a for a, _ in spans)
                end = max(b for _, b in spans)
                ctx.add_norm(m.id, m.label, m.clause, m.score, start, end, m.tags)
                return


class SuppressionDetector:
    """Applies the packs' caps (quoted or self-directed language)."""

    def __init__(self, patterns: PatternDetector) -> None:
        """``patterns``: the pattern detector, whose prefilter pass over the same comment also
        finds this detector's candidates."""
        self._patterns = patterns

    def __call__(self, ctx: Context) -> None:
        norm = ctx.norm.text
        cands = ctx.candidates if ctx.candidates is not None else self._patterns.candidates(norm)
        for sup, scanner, hint in self._patterns.suppressions:
            if scanner.keys is not None and scanner.sid not in cands:
                continue
            if hint is not None and hint.search(norm) is None:
                continue
            if next(scanner.finditer(norm, cands.get(scanner.sid)), None) is not None:
                ctx.suppressed_by.append(sup.id)
                for label in sup.labels:
                    ctx.caps[label] = min(ctx.caps.get(label, 1.0), sup.cap)
