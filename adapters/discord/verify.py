"""``modbot accounts verify`` for Discord: what the bot may do in the school's server.

Every check asks Discord over REST and becomes one :class:`Finding` in plain words for the
school's IT lead; a missing permission is reported, never raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from adapters.base import AdapterError, AuthExpired, Finding

from .client import INTENT_REFUSED
from .errors import DiscordNotFound, DiscordRefused
from .permissions import (
    CHANNEL_NEEDS,
    GUILD_NEEDS,
    channel_permissions,
    guild_permissions,
    missing,
)

if TYPE_CHECKING:
    from .client import DiscordConnection

MESSAGE_CONTENT = 1 << 18  # application flag GATEWAY_MESSAGE_CONTENT (verified apps)
MESSAGE_CONTENT_LIMITED = 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED (under 100 servers)
INVITE_HELP = (
    "invite it from the developer portal (OAuth2 > URL Generator, scope 'bot') with the "
    "permissions View Channels, Send Messages, Manage Messages, Read Message History and "
    "Timeout Members"
)


def _listing(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name} ({why})" for name, why in pairs)


async def _json(conn: DiscordConnection, path: str, **route: Any) -> dict[str, Any]:
    found = await conn.call("GET", path, **route)
    if not isinstance(found, dict):
        raise AdapterError(f"Discord answered {path} with something that is not an object")
    return found


async def verify_setup(
    conn: DiscordConnection,
    guild_id: str,
    channel_ids: Sequence[str],
    *,
    timeouts_enabled: bool = False,
) -> list[Finding]:
    """Token, intent, gateway, server membership, server-wide and per-channel permissions
    (Timeout Members is required only when the account times authors out)."""
    if not conn.is_open:
        return [Finding("connection", False, "the Discord adapter is not started")]
    try:
        me = await _json(conn, "/users/@me")
    except AuthExpired as exc:
        return [Finding("credentials", False, str(exc))]
    except AdapterError as exc:
        return [Finding("credentials", False, f"could not ask Discord who the bot is: {exc}")]
    user_id = str(me.get("id", ""))
    findings = [Finding("credentials", True, f"logged in as {me.get('username', '?')} ({user_id})")]
    findings.append(await _intent(conn))
    findings.append(_gateway(conn))
    try:
        guild = await _json(conn, "/guilds/{guild_id}", guild_id=guild_id)
        member = await _json(
            conn, "/guilds/{guild_id}/members/{user_id}", guild_id=guild_id, user_id=user_id
        )
    except (DiscordNotFound, DiscordRefused):
        findings.append(Finding("server", False, f"the bot is not in server {guild_id}: "
                                + INVITE_HELP))
        return findings
    except AdapterError as exc:
        findings.append(Finding("server", False, f"could not read server {guild_id}: {exc}"))
        return findings
    roles = [str(r) for r in member.get("roles") or []]
    name = str(guild.get("name", guild_id))
    findings.append(Finding("server", True, f"the bot is a member of {name}"))
    lacking = missing(guild_permissions(guild, roles, user_id), GUILD_NEEDS)
    if not lacking:
        detail = "granted"
    elif timeouts_enabled:
        detail = (f"the bot's role in {name} lacks {_listing(lacking)}: grant it in Server "
                  "Settings > Roles (the bot's role must also rank above the roles of the "
                  "people it may time out)")
    else:
        detail = ("not granted; only needed if timeouts are switched on (timeout_minutes), "
                  "so nothing to do now")
    findings.append(Finding("permission Timeout Members", not lacking or not timeouts_enabled,
                            detail))
    for channel_id in channel_ids:
        findings.append(await _channel(conn, guild, roles, user_id, channel_id))
    return findings


async def _intent(conn: DiscordConnection) -> Finding:
    check = "intent Message Content"
    if conn.intent_refused:
        return Finding(check, False, INTENT_REFUSED)
    try:
        app = await _json(conn, "/oauth2/applications/@me")
    except AdapterError as exc:
        return Finding(check, False, f"could not read the application's settings: {exc}")
    flags = app.get("flags") if isinstance(app.get("flags"), int) else 0
    if flags & (MESSAGE_CONTENT | MESSAGE_CONTENT_LIMITED):
        return Finding(check, True, "enabled")
    return Finding(check, False, INTENT_REFUSED.replace("refused the gateway", "reports"))


def _gateway(conn: DiscordConnection) -> Finding:
    if conn.alive and conn.ready.is_set():
        return Finding("gateway", True, "connected; new messages arrive as they are posted")
    failure = conn.gateway_failure()
    if failure is not None:
        detail = str(failure)
    else:
        detail = ("not connected yet (if this lasts, let the server open websockets to "
                  "gateway.discord.gg on port 443)")
    return Finding("gateway", False, f"{detail}; messages are read from channel history")


async def _channel(
    conn: DiscordConnection,
    guild: dict[str, Any],
    roles: list[str],
    user_id: str,
    channel_id: str,
) -> Finding:
    check = f"channel {channel_id}"
    try:
        channel = await _json(conn, "/channels/{channel_id}", channel_id=channel_id)
    except (DiscordNotFound, DiscordRefused):
        return Finding(check, False, "the bot cannot see this channel (or it does not exist): "
                       "give the bot's role View Channel on it, or correct channel_ids")
    except AdapterError as exc:
        return Finding(check, False, f"could not read the channel: {exc}")
    label = f"channel #{channel.get('name', channel_id)}"
    if str(channel.get("guild_id", "")) != str(guild.get("id", "")):
        return Finding(label, False, f"channel {channel_id} is not in server {guild.get('id')}")
    lacking = missing(channel_permissions(guild, channel, roles, user_id), CHANNEL_NEEDS)
    if not lacking:
        return Finding(label, True, "View Channel, Read Message History, Send Messages and "
                       "Manage Messages granted")
    return Finding(label, False, f"the bot lacks {_listing(lacking)} in {label}: grant them to "
                   "its role in Edit Channel > Permissions (or Server Settings > Roles)")
