"""Gateway events -> plain data: the discord.Client subclass and the listener it feeds.

discord.py parses each gateway event into its models; the adapter wants Discord's JSON, so a
new message is turned back into that shape here (edits and deletions arrive raw already).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import discord


class GatewayListener(Protocol):
    """What the adapter hears from the gateway, as plain data."""

    def message_seen(self, payload: dict[str, Any]) -> None:
        """A new message (MESSAGE_CREATE), as Discord message JSON."""

    def message_edited(self, payload: dict[str, Any]) -> None:
        """An edited message (MESSAGE_UPDATE), as Discord sent it."""

    def messages_deleted(self, channel_id: str, message_ids: list[str]) -> None:
        """Messages removed (MESSAGE_DELETE / MESSAGE_DELETE_BULK)."""

    def gateway_gap(self, reason: str) -> None:
        """Events may have been missed (a disconnection, a resume, a new session)."""

    def gateway_ready(self) -> None:
        """The session is ready (READY and the servers' GUILD_CREATE are in, or RESUMED)."""


def message_payload(message: discord.Message) -> dict[str, Any]:
    """A parsed gateway message back in the Discord JSON shape :mod:`.translate` reads."""
    author = message.author
    payload: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel.id),
        "guild_id": str(message.guild.id) if message.guild else None,
        "type": message.type.value,
        "content": message.content,
        "timestamp": message.created_at.isoformat(),
        "edited_timestamp": message.edited_at.isoformat() if message.edited_at else None,
        "author": {
            "id": str(author.id),
            "username": author.name,
            "global_name": author.global_name,
            "bot": author.bot,
        },
        "attachments": [
            {"id": str(a.id), "filename": a.filename, "content_type": a.content_type,
             "size": a.size}
            for a in message.attachments
        ],
        "sticker_items": [{"id": str(s.id), "name": s.name} for s in message.stickers],
    }
    if isinstance(author, discord.Member):
        payload["member"] = {"nick": author.nick}
    ref = message.reference
    if ref is not None and ref.message_id is not None:
        payload["message_reference"] = {
            "type": ref.type.value,
            "message_id": str(ref.message_id),
            "channel_id": str(ref.channel_id),
        }
    return payload


class ModBotClient(discord.Client):
    """A discord.Client whose events go to a :class:`GatewayListener`."""

    def __init__(self, listener: GatewayListener, ready: asyncio.Event, **options: Any) -> None:
        super().__init__(**options)
        self.listener = listener
        self.ready_event = ready

    async def on_ready(self) -> None:
        self.ready_event.set()
        self.listener.gateway_ready()

    async def on_connect(self) -> None:
        self.listener.gateway_gap("new gateway session")

    async def on_resumed(self) -> None:
        self.listener.gateway_gap("gateway session resumed")
        self.listener.gateway_ready()

    async def on_disconnect(self) -> None:
        self.listener.gateway_gap("gateway disconnected")

    async def on_message(self, message: discord.Message) -> None:
        self.listener.message_seen(message_payload(message))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.listener.message_edited(dict(payload.data))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.listener.messages_deleted(str(payload.channel_id), [str(payload.message_id)])

    async def on_raw_bulk_message_delete(
        self, payload: discord.RawBulkMessageDeleteEvent
    ) -> None:
        ids = sorted(str(i) for i in payload.message_ids)
        self.listener.messages_deleted(str(payload.channel_id), ids)
