"""``modbot check``: one text in, the enforce-mode decision out (DESIGN §7 contract)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.decide import decide
from bot.engines import academy_engine
from bot.settings import ConfigError, ModerationSettings, load_settings
from moderation_rules.engine import RuleEngine
from moderation_rules.explain import explanation


class Checker:
    """Assess texts as an academy's enforce mode would, whatever an account's mode."""

    def __init__(self, engine: RuleEngine, moderation: ModerationSettings) -> None:
        self.engine = engine
        self.moderation = moderation

    @classmethod
    def from_config(cls, config: Path | None, academy: str | None) -> Checker:
        """The default rules, or an academy's rules and thresholds from a config file."""
        if config is None:
            return cls(RuleEngine(), ModerationSettings())
        settings = load_settings(config)
        key = academy or next(iter(settings.academies))
        if academy is None and len(settings.academies) > 1:
            raise ConfigError(f"{config}: several academies; name one with --academy")
        if key not in settings.academies:
            raise ConfigError(f"{config}: academies: no academy {key!r}")
        mod = settings.academies[key].moderation
        return cls(academy_engine(mod, f"{config}: academies.{key}.moderation"), mod)

    def label_and_action(self, text: str, platform: str | None = None) -> tuple[str, str]:
        """Just the primary label and the enforce-mode action (for evaluation)."""
        d = decide(self.engine.assess(text, platform or "facebook"), self.moderation)
        return d.label, d.outcome

    def check(self, text: str, platform: str = "facebook") -> dict[str, Any]:
        """The contract object for one text."""
        a = self.engine.assess(text, platform)
        d = decide(a, self.moderation, mode="enforce")
        action = "hide" if d.outcome == "hide" else d.outcome
        return {
            "label": d.label,
            "labels": {k: round(float(v), 4) for k, v in a.scores.items()},
            "action": action,
            "alerts": list(d.alerts),
            "needs_response": d.needs_response,
            "rules": list(a.rules),
            "policy": list(a.policy),
            "evidence": [
                {"rule": e.rule, "label": e.label, "clause": e.clause, "start": e.start,
                 "end": e.end, "text": e.excerpt}
                for e in a.evidence
            ],
            "review_reasons": list(d.reasons),
            "explanation": explanation(d.label, platform) if action == "hide" else "",
        }

    def check_lines(self, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
        """One output object per input line, in order; a bad line gets an ``error`` key.

        Blank lines count too, so callers can pair outputs with inputs by position.
        """
        for n, line in enumerate(lines, start=1):
            obj: Any = None
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise ValueError("expected an object with a string 'text'")
            except ValueError as exc:
                ident = obj.get("id") if isinstance(obj, dict) else None
                yield {"id": ident, "line": n, "error": f"line {n}: {exc}"}
                continue
            platform = obj.get("platform") or "facebook"
            yield {"id": obj.get("id"), **self.check(obj["text"], str(platform))}
