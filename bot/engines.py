"""One rule engine per academy, built once at start-up from its moderation settings.

Academies that add nothing of their own (published contacts, group lists) share the
process-wide default engine; a broken school file stops start-up with its key path.
"""

from __future__ import annotations

import yaml

from bot.settings import ConfigError, ModerationSettings
from moderation_rules.engine import RuleEngine, default_engine


def academy_engine(moderation: ModerationSettings, where: str) -> RuleEngine:
    """The engine for one academy; ``where`` (file and key path) prefixes any error."""
    if not moderation.allow_contacts and not moderation.people_groups:
        return default_engine()
    try:
        return RuleEngine(allow_contacts=moderation.allow_contacts,
                          people_groups=moderation.people_groups)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{where}.people_groups: {exc}") from None
