"""The explicit registry of platform adapters: settings in, adapter out."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import PlatformAdapter
from bot.settings import Account, ConfigError


def build_adapter(
    path: str, account_key: str, account: Account, secrets: Mapping[str, str]
) -> PlatformAdapter:
    """Construct the adapter of one account; ``path`` is its key path for secret lookup."""
    if account.platform == "facebook" and account.facebook is not None:
        from adapters.facebook.adapter import FacebookAdapter

        fb = account.facebook
        return FacebookAdapter(
            account=account_key,
            page_id=fb.page_id,
            page_token=secrets[f"{path}.facebook.page_token"],
            app_secret=secrets[f"{path}.facebook.app_secret"],
            verify_token=secrets[f"{path}.facebook.verify_token"],
            graph_version=fb.graph_version,
            base_url=fb.base_url,
        )
    raise ConfigError(f"{path}.platform: the {account.platform} adapter is not available yet")
