"""The platform block of an account: ids, endpoints and where each credential lives."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.settings_base import SecretRef, Strict


class FacebookAccount(Strict):
    """Facebook Page ids and where its credentials live."""

    page_id: str
    page_token: SecretRef
    app_secret: SecretRef
    verify_token: SecretRef
    graph_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    base_url: str = "https://graph.facebook.com/"


class InstagramAccount(Strict):
    """An Instagram professional account, moderated through the Graph API of its linked Page."""

    ig_user_id: str
    access_token: SecretRef  # the linked Page's token (instagram_manage_comments)
    app_secret: SecretRef
    verify_token: SecretRef
    graph_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    base_url: str = "https://graph.facebook.com/"


class TwitterAccount(Strict):
    """An X account and its user-context credentials.

    Either OAuth 1.0a (``consumer_key``, ``consumer_secret``, ``access_token`` and
    ``access_token_secret`` of the school's account: they do not expire, the recommended
    choice for a service) or an OAuth 2.0 user-context ``access_token`` alone (X expires those
    after two hours unless something outside modbot refreshes the secret it points to).
    """

    user_id: str
    username: str = ""
    access_token: SecretRef  # scopes tweet.read users.read tweet.write tweet.moderate.write
    access_token_secret: SecretRef | None = None
    consumer_key: SecretRef | None = None
    consumer_secret: SecretRef | None = None
    base_url: str = "https://api.twitter.com"
    mute_authors: bool = False  # mute the authors of hidden replies (the account stops seeing them)

    @model_validator(mode="after")
    def _oauth1_complete(self) -> TwitterAccount:
        parts = (self.access_token_secret, self.consumer_key, self.consumer_secret)
        if any(parts) and not all(parts):
            raise ValueError("OAuth 1.0a needs all of consumer_key, consumer_secret and "
                             "access_token_secret (with access_token); give all three or none")
        return self


class DiscordAccount(Strict):
    """A Discord server (guild) and the channels of it the bot watches."""

    guild_id: str
    channel_ids: tuple[str, ...] = Field(min_length=1)
    bot_token: SecretRef
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    timeout_minutes: float = Field(default=0, ge=0, le=28 * 24 * 60)  # 0: no timeouts
