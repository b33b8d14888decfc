"""Detection core: normalisation, rule packs, detectors, explanations and evaluation.

Imports nothing from ``bot`` or ``adapters``.  Heavy objects are exported lazily so that
``from moderation_rules.types import Assessment`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RuleEngine", "default_engine", "Assessment", "Evidence", "LABELS", "HIDE_LABELS"]


def __getattr__(name: str) -> Any:
    if name in ("RuleEngine", "default_engine"):
        from moderation_rules import engine

        return getattr(engine, name)
    if name in ("Assessment", "Evidence", "LABELS", "HIDE_LABELS"):
        from moderation_rules import types

        return getattr(types, name)
    raise AttributeError(name)
