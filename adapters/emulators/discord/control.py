"""The control API under ``/_emulator/``: post, edit, delete, break and inspect over HTTP.

For the demo script and for a school trying settings by hand; plain JSON, no Discord shapes
required, ``{"error": ...}`` with 400 / 404 on bad input.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .model import DiscordError

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

Handler = Callable[[web.Request], Awaitable[web.Response]]
PREFIX = "/_emulator"


def _ok(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(body).encode("utf-8"), status=status,
                        content_type="application/json")


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    body = json.loads(await request.text())
    if not isinstance(body, dict):
        raise TypeError("body must be a JSON object")
    return body


def _guard(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except DiscordError as error:
            return _ok({"error": error.message}, 404 if error.status == 404 else 409)
        except (ValueError, TypeError, KeyError) as error:
            return _ok({"error": f"{type(error).__name__}: {error}"}, 400)

    return wrapped


class ControlRoutes:
    """Handlers bound to one emulator."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/info", self.info),
            ("GET", "/state", self.state),
            ("POST", "/messages", self.post_message),
            ("POST", "/messages/{message_id}/edit", self.edit_message),
            ("POST", "/messages/{message_id}/delete", self.delete_message),
            ("POST", "/faults", self.add_faults),
            ("DELETE", "/faults", self.clear_faults),
            ("POST", "/gateway/drop", self.drop_gateway),
            ("POST", "/gateway/refuse", self.refuse_gateway),
            ("POST", "/gateway/release", self.release_gateway),
            ("POST", "/intent", self.set_intent),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, PREFIX + path, _guard(handler))

    async def info(self, request: web.Request) -> web.Response:
        return _ok(self.emu.info())

    async def state(self, request: web.Request) -> web.Response:
        return _ok(self.emu.state())

    async def post_message(self, request: web.Request) -> web.Response:
        """``{"channel_id", "author", "text", "reply_to"?, "attachments"?}`` -> the message."""
        body = await _body(request)
        msg = self.emu.post_message(
            str(body["channel_id"]), str(body.get("author") or "A Parent"), str(body["text"]),
            attachments=body.get("attachments"), reply_to=body.get("reply_to"),
        )
        return _ok(msg, 201)

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return _ok(self.emu.edit_message(request.match_info["message_id"], str(body["text"])))

    async def delete_message(self, request: web.Request) -> web.Response:
        self.emu.delete_message_by_author(request.match_info["message_id"])
        return _ok({"ok": True})

    async def add_faults(self, request: web.Request) -> web.Response:
        """One fault object, or ``{"faults": [...]}``."""
        body = await _body(request)
        for fault in [body] if "kind" in body else body.get("faults", []):
            self.emu.add_fault(fault)
        return _ok({"pending": self.emu.faults.pending()})

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.emu.clear_faults()
        return _ok({"pending": []})

    async def drop_gateway(self, request: web.Request) -> web.Response:
        """``{"code"?: int, "lose_events"?: bool, "hold"?: bool}`` -> connections cut."""
        body = await _body(request)
        code = body.get("code")
        cut = self.emu.drop_gateway(code=int(code) if code is not None else None,
                                    lose_events=bool(body.get("lose_events")),
                                    hold=bool(body.get("hold")))
        return _ok({"cut": cut})

    async def refuse_gateway(self, request: web.Request) -> web.Response:
        """``{"status"?: int}``: new gateway connections get that HTTP status (403)."""
        body = await _body(request)
        self.emu.refuse_gateway(int(body.get("status", 403)))
        return _ok({"ok": True})

    async def release_gateway(self, request: web.Request) -> web.Response:
        self.emu.release_gateway()
        return _ok({"ok": True})

    async def set_intent(self, request: web.Request) -> web.Response:
        """``{"message_content": bool}``: the developer portal switch."""
        body = await _body(request)
        self.emu.set_message_content_intent(bool(body["message_content"]))
        return _ok({"ok": True})
