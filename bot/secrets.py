"""Resolve the credentials a configuration names, once, at start-up.

Secrets live in environment variables or files (systemd credentials, Docker secrets), never in
the YAML; every missing one is reported with its key path, all at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.settings import ConfigError, SecretRef, Settings

_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "facebook": ("page_token", "app_secret", "verify_token"),
    "instagram": ("access_token", "app_secret", "verify_token"),
    "twitter": ("access_token", "access_token_secret", "consumer_key", "consumer_secret"),
    "discord": ("bot_token",),
}


def resolve_secrets(
    settings: Settings, source: str, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Resolve every credential the configuration names, keyed by its key path.

    All missing secrets are reported at once, so an IT lead fixes them in one pass.
    """
    env = os.environ if environ is None else environ
    found: dict[str, str] = {}
    problems: list[str] = []

    def take(path: str, ref: SecretRef | None) -> None:
        if ref is None:
            return
        try:
            found[path] = ref.resolve(env)
        except LookupError as exc:
            problems.append(f"{source}: {path}: {exc}")

    take("service.mail.password", settings.service.mail.password)
    take("service.mail.oauth_token", settings.service.mail.oauth_token)
    take("service.web.link_secret", settings.service.web.link_secret)
    for ak, ck, acc in settings.accounts():
        block = getattr(acc, acc.platform, None)
        base = f"academies.{ak}.accounts.{ck}.{acc.platform}"
        for name in _SECRET_FIELDS.get(acc.platform, ()):
            take(f"{base}.{name}", getattr(block, name, None))
    if problems:
        raise ConfigError("\n".join(problems))
    return found
