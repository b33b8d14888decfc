"""The emulated Discord world: users, one or more servers, channels, members, messages.

Plain data and the rules Discord enforces on it (permissions, role hierarchy, nonces); every
change is queued as a gateway event (``drain_events``) for the gateway to dispatch, and every
moderation effect is counted so tests can prove nothing was done twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from .model import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DISCORD_EPOCH_MS,
    EVERYONE_DEFAULT,
    MANAGE_MESSAGES,
    MAX_CONTENT,
    MAX_TIMEOUT_SECONDS,
    MODERATE_MEMBERS,
    NONCE_WINDOW,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Application,
    Channel,
    DiscordError,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    User,
    invalid_form,
    missing_access,
    missing_permissions,
    unknown,
)


class DiscordState:
    """Everything the emulator knows; mutated by REST handlers and test helpers."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.users: dict[str, User] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, Message] = {}
        self.app: Application | None = None
        self.audit_log: list[dict[str, Any]] = []
        self.timeouts: list[dict[str, Any]] = []  # every PATCH that set a timeout
        self._used: set[int] = set()
        self._events: list[tuple[str, dict[str, Any]]] = []

    # ---- ids and events ----------------------------------------------------------------------

    def snowflake(self, at: float | None = None) -> str:
        """A new id made at ``at`` (default now); unique, and ordered by time."""
        ms = int((self.clock() if at is None else at) * 1000) - DISCORD_EPOCH_MS
        number = max(0, ms) << 22 | 1 << 17
        while number in self._used:
            number += 1
        self._used.add(number)
        return str(number)

    def emit(self, name: str, data: dict[str, Any]) -> None:
        """Queue a gateway event (the emulator dispatches them after each change)."""
        self._events.append((name, data))

    def drain_events(self) -> list[tuple[str, dict[str, Any]]]:
        """The events since the last call."""
        events, self._events = self._events, []
        return events

    # ---- building the world ------------------------------------------------------------------

    def add_user(self, username: str, *, user_id: str | None = None, bot: bool = False,
                 global_name: str | None = None) -> User:
        user = User(user_id or self.snowflake(), username, global_name, bot)
        self.users[user.id] = user
        return user

    def user_named(self, name: str) -> User:
        """The user with this username or display name, created if new (a member of the public)."""
        for user in self.users.values():
            if name in (user.username, user.global_name):
                return user
        return self.add_user(name.lower().replace(" ", "_"), global_name=name)

    def set_application(self, name: str, bot_user: User, owner: User,
                        token: str | None = None, app_id: str | None = None) -> Application:
        self.app = Application(
            id=app_id or bot_user.id, name=name, owner_id=owner.id, bot_user_id=bot_user.id,
            token=token or secrets.token_urlsafe(40), verify_key=secrets.token_hex(32),
        )
        return self.app

    def add_guild(self, name: str, owner: User, *, guild_id: str | None = None) -> Guild:
        guild = Guild(guild_id or self.snowflake(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_DEFAULT, 0)
        self.guilds[guild.id] = guild
        self.add_member(guild.id, owner.id)
        return guild

    def add_role(self, guild_id: str, name: str, permissions: int, *, position: int | None = None,
                 role_id: str | None = None, bot_id: str | None = None) -> Role:
        guild = self.guild(guild_id)
        pos = position if position is not None else len(guild.roles)
        role = Role(role_id or self.snowflake(), name, permissions, pos, bot_id is not None, bot_id)
        guild.roles[role.id] = role
        return role

    def add_channel(self, guild_id: str, name: str, *, channel_id: str | None = None,
                    topic: str | None = None, overwrites: Iterable[Overwrite] = ()) -> Channel:
        guild = self.guild(guild_id)
        channel = Channel(channel_id or self.snowflake(), name, 0, guild.id,
                          len(guild.channel_ids), topic, list(overwrites))
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def add_member(self, guild_id: str, user_id: str, roles: Iterable[str] = (),
                   nick: str | None = None) -> Member:
        guild = self.guild(guild_id)
        member = guild.members.get(user_id) or Member(user_id, joined_at=self.clock())
        member.roles = sorted(set(member.roles) | set(roles))
        member.nick = nick or member.nick
        guild.members[user_id] = member
        return member

    # ---- lookups -----------------------------------------------------------------------------

    def guild(self, guild_id: str) -> Guild:
        if guild_id not in self.guilds:
            raise unknown("Guild", 10004)
        return self.guilds[guild_id]

    def channel(self, channel_id: str) -> Channel:
        if channel_id not in self.channels:
            raise unknown("Channel", 10003)
        return self.channels[channel_id]

    def member(self, guild_id: str, user_id: str) -> Member:
        guild = self.guild(guild_id)
        if user_id not in guild.members:
            raise unknown("Member", 10007)
        return guild.members[user_id]

    def message(self, channel_id: str, message_id: str) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted_by or msg.channel_id != channel_id:
            raise unknown("Message", 10008)
        return msg

    # ---- permissions -------------------------------------------------------------------------

    def base_permissions(self, guild: Guild, user_id: str) -> int:
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        role_ids = {guild.id, *(member.roles if member else ())}
        total = 0
        for role_id in role_ids:
            role = guild.roles.get(role_id)
            total |= role.permissions if role else 0
        return ALL_PERMISSIONS if total & ADMINISTRATOR else total

    def permissions(self, user_id: str, channel: Channel) -> int:
        """What ``user_id`` may do in ``channel`` (DMs: what a recipient may do)."""
        if channel.guild_id is None:
            return VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY \
                if user_id in channel.recipient_ids else 0
        guild = self.guild(channel.guild_id)
        perms = self.base_permissions(guild, user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        member = guild.members.get(user_id)
        roles = set(member.roles if member else ())
        for ow in channel.overwrites:
            if ow.id == guild.id:
                perms = (perms & ~ow.deny) | ow.allow
        allow = deny = 0
        for ow in channel.overwrites:
            if ow.type == 0 and ow.id in roles:
                allow, deny = allow | ow.allow, deny | ow.deny
        perms = (perms & ~deny) | allow
        for ow in channel.overwrites:
            if ow.type == 1 and ow.id == user_id:
                perms = (perms & ~ow.deny) | ow.allow
        return perms if perms & VIEW_CHANNEL else 0

    def require(self, user_id: str, channel: Channel, needed: int) -> None:
        """403 Missing Access without View Channel, Missing Permissions without the rest."""
        perms = self.permissions(user_id, channel)
        if not perms & VIEW_CHANNEL:
            raise missing_access()
        if perms & needed != needed:
            raise missing_permissions()

    def top_position(self, guild: Guild, user_id: str) -> int:
        member = guild.members.get(user_id)
        positions = [guild.roles[r].position for r in (member.roles if member else ())
                     if r in guild.roles]
        return max(positions, default=0)

    # ---- messages ----------------------------------------------------------------------------

    def post(self, channel_id: str, author_id: str, content: str, *,
             attachments: list[dict[str, Any]] | None = None, reply_to: str | None = None,
             nonce: str | None = None, created: float | None = None) -> Message:
        channel = self.channel(channel_id)
        msg = Message(
            id=self.snowflake(created), channel_id=channel.id, guild_id=channel.guild_id,
            author_id=author_id, content=content,
            created=self.clock() if created is None else created,
            type=19 if reply_to else 0, attachments=list(attachments or []),
            reply_to=reply_to, nonce=nonce,
        )
        self.messages[msg.id] = msg
        channel.message_ids.append(int(msg.id))
        channel.message_ids.sort()
        self.emit("MESSAGE_CREATE", {"message": msg.id})
        return msg

    def send_as(self, user_id: str, channel_id: str, content: str, nonce: str | None,
                enforce_nonce: bool) -> Message:
        """A message sent over REST: permission, length, and enforced nonce checks."""
        channel = self.channel(channel_id)
        self.require(user_id, channel, SEND_MESSAGES)
        if not content.strip():
            raise DiscordError(400, 50006, "Cannot send an empty message")
        if len(content) > MAX_CONTENT:
            raise invalid_form("content: Must be 2000 or fewer in length.")
        if channel.guild_id is None:
            others = [u for u in channel.recipient_ids if u != user_id]
            if others and not self.users[others[0]].accepts_dms:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        if nonce and enforce_nonce:
            for mid in reversed(channel.message_ids):
                earlier = self.messages[str(mid)]
                if earlier.created < self.clock() - NONCE_WINDOW:
                    break
                if earlier.nonce == nonce and earlier.author_id == user_id:
                    return earlier
        return self.post(channel_id, user_id, content, nonce=nonce)

    def edit(self, message_id: str, content: str) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted_by:
            raise unknown("Message", 10008)
        msg.content, msg.edited = content, self.clock()
        self.emit("MESSAGE_UPDATE", {"message": msg.id})
        return msg

    def delete(self, message_id: str, by: str) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted_by:
            raise unknown("Message", 10008)
        msg.deleted_by = by
        msg.deletes += 1 if by == "bot" else 0
        self.emit("MESSAGE_DELETE", {"id": msg.id, "channel_id": msg.channel_id,
                                     "guild_id": msg.guild_id})
        return msg

    def delete_as(self, user_id: str, channel_id: str, message_id: str, reason: str) -> None:
        """DELETE over REST: one's own message, or anyone's with Manage Messages."""
        channel = self.channel(channel_id)
        self.require(user_id, channel, 0)
        msg = self.message(channel_id, message_id)
        if msg.author_id != user_id:
            self.require(user_id, channel, MANAGE_MESSAGES)
            self.audit(channel.guild_id, user_id, "MESSAGE_DELETE", msg.author_id, reason)
        self.delete(message_id, "bot")

    def history(self, channel_id: str, *, after: int | None = None, before: int | None = None,
                limit: int = 50) -> list[Message]:
        """Discord's order: the page nearest ``after`` (or newest), newest first."""
        ids = self.channel(channel_id).message_ids
        live = [i for i in ids if not self.messages[str(i)].deleted_by]
        if before is not None:
            live = [i for i in live if i < before]
        if after is not None:
            page = [i for i in live if i > after][:limit]
        else:
            page = live[-limit:]
        return [self.messages[str(i)] for i in reversed(page)]

    # ---- members -----------------------------------------------------------------------------

    def set_timeout(self, guild_id: str, actor_id: str, user_id: str, until: float | None,
                    reason: str) -> Member:
        """PATCH member ``communication_disabled_until``: Moderate Members and role rank."""
        guild = self.guild(guild_id)
        if actor_id not in guild.members:
            raise missing_access()
        member = self.member(guild_id, user_id)
        if not self.base_permissions(guild, actor_id) & MODERATE_MEMBERS:
            raise missing_permissions()
        if user_id == guild.owner_id or self.base_permissions(guild, user_id) & ADMINISTRATOR:
            raise missing_permissions()
        if self.top_position(guild, user_id) >= self.top_position(guild, actor_id):
            raise missing_permissions()
        if until is not None and until - self.clock() > MAX_TIMEOUT_SECONDS + 60:
            raise invalid_form("communication_disabled_until: must be within 28 days")
        member.timeout_until = until
        self.timeouts.append({"user_id": user_id, "until": until, "reason": reason})
        self.audit(guild_id, actor_id, "MEMBER_UPDATE", user_id, reason)
        return member

    def open_dm(self, user_id: str, recipient_id: str) -> Channel:
        if recipient_id not in self.users:
            raise unknown("User", 10013)
        for channel in self.channels.values():
            if channel.type == 1 and set(channel.recipient_ids) == {user_id, recipient_id}:
                return channel
        channel = Channel(self.snowflake(), "", type=1, recipient_ids=[user_id, recipient_id])
        self.channels[channel.id] = channel
        return channel

    def audit(self, guild_id: str | None, actor: str, action: str, target: str,
              reason: str) -> None:
        self.audit_log.append({"guild_id": guild_id, "user_id": actor, "action": action,
                               "target_id": target, "reason": reason, "at": self.clock()})
