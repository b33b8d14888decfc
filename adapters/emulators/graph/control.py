"""The control API under ``/_emulator/``: seed, inspect, break and wire up the emulator over HTTP.

It is what the demo script, the crash test and a curious school use; it speaks plain JSON (no
Graph shapes, no tokens) and answers ``{"error": ...}`` with 400 / 404 / 409 on bad input
(the JSON helpers are :mod:`..common.control`'s; which Graph errors are 404 is decided here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..common.control import PREFIX, ControlBase, Route, add_routes, guard_for, json_object, ok
from .state import GraphError

if TYPE_CHECKING:
    from .emulator import GraphEmulator


def _refused(error: GraphError) -> web.Response:
    """Graph's code 100 (no such object) is 404; any other Graph refusal 409."""
    return ok({"error": error.message}, 404 if error.code == 100 else 409)


_guard = guard_for(GraphError, _refused)
"""Bad input -> 400, unknown ids (Graph's code 100) -> 404, other Graph refusals -> 409."""


class ControlRoutes(ControlBase):
    """Handlers bound to one emulator (``/info``, ``/state`` and ``/requests`` are the base's)."""

    emu: GraphEmulator

    def install(self, app: web.Application) -> None:
        """Register every ``/_emulator/...`` route."""
        routes: list[Route] = [
            ("GET", "/info", self.info),
            ("GET", "/state", self.state),
            ("POST", "/reset", self.reset),
            ("POST", "/pages", self.add_page),
            ("POST", "/posts", self.add_post),
            ("POST", "/comments", self.add_comment),
            ("GET", "/comments/{comment_id}", self.get_comment),
            ("POST", "/comments/{comment_id}/edit", self.edit_comment),
            ("POST", "/comments/{comment_id}/delete", self.delete_comment),
            ("GET", "/faults", self.get_faults),
            ("POST", "/faults", self.add_faults),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/webhook", self.get_webhook),
            ("POST", "/webhook", self.set_webhook),
            ("DELETE", "/webhook", self.clear_webhook),
            ("POST", "/webhook/verify", self.verify_webhook),
            ("POST", "/webhook/flush", self.flush_webhooks),
            ("GET", "/requests", self.requests),
            ("POST", "/permissions", self.set_permissions),
            ("POST", "/subscription", self.set_subscription),
        ]
        add_routes(app, PREFIX, routes, _guard)

    async def reset(self, request: web.Request) -> web.Response:
        """Forget posts, comments, blocks, faults and counters."""
        self.emu.reset()
        return ok({"ok": True})

    async def add_page(self, request: web.Request) -> web.Response:
        """``{"name", "id"?, "access_token"?}`` -> the page with its token."""
        body = await json_object(request)
        page = self.emu.add_page(str(body["name"]), body.get("id"), body.get("access_token"))
        return ok({"id": page.id, "name": page.name, "access_token": page.access_token}, 201)

    async def add_post(self, request: web.Request) -> web.Response:
        """``{"message", "page_id"?, "created_time"? (unix)}`` -> the post."""
        body = await json_object(request)
        post = self.emu.add_post(
            str(body["message"]), body.get("page_id"), body.get("created_time")
        )
        return ok(post, 201)

    async def add_comment(self, request: web.Request) -> web.Response:
        """A member of the public comments; see the module docstring of :mod:`.control`.

        ``{"post_id", "message", "from": {"id"?, "name"} | "author": name, "parent_id"?,
        "attachment"?, "created_time"? (unix), "webhook"?: true}`` -> the comment.
        """
        body = await json_object(request)
        author = body.get("from") or {}
        if not isinstance(author, dict):
            raise TypeError("from must be an object with id and name")
        name = str(author.get("name") or body.get("author") or "A Parent")
        comment = self.emu.add_comment(
            str(body.get("post_id") or ""),
            str(body["message"]),
            author=name,
            author_id=author.get("id") or body.get("author_id"),
            parent_id=body.get("parent_id"),
            attachment=body.get("attachment"),
            created_time=body.get("created_time"),
            webhook=bool(body.get("webhook", True)),
        )
        return ok(comment, 201)

    async def get_comment(self, request: web.Request) -> web.Response:
        """One comment with flags and op counts."""
        return ok(self.emu.comment(request.match_info["comment_id"]))

    async def edit_comment(self, request: web.Request) -> web.Response:
        """The author edits: ``{"message", "webhook"?: true}`` -> the comment (verb "edited")."""
        body = await json_object(request)
        comment = self.emu.edit_comment(
            request.match_info["comment_id"],
            str(body["message"]),
            webhook=bool(body.get("webhook", True)),
        )
        return ok(comment)

    async def delete_comment(self, request: web.Request) -> web.Response:
        """The author deletes their comment: ``{"webhook"?: true}`` -> it (verb "remove")."""
        body = await json_object(request)
        comment = self.emu.delete_comment_by_author(
            request.match_info["comment_id"], webhook=bool(body.get("webhook", True))
        )
        return ok(comment)

    async def get_faults(self, request: web.Request) -> web.Response:
        """Armed faults, fired counts and the webhook drop rate."""
        return ok(self._faults())

    async def add_faults(self, request: web.Request) -> web.Response:
        """One fault object, or ``{"faults": [...], "webhook_drop_rate"?: p}``."""
        body = await json_object(request)
        if "kind" in body:
            self.emu.add_fault(body)
        else:
            for fault in body.get("faults", []):
                self.emu.add_fault(fault)
            if "webhook_drop_rate" in body:
                rate = float(body["webhook_drop_rate"])
                if not 0.0 <= rate <= 1.0:
                    raise ValueError("webhook_drop_rate must be between 0 and 1")
                self.emu.webhooks.drop_rate = rate
        return ok(self._faults())

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Disarm every fault and stop dropping webhooks."""
        self.emu.clear_faults()
        self.emu.webhooks.drop_rate = 0.0
        return ok(self._faults())

    def _faults(self) -> dict[str, Any]:
        return {**self.emu.faults.summary(), "webhook_drop_rate": self.emu.webhooks.drop_rate}

    async def get_webhook(self, request: web.Request) -> web.Response:
        """The target and delivery counters."""
        return ok(self.emu.webhooks.stats())

    async def set_webhook(self, request: web.Request) -> web.Response:
        """``{"url", "app_secret"?, "verify_token"?, "verify"?: bool}``; verify shakes hands."""
        body = await json_object(request)
        self.emu.set_webhook(str(body["url"]), body.get("app_secret"), body.get("verify_token"))
        result: dict[str, Any] = self.emu.webhooks.stats()
        if body.get("verify"):
            result["verification"] = await self.emu.verify_webhook()
        return ok(result)

    async def clear_webhook(self, request: web.Request) -> web.Response:
        """Stop delivering."""
        self.emu.clear_webhook()
        return ok(self.emu.webhooks.stats())

    async def verify_webhook(self, request: web.Request) -> web.Response:
        """Run the GET handshake against the target: ``{"ok", "status", "detail"}``."""
        return ok(await self.emu.verify_webhook())

    async def flush_webhooks(self, request: web.Request) -> web.Response:
        """Wait for deliveries in flight, then report the counters."""
        await self.emu.flush_webhooks()
        return ok(self.emu.webhooks.stats())

    async def set_permissions(self, request: web.Request) -> web.Response:
        """``{"pages_manage_engagement": "declined", ...}`` (``?page_id=``) -> the page's."""
        page_id = request.query.get("page_id")
        for permission, status in (await json_object(request)).items():
            self.emu.set_page_permission(str(permission), str(status), page_id)
        page = self.emu.world.page(page_id) if page_id else self.emu.page
        return ok({"page_id": page.id, "permissions": dict(page.permissions)})

    async def set_subscription(self, request: web.Request) -> web.Response:
        """``{"fields": ["feed"]}`` (empty list: unsubscribed; ``?page_id=``) -> the page's."""
        fields = (await json_object(request)).get("fields")
        if not isinstance(fields, list):
            raise TypeError("fields must be a list of webhook field names")
        page_id = request.query.get("page_id")
        self.emu.set_page_subscribed_fields(fields, page_id)
        page = self.emu.world.page(page_id) if page_id else self.emu.page
        return ok({"page_id": page.id, "subscribed_fields": list(page.subscribed_fields)})
