"""The REST API under ``/api/v10``: the calls discord.py makes for a moderation bot.

Every answer is exactly ``application/json`` (discord.py reads anything else as text) with the
rate-limit headers of its bucket; errors are Discord's ``{"code", "message"}``.  Faults are
applied in the middleware, where a real network or platform would fail.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web
from aiohttp.typedefs import Handler

from ..common.faults import answer_late, bad_gateway_page, truncated_json
from . import render
from .faults import FaultSpec
from .model import (
    READ_MESSAGE_HISTORY,
    VIEW_CHANNEL,
    DiscordError,
    Guild,
    invalid_form,
    missing_access,
)
from .ratelimit import retry_after_header

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = "application/json"
API = r"/api/v{version:\d+}"


def json_response(body: Any, status: int = 200) -> web.Response:
    """Exactly ``Content-Type: application/json`` (no charset), as discord.py expects."""
    return web.Response(body=json.dumps(body, separators=(",", ":")).encode("utf-8"),
                        status=status, content_type=JSON)


def error_response(error: DiscordError) -> web.Response:
    return json_response(error.body(), error.status)


def _snowflake_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise invalid_form(f"{name}: Value \"{raw}\" is not snowflake.")
    return int(raw)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    if not isinstance(body, dict):
        raise DiscordError(400, 50109, "The request body contains invalid JSON.")
    return body


class RestRoutes:
    """The REST handlers and middleware, bound to one emulator."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self.gateway),
            ("GET", "/gateway/bot", self.gateway_bot),
            ("GET", "/users/@me", self.me),
            ("POST", "/users/@me/channels", self.open_dm),
            ("GET", "/oauth2/applications/@me", self.application),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", self.patch_member),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, handler)
        app.router.add_route("*", API + "/{tail:.*}", self.not_found)

    # ---- middleware --------------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Faults, then authentication and the route's bucket, then the handler."""
        if not request.path.startswith("/api/"):
            return await handler(request)
        emu = self.emu
        path = request.path.split("/", 3)[-1] if request.path.count("/") >= 3 else ""
        fault = emu.faults.take(request.method, "/" + path)
        route = request.match_info.route.resource
        template = route.canonical if route is not None else request.path
        major = request.match_info.get("channel_id") or request.match_info.get("guild_id") or ""
        verdict = emu.limiter.check(f"{request.method} {template}", major)
        try:
            if fault is not None:
                response = await self._faulted(fault, request, handler, verdict.headers)
            elif not verdict.allowed:
                response = self._throttled(verdict.retry_after, via=True)
            else:
                response = await self._authorised(request, handler)
        finally:
            emu.publish()
        for name, value in verdict.headers.items():
            response.headers.setdefault(name, value)
        emu.log_request(request, response.status, fault.kind if fault else "")
        return response

    async def _authorised(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.route.resource is not None and request.path.endswith("/gateway"):
            return await handler(request)
        app = self.emu.world.app
        given = request.headers.get("Authorization", "")
        if app is None or given != f"Bot {app.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        try:
            return await handler(request)
        except DiscordError as error:
            return error_response(error)

    @staticmethod
    def _throttled(retry_after: float, *, via: bool, is_global: bool = False) -> web.Response:
        response = json_response({"message": "You are being rate limited.",
                                  "retry_after": round(retry_after, 3), "global": is_global}, 429)
        response.headers["Retry-After"] = retry_after_header(retry_after)
        response.headers["X-RateLimit-Scope"] = "global" if is_global else "user"
        if is_global:
            response.headers["X-RateLimit-Global"] = "true"
        if via:
            response.headers["Via"] = "1.1 google"
        return response

    async def _faulted(self, fault: FaultSpec, request: web.Request, handler: Handler,
                       headers: dict[str, str]) -> web.StreamResponse:
        if fault.kind == "error":
            texts = {500: "Internal Server Error", 502: "Bad Gateway",
                     503: "Service Unavailable", 504: "Gateway Timeout"}
            text = texts.get(fault.status, "Server Error")
            return json_response({"message": f"{fault.status}: {text}", "code": 0}, fault.status)
        if fault.kind == "throttle":
            response = self._throttled(fault.retry_after, via=fault.via, is_global=fault.is_global)
            response.headers["X-RateLimit-Remaining"] = "0"
            response.headers["X-RateLimit-Reset-After"] = f"{fault.retry_after:.3f}"
            return response
        if fault.kind == "unauthorized":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        if fault.kind == "slow":
            if fault.process_first:
                response = await self._authorised(request, handler)
                self.emu.publish()
                await asyncio.sleep(fault.delay)
                return response
            await answer_late(request, fault.delay)
            return await self._authorised(request, handler)
        if fault.body == "html":
            return bad_gateway_page()
        return truncated_json(await self._authorised(request, handler))

    # ---- handlers ----------------------------------------------------------------------------

    async def not_found(self, request: web.Request) -> web.Response:
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.emu.gateway_url.rstrip("/")})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response({
            "url": self.emu.gateway_url.rstrip("/"), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86_400_000,
                                    "max_concurrency": 1},
        })

    def _bot_id(self) -> str:
        app = self.emu.world.app
        assert app is not None
        return app.bot_user_id

    async def me(self, request: web.Request) -> web.Response:
        world = self.emu.world
        return json_response(render.user_json(world.users[self._bot_id()], me=True))

    async def application(self, request: web.Request) -> web.Response:
        world = self.emu.world
        assert world.app is not None
        return json_response(render.application_json(world, world.app))

    async def open_dm(self, request: web.Request) -> web.Response:
        body = await _body(request)
        recipient = str(body.get("recipient_id") or "")
        channel = self.emu.world.open_dm(self._bot_id(), recipient)
        return json_response(render.channel_json(self.emu.world, channel))

    def _guild(self, request: web.Request) -> Guild:
        guild = self.emu.world.guilds.get(request.match_info["guild_id"])
        if guild is None or self._bot_id() not in guild.members:
            raise missing_access()
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        return json_response(render.guild_json(self.emu.world, self._guild(request)))

    async def guild_channels(self, request: web.Request) -> web.Response:
        world, guild = self.emu.world, self._guild(request)
        return json_response([render.channel_json(world, world.channels[c])
                              for c in guild.channel_ids])

    async def guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([render.role_json(r) for r in guild.roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self.emu.world.member(guild.id, request.match_info["user_id"])
        return json_response(render.member_json(self.emu.world, member))

    async def patch_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        body = await _body(request)
        world = self.emu.world
        member = world.member(guild.id, request.match_info["user_id"])
        if "communication_disabled_until" in body:
            raw = body["communication_disabled_until"]
            until: float | None = None
            if raw is not None:
                try:
                    until = datetime.fromisoformat(str(raw)).timestamp()
                except ValueError:
                    raise invalid_form("communication_disabled_until: invalid date") from None
            reason = unquote(request.headers.get("X-Audit-Log-Reason", ""))
            member = world.set_timeout(guild.id, self._bot_id(), member.user_id, until, reason)
        return json_response(render.member_json(world, member))

    async def get_channel(self, request: web.Request) -> web.Response:
        world = self.emu.world
        channel = world.channel(request.match_info["channel_id"])
        world.require(self._bot_id(), channel, VIEW_CHANNEL)
        return json_response(render.channel_json(world, channel))

    async def list_messages(self, request: web.Request) -> web.Response:
        world = self.emu.world
        channel = world.channel(request.match_info["channel_id"])
        world.require(self._bot_id(), channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        raw_limit = request.query.get("limit", "50")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise invalid_form("limit: int value should be less than or equal to 100.")
        page = world.history(channel.id, after=_snowflake_param(request, "after"),
                             before=_snowflake_param(request, "before"), limit=int(raw_limit))
        return json_response([render.message_json(world, m) for m in page])

    async def get_message(self, request: web.Request) -> web.Response:
        world = self.emu.world
        channel = world.channel(request.match_info["channel_id"])
        world.require(self._bot_id(), channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        msg = world.message(channel.id, request.match_info["message_id"])
        return json_response(render.message_json(world, msg))

    async def create_message(self, request: web.Request) -> web.Response:
        world = self.emu.world
        body = await _body(request)
        content = body.get("content") or ""
        if not isinstance(content, str):
            raise invalid_form("content: Could not interpret as string.")
        nonce = body.get("nonce")
        msg = world.send_as(self._bot_id(), request.match_info["channel_id"], content,
                            str(nonce) if nonce is not None else None,
                            bool(body.get("enforce_nonce")))
        self.emu.note_sent(msg.id, body.get("allowed_mentions"))
        return json_response(render.message_json(world, msg))

    async def delete_message(self, request: web.Request) -> web.Response:
        world = self.emu.world
        reason = unquote(request.headers.get("X-Audit-Log-Reason", ""))
        world.delete_as(self._bot_id(), request.match_info["channel_id"],
                        request.match_info["message_id"], reason)
        return web.Response(status=204)

