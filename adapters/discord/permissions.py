"""Discord's permission arithmetic over REST payloads (pure), for ``verify``.

The bot's effective permissions in a channel follow Discord's documented order: the server
owner and Administrator get everything; otherwise @everyone's permissions OR the member's
roles, then the channel's overwrites for @everyone, for the member's roles (all denies, then
all allows) and for the member, and nothing at all without View Channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
READ_MESSAGE_HISTORY = 1 << 16
MODERATE_MEMBERS = 1 << 40
ALL = (1 << 53) - 1

# What the bot needs in each watched channel, and the words the server settings use.
CHANNEL_NEEDS: tuple[tuple[int, str, str], ...] = (
    (VIEW_CHANNEL, "View Channel", "to see the channel's messages"),
    (READ_MESSAGE_HISTORY, "Read Message History", "to catch up after a disconnection"),
    (SEND_MESSAGES, "Send Messages", "to post a notice saying why a message went"),
    (MANAGE_MESSAGES, "Manage Messages", "to delete harmful messages"),
)
GUILD_NEEDS: tuple[tuple[int, str, str], ...] = (
    (MODERATE_MEMBERS, "Timeout Members", "to time out an author (only if timeouts are on)"),
)


def _bits(value: Any) -> int:
    """Permission strings (Discord sends them as decimal strings) -> int; junk counts as 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def guild_permissions(
    guild: Mapping[str, Any], member_roles: Iterable[str], user_id: str
) -> int:
    """The member's server-wide permissions (``guild`` as ``GET /guilds/{id}`` returns it)."""
    if str(guild.get("owner_id", "")) == user_id:
        return ALL
    guild_id = str(guild.get("id", ""))
    wanted = {str(r) for r in member_roles} | {guild_id}  # @everyone's role id is the guild id
    total = 0
    for role in guild.get("roles") or []:
        if isinstance(role, Mapping) and str(role.get("id")) in wanted:
            total |= _bits(role.get("permissions"))
    return ALL if total & ADMINISTRATOR else total


def channel_permissions(
    guild: Mapping[str, Any],
    channel: Mapping[str, Any],
    member_roles: Iterable[str],
    user_id: str,
) -> int:
    """The member's permissions in ``channel`` (as ``GET /channels/{id}`` returns it)."""
    base = guild_permissions(guild, member_roles, user_id)
    if base == ALL:
        return ALL
    roles = {str(r) for r in member_roles}
    guild_id = str(guild.get("id", ""))
    overwrites = [o for o in channel.get("permission_overwrites") or [] if isinstance(o, Mapping)]
    for ow in overwrites:
        if str(ow.get("id")) == guild_id:
            base = (base & ~_bits(ow.get("deny"))) | _bits(ow.get("allow"))
    allow = deny = 0
    for ow in overwrites:
        if str(ow.get("id")) in roles and _bits(ow.get("type")) == 0:
            allow |= _bits(ow.get("allow"))
            deny |= _bits(ow.get("deny"))
    base = (base & ~deny) | allow
    for ow in overwrites:
        if str(ow.get("id")) == user_id and _bits(ow.get("type")) == 1:
            base = (base & ~_bits(ow.get("deny"))) | _bits(ow.get("allow"))
    return base if base & VIEW_CHANNEL else 0


def missing(granted: int, needs: tuple[tuple[int, str, str], ...]) -> list[tuple[str, str]]:
    """The (permission name, why it is needed) pairs not in ``granted``."""
    return [(name, why) for bit, name, why in needs if not granted & bit]
