"""The explicit registry of platform adapters: settings in, adapter out.

Adapters are imported lazily, so a school that runs only Facebook never imports discord.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import PlatformAdapter
from bot.settings import Account, ConfigError


def build_adapter(
    path: str, account_key: str, account: Account, secrets: Mapping[str, str]
) -> PlatformAdapter:
    """Construct the adapter of one account; ``path`` is its key path for secret lookup."""
    base = f"{path}.{account.platform}"
    if account.platform == "facebook" and account.facebook is not None:
        from adapters.facebook.adapter import FacebookAdapter

        fb = account.facebook
        return FacebookAdapter(
            account=account_key,
            page_id=fb.page_id,
            page_token=secrets[f"{base}.page_token"],
            app_secret=secrets[f"{base}.app_secret"],
            verify_token=secrets[f"{base}.verify_token"],
            graph_version=fb.graph_version,
            base_url=fb.base_url,
        )
    if account.platform == "instagram" and account.instagram is not None:
        from adapters.instagram.adapter import InstagramAdapter

        ig = account.instagram
        return InstagramAdapter(
            account=account_key,
            ig_user_id=ig.ig_user_id,
            access_token=secrets[f"{base}.access_token"],
            app_secret=secrets[f"{base}.app_secret"],
            verify_token=secrets[f"{base}.verify_token"],
            graph_version=ig.graph_version,
            base_url=ig.base_url,
        )
    if account.platform == "twitter" and account.twitter is not None:
        from adapters.twitter.adapter import TwitterAdapter

        tw = account.twitter
        return TwitterAdapter(
            account=account_key,
            user_id=tw.user_id,
            access_token=secrets[f"{base}.access_token"],
            base_url=tw.base_url,
            consumer_key=secrets.get(f"{base}.consumer_key"),
            consumer_secret=secrets.get(f"{base}.consumer_secret"),
            access_token_secret=secrets.get(f"{base}.access_token_secret"),
        )
    if account.platform == "discord" and account.discord is not None:
        from adapters.discord.adapter import DiscordAdapter

        dc = account.discord
        return DiscordAdapter(
            account=account_key,
            guild_id=dc.guild_id,
            channel_ids=dc.channel_ids,
            bot_token=secrets[f"{base}.bot_token"],
            api_base_url=dc.api_base_url,
            gateway_url=dc.gateway_url,
            timeouts_enabled=dc.timeout_minutes > 0,
        )
    raise ConfigError(f"{path}.platform: no adapter for {account.platform!r}")
