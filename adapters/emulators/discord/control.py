"""The control API under ``/_emulator/``: post, edit, delete, break and inspect over HTTP.

For the demo script and for a school trying settings by hand; plain JSON, no Discord shapes
required, ``{"error": ...}`` with 400 / 404 on bad input (the JSON helpers are
:mod:`..common.control`'s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..common.control import PREFIX, ControlBase, Route, add_routes, guard_for, json_object, ok
from .model import DiscordError

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


def _refused(error: DiscordError) -> web.Response:
    """Discord's 404s stay 404; any other Discord refusal is 409."""
    return ok({"error": error.message}, 404 if error.status == 404 else 409)


_guard = guard_for(DiscordError, _refused)
"""Bad input -> 400, unknown ids -> 404, Discord refusals -> 409."""


class ControlRoutes(ControlBase):
    """Handlers bound to one emulator (``/info`` and ``/state`` are the base's)."""

    emu: DiscordEmulator

    def install(self, app: web.Application) -> None:
        routes: list[Route] = [
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
        add_routes(app, PREFIX, routes, _guard)

    async def post_message(self, request: web.Request) -> web.Response:
        """``{"channel_id", "author", "text", "reply_to"?, "attachments"?}`` -> the message."""
        body = await json_object(request)
        msg = self.emu.post_message(
            str(body["channel_id"]), str(body.get("author") or "A Parent"), str(body["text"]),
            attachments=body.get("attachments"), reply_to=body.get("reply_to"),
        )
        return ok(msg, 201)

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        return ok(self.emu.edit_message(request.match_info["message_id"], str(body["text"])))

    async def delete_message(self, request: web.Request) -> web.Response:
        self.emu.delete_message_by_author(request.match_info["message_id"])
        return ok({"ok": True})

    async def add_faults(self, request: web.Request) -> web.Response:
        """One fault object, or ``{"faults": [...]}``."""
        body = await json_object(request)
        for fault in [body] if "kind" in body else body.get("faults", []):
            self.emu.add_fault(fault)
        return ok({"pending": self.emu.faults.pending()})

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.emu.clear_faults()
        return ok({"pending": []})

    async def drop_gateway(self, request: web.Request) -> web.Response:
        """``{"code"?: int, "lose_events"?: bool, "hold"?: bool}`` -> connections cut."""
        body = await json_object(request)
        code = body.get("code")
        cut = self.emu.drop_gateway(code=int(code) if code is not None else None,
                                    lose_events=bool(body.get("lose_events")),
                                    hold=bool(body.get("hold")))
        return ok({"cut": cut})

    async def refuse_gateway(self, request: web.Request) -> web.Response:
        """``{"status"?: int}``: new gateway connections get that HTTP status (403)."""
        body = await json_object(request)
        self.emu.refuse_gateway(int(body.get("status", 403)))
        return ok({"ok": True})

    async def release_gateway(self, request: web.Request) -> web.Response:
        self.emu.release_gateway()
        return ok({"ok": True})

    async def set_intent(self, request: web.Request) -> web.Response:
        """``{"message_content": bool}``: the developer portal switch."""
        body = await json_object(request)
        self.emu.set_message_content_intent(bool(body["message_content"]))
        return ok({"ok": True})
