"""Detectors: each is a small rule callable over :class:`~moderation_rules.detectors.base.Context`."""

from __future__ import annotations

from moderation_rules.detectors.base import Context, Hit, Rule

__all__ = ["Context", "Hit", "Rule"]
