"""Discord's JSON shapes for the emulated world (users, roles, channels, members, messages).

Shapes follow the API v10 reference closely enough for discord.py to build its models from
them; snowflakes and permission bitsets are strings, times ISO 8601 with microseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .model import Application, Channel, Guild, Member, Message, Role, User
from .state import DiscordState


def iso(ts: float | None) -> str | None:
    """Discord's timestamp format: ``2026-11-23T10:00:00.123000+00:00``."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="microseconds")


def user_json(user: User, *, me: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
    }
    if user.bot:
        body["bot"] = True
    if me:
        body |= {"verified": True, "mfa_enabled": False, "email": None, "locale": "en-GB",
                 "premium_type": 0}
    return body


def role_json(role: Role) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": role.id,
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": False,
        "flags": 0,
    }
    if role.bot_id:
        body["tags"] = {"bot_id": role.bot_id}
    return body


def channel_json(state: DiscordState, channel: Channel) -> dict[str, Any]:
    last = str(channel.message_ids[-1]) if channel.message_ids else None
    if channel.type == 1:
        return {
            "id": channel.id, "type": 1, "last_message_id": last, "flags": 0,
            "recipients": [user_json(state.users[u]) for u in channel.recipient_ids[1:]],
        }
    return {
        "id": channel.id,
        "type": channel.type,
        "guild_id": channel.guild_id,
        "name": channel.name,
        "position": channel.position,
        "flags": 0,
        "parent_id": None,
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": last,
        "rate_limit_per_user": 0,
        "permission_overwrites": [
            {"id": o.id, "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in channel.overwrites
        ],
    }


def member_json(state: DiscordState, member: Member, *, with_user: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "avatar": None,
        "banner": None,
        "nick": member.nick,
        "roles": list(member.roles),
        "joined_at": iso(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": iso(member.timeout_until)
        if member.timeout_until and member.timeout_until > state.clock() else None,
    }
    if with_user:
        body["user"] = user_json(state.users[member.user_id])
    return body


def guild_json(state: DiscordState, guild: Guild) -> dict[str, Any]:
    return {
        "id": guild.id,
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": guild.owner_id,
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 2,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-GB",
        "system_channel_id": guild.channel_ids[0] if guild.channel_ids else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "application_id": None,
        "widget_enabled": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [role_json(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)],
        "premium_progress_bar_enabled": False,
    }


def guild_create_json(state: DiscordState, guild: Guild, bot_user_id: str) -> dict[str, Any]:
    """GUILD_CREATE: the guild with its channels and the bot's own member object."""
    members = [member_json(state, guild.members[bot_user_id])] \
        if bot_user_id in guild.members else []
    return guild_json(state, guild) | {
        "joined_at": iso(guild.members[bot_user_id].joined_at) if members else None,
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "members": members,
        "channels": [channel_json(state, state.channels[c]) for c in guild.channel_ids],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message_json(state: DiscordState, msg: Message, *, gateway: bool = False,
                 with_reference: bool = True) -> dict[str, Any]:
    """A message as REST returns it; ``gateway`` adds ``guild_id`` and the author's member."""
    body: dict[str, Any] = {
        "id": msg.id,
        "type": msg.type,
        "channel_id": msg.channel_id,
        "author": user_json(state.users[msg.author_id]),
        "content": msg.content,
        "timestamp": iso(msg.created),
        "edited_timestamp": iso(msg.edited),
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [dict(a) for a in msg.attachments],
        "embeds": [],
        "pinned": False,
        "flags": 0,
        "components": [],
    }
    if msg.nonce is not None:
        body["nonce"] = msg.nonce
    if msg.reply_to:
        body["message_reference"] = {"type": 0, "message_id": msg.reply_to,
                                     "channel_id": msg.channel_id, "guild_id": msg.guild_id}
        if with_reference:
            parent = state.messages.get(msg.reply_to)
            body["referenced_message"] = None if parent is None or parent.deleted_by else \
                message_json(state, parent, with_reference=False)
    if gateway and msg.guild_id:
        body["guild_id"] = msg.guild_id
        member = state.guilds[msg.guild_id].members.get(msg.author_id)
        if member is not None:
            body["member"] = member_json(state, member, with_user=False)
    return body


def application_json(state: DiscordState, app: Application) -> dict[str, Any]:
    return {
        "id": app.id,
        "name": app.name,
        "icon": None,
        "description": "Moderates the academy's Discord server",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": app.verify_key,
        "owner": user_json(state.users[app.owner_id]),
        "team": None,
        "flags": app.flags,
        "bot": user_json(state.users[app.bot_user_id]),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "tags": [],
        "approximate_guild_count": len(state.guilds),
        "install_params": {"scopes": ["bot"], "permissions": str((1 << 10) | (1 << 11)
                                                                 | (1 << 13) | (1 << 16)
                                                                 | (1 << 40))},
    }
