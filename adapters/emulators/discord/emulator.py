"""``DiscordEmulator``: REST and the gateway in one aiohttp app on 127.0.0.1, with test helpers.

Tests drive it directly (post as a member of the public, edit, delete, break the gateway,
inspect what the bot did); the CLI and the demo run the same object through :mod:`.runner`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from ..common.server import EmulatorServer
from . import render
from .control import ControlRoutes
from .faults import FaultPlan, FaultSpec
from .gateway import DIRECT_MESSAGES, GUILD_MESSAGES, Gateway
from .model import Message, User
from .ratelimit import RateLimiter
from .rest import RestRoutes
from .state import DiscordState


class DiscordEmulator(EmulatorServer):
    """A Discord API (v10) and gateway server with its world in memory.

    The server lifecycle and request log are :class:`..common.server.EmulatorServer`'s (the base
    URL has no trailing slash); stopping also closes the gateway sockets.
    """

    def __init__(
        self,
        *,
        faults: Iterable[FaultSpec | dict[str, Any]] = (),
        heartbeat_interval: int = 41_250,
        rate_limit: tuple[int, float] = (50, 1.0),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = DiscordState(clock=clock)
        self.faults = FaultPlan(faults)
        self.limiter = RateLimiter(*rate_limit, clock=clock)
        self.gateway = Gateway(self, heartbeat_interval)
        self.request_log: deque[dict[str, Any]] = deque(maxlen=2000)
        self.sent: dict[str, Any] = {}  # message id -> the allowed_mentions it was sent with

    # ---- lifecycle ---------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """Control routes, REST under ``/api/v10``, the gateway at ``/`` and ``/resume/``."""
        rest = RestRoutes(self)
        app = web.Application(middlewares=[rest.middleware])
        ControlRoutes(self).install(app)
        rest.install(app)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/resume/", self.gateway.handle)
        return app

    async def stop(self) -> None:
        """Close the gateway sockets and stop listening."""
        if self.running:
            await self.gateway.close_all()
        await super().stop()

    @property
    def api_base_url(self) -> str:
        """What ``discord.http.Route.BASE`` should be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` should be."""
        return self.base_url.replace("http", "ws", 1) + "/"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; discord.py resumes there (a path of its own, so tests can tell)."""
        return self.base_url.replace("http", "ws", 1) + "/resume/"

    # ---- the world ---------------------------------------------------------------------------

    @property
    def bot_token(self) -> str:
        assert self.world.app is not None, "seed the emulator first (seed_demo or setup_bot)"
        return self.world.app.token

    @property
    def bot_user_id(self) -> str:
        assert self.world.app is not None
        return self.world.app.bot_user_id

    def setup_bot(self, name: str = "ModBot", *, token: str | None = None,
                  user_id: str | None = None) -> User:
        """The bot user and its application (owned by a staff account)."""
        bot = self.world.add_user(name, user_id=user_id, bot=True)
        owner = self.world.user_named("IT Lead")
        self.world.set_application(name, bot, owner, token=token)
        return bot

    def set_message_content_intent(self, enabled: bool) -> None:
        """The developer portal switch: IDENTIFY asking for it closes 4014 when off."""
        assert self.world.app is not None
        flags = self.world.app.flags & ~((1 << 18) | (1 << 19))
        self.world.app.flags = flags | (1 << 19 if enabled else 0)

    def post_message(
        self,
        channel_id: str,
        author: str,
        text: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
        reply_to: str | None = None,
        created: float | None = None,
    ) -> dict[str, Any]:
        """A member of the server posts (``author`` is a user id or a display name)."""
        user = self.world.users.get(author) or self.world.user_named(author)
        channel = self.world.channel(channel_id)
        if channel.guild_id is not None:
            self.world.add_member(channel.guild_id, user.id)
        files = [self._attachment(channel_id, a) for a in attachments or []]
        msg = self.world.post(channel_id, user.id, text, attachments=files,
                              reply_to=reply_to, created=created)
        self.publish()
        return self.message_json(msg.id)

    def _attachment(self, channel_id: str, given: dict[str, Any]) -> dict[str, Any]:
        """Discord's attachment object, from whatever part of it a test gives."""
        file_id = str(given.get("id") or self.world.snowflake())
        name = str(given.get("filename") or "photo.jpg")
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{file_id}/{name}"
        return {"id": file_id, "filename": name, "size": int(given.get("size", 1024)),
                "url": url, "proxy_url": url.replace("cdn.", "media.", 1),
                "content_type": given.get("content_type", "image/jpeg")} | dict(given)

    def edit_message(self, message_id: str, text: str) -> dict[str, Any]:
        """Its author edits a message (MESSAGE_UPDATE)."""
        self.world.edit(message_id, text)
        self.publish()
        return self.message_json(message_id)

    def delete_message_by_author(self, message_id: str) -> None:
        """Its author deletes a message (MESSAGE_DELETE)."""
        self.world.delete(message_id, "author")
        self.publish()

    def message_json(self, message_id: str) -> dict[str, Any]:
        """A message as REST shows it (deleted ones too, with ``deleted_by``)."""
        msg = self.world.messages[message_id]
        return render.message_json(self.world, msg) | {"deleted_by": msg.deleted_by}

    def publish(self) -> None:
        """Dispatch the world's pending changes to the gateway sessions."""
        world = self.world
        for name, data in world.drain_events():
            if name == "MESSAGE_DELETE":
                intent = GUILD_MESSAGES if data.get("guild_id") else DIRECT_MESSAGES
                body = {k: v for k, v in data.items() if v is not None}
                self.gateway.dispatch(name, body, intent=intent)
                continue
            msg = world.messages[data["message"]]
            intent = GUILD_MESSAGES if msg.guild_id else DIRECT_MESSAGES
            self.gateway.dispatch(name, render.message_json(world, msg, gateway=True),
                                  intent=intent, author_id=msg.author_id)

    # ---- gateway faults ----------------------------------------------------------------------

    def drop_gateway(self, *, code: int | None = None, lose_events: bool = False,
                     hold: bool = False) -> int:
        """Cut the gateway (see :meth:`.gateway.Gateway.drop`); returns connections cut."""
        return self.gateway.drop(code=code, lose_events=lose_events, hold=hold)

    def refuse_gateway(self, status: int = 403) -> None:
        """Refuse new gateway connections with HTTP ``status`` (REST still answers)."""
        self.gateway.refuse(status)

    def release_gateway(self) -> None:
        """Let held gateway connections proceed, and accept new ones again."""
        self.gateway.release()

    # ---- REST faults -------------------------------------------------------------------------

    def add_fault(self, fault: FaultSpec | dict[str, Any]) -> FaultSpec:
        """Arm a REST fault for the next matching request(s)."""
        return self.faults.arm(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    # ---- inspection --------------------------------------------------------------------------

    def note_sent(self, message_id: str, allowed_mentions: Any) -> None:
        self.sent[message_id] = allowed_mentions

    def bot_messages(self, channel_id: str | None = None) -> list[Message]:
        """Messages the bot posted (channel notices and DMs), oldest first."""
        bot = self.bot_user_id
        return sorted(
            (m for m in self.world.messages.values()
             if m.author_id == bot and (channel_id is None or m.channel_id == channel_id)),
            key=lambda m: int(m.id),
        )

    def notices(self, channel_id: str | None = None) -> list[str]:
        """Texts the bot posted in server channels."""
        return [m.content for m in self.bot_messages(channel_id) if m.guild_id is not None]

    def dms(self) -> list[tuple[str, str]]:
        """(recipient id, text) of every direct message the bot sent."""
        bot = self.bot_user_id
        found = []
        for msg in self.bot_messages():
            channel = self.world.channels[msg.channel_id]
            if channel.guild_id is None:
                others = [u for u in channel.recipient_ids if u != bot]
                found.append((others[0] if others else "", msg.content))
        return found

    def deleted_by_bot(self) -> dict[str, int]:
        """Message id -> successful DELETE calls by the bot (more than 1 would be a bug)."""
        return {m.id: m.deletes for m in self.world.messages.values() if m.deletes}

    def timeouts(self) -> list[dict[str, Any]]:
        """Every timeout the bot set: ``{"user_id", "until", "reason"}``."""
        return list(self.world.timeouts)

    def state(self) -> dict[str, Any]:
        """Everything a test or the control API wants to see."""
        world = self.world
        return {
            "messages": [self.message_json(m) for m in sorted(world.messages, key=int)],
            "deleted_by_bot": self.deleted_by_bot(),
            "notices": self.notices(),
            "dms": [{"user_id": u, "text": t} for u, t in self.dms()],
            "timeouts": self.timeouts(),
            "audit_log": list(world.audit_log),
            "gateway": dict(self.gateway.stats) | {"connected": self.gateway.connected()},
            "rate_limited": self.limiter.limited,
            "faults": self.faults.summary(),
        }

    def log_request(self, request: web.Request, status: int, fault: str) -> None:
        """Remember a REST call (no token, no body) for tests and debugging."""
        self.log_call(request, status, fault)

    def info(self) -> dict[str, Any]:
        """What a client needs to connect: the first line the CLI prints."""
        world = self.world
        guild = next(iter(world.guilds.values()), None)
        channels = {world.channels[c].name: c for c in guild.channel_ids} if guild else {}
        return {
            "platform": "discord",
            "base_url": self.base_url,
            "api_base_url": self.api_base_url if self.base_url else "",
            "gateway_url": self.gateway_url if self.base_url else "",
            "control_url": self.control_url,
            "bot_token": world.app.token if world.app else None,
            "bot_user_id": world.app.bot_user_id if world.app else None,
            "application_id": world.app.id if world.app else None,
            "guild_id": guild.id if guild else None,
            "guild_name": guild.name if guild else None,
            "channel_ids": list(channels.values()),
            "channels": channels,
        }
