"""The records of the emulated world and Discord's error answers (plain data, no behaviour).

Permission bits and limits are Discord's documented values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
READ_MESSAGE_HISTORY = 1 << 16
MODERATE_MEMBERS = 1 << 40
ALL_PERMISSIONS = (1 << 53) - 1
EVERYONE_DEFAULT = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | (1 << 6) | (1 << 14)
MAX_TIMEOUT_SECONDS = 28 * 24 * 3600
NONCE_WINDOW = 120.0  # seconds an enforced nonce returns the earlier message
MAX_CONTENT = 2000


class DiscordError(Exception):
    """An error Discord answers with JSON ``{"code", "message"}`` and an HTTP status."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        return {"message": self.message, "code": self.code}


def unknown(what: str, code: int) -> DiscordError:
    """404 ``Unknown Message`` / ``Unknown Channel`` / ..."""
    return DiscordError(404, code, f"Unknown {what}")


def missing_access() -> DiscordError:
    """403 ``Missing Access``: the bot cannot see it."""
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    """403 ``Missing Permissions``."""
    return DiscordError(403, 50013, "Missing Permissions")


def invalid_form(detail: str) -> DiscordError:
    """400 ``Invalid Form Body`` with the field's complaint."""
    return DiscordError(400, 50035, f"Invalid Form Body: {detail}")


@dataclass
class User:
    """A Discord account (a person or a bot)."""

    id: str
    username: str
    global_name: str | None = None
    bot: bool = False
    accepts_dms: bool = True


@dataclass
class Role:
    """A server role; ``bot_id`` marks a bot's managed role."""

    id: str
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: str | None = None


@dataclass
class Overwrite:
    """A channel permission overwrite for a role or a member."""

    id: str
    type: int  # 0: role, 1: member
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    """A server text channel (type 0) or a direct-message channel (1)."""

    id: str
    name: str
    type: int = 0  # 0: text, 1: DM
    guild_id: str | None = None
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)  # ascending


@dataclass
class Member:
    """Someone's membership of a server; ``timeout_until`` a unix time."""

    user_id: str
    roles: list[str] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = 0.0
    timeout_until: float | None = None


@dataclass
class Guild:
    """A server; its @everyone role has the server's id."""

    id: str
    name: str
    owner_id: str
    roles: dict[str, Role] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)


@dataclass
class Message:
    """A message; deleted ones stay, marked, for inspection."""

    id: str
    channel_id: str
    guild_id: str | None
    author_id: str
    content: str
    created: float
    edited: float | None = None
    type: int = 0
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reply_to: str | None = None
    nonce: str | None = None
    deleted_by: str | None = None  # "author", "bot"
    deletes: int = 0  # successful DELETE calls (a second one would be a double effect)


@dataclass
class Application:
    """The bot's application: its token and portal flags."""

    id: str
    name: str
    owner_id: str
    bot_user_id: str
    token: str
    verify_key: str
    flags: int = 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED: the intent is enabled
