"""The Instagram part of the control API, under ``/_emulator/instagram/``.

Plain JSON, like :mod:`.control` (whose error handling it shares): seed media and comments as
members of the public, read a comment's flags, and take permissions or the webhook subscription
away to see how an integration reports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..common.control import PREFIX, Route, add_routes, json_object, ok
from .control import _guard
from .ig_render import account_json

if TYPE_CHECKING:
    from .ig_emulator import InstagramEmulator

IG_PREFIX = PREFIX + "/instagram"


class InstagramControlRoutes:
    """Handlers bound to one Instagram emulator."""

    def __init__(self, emu: InstagramEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        """Register every ``/_emulator/instagram/...`` route."""
        routes: list[Route] = [
            ("GET", "/state", self.state),
            ("POST", "/accounts", self.add_account),
            ("POST", "/media", self.add_media),
            ("POST", "/comments", self.add_comment),
            ("GET", "/comments/{comment_id}", self.get_comment),
            ("POST", "/comments/{comment_id}/delete", self.delete_comment),
            ("POST", "/permissions", self.set_permissions),
            ("POST", "/subscription", self.set_subscription),
        ]
        add_routes(app, IG_PREFIX, routes, _guard)

    async def state(self, request: web.Request) -> web.Response:
        """Accounts, media, comments with flags and op counts, account replies, totals."""
        return ok(self.emu.state()["instagram"])

    async def add_account(self, request: web.Request) -> web.Response:
        """``{"username", "id"?, "name"?, "page_id"?, "access_token"?}`` -> the account."""
        body = await json_object(request)
        account = self.emu.add_ig_account(
            str(body["username"]),
            ig_user_id=body.get("id"),
            name=str(body.get("name") or ""),
            page_id=body.get("page_id"),
            access_token=body.get("access_token"),
        )
        return ok({**account_json(account), "access_token": self.emu.token_for(account)}, 201)

    async def add_media(self, request: web.Request) -> web.Response:
        """``{"caption", "timestamp"? (unix), "owner_id"?, "media_type"?, ...}`` -> the media."""
        body = await json_object(request)
        media = self.emu.add_media(
            str(body["caption"]),
            owner_id=body.get("owner_id"),
            timestamp=body.get("timestamp"),
            media_type=str(body.get("media_type", "IMAGE")),
            media_product_type=str(body.get("media_product_type", "FEED")),
        )
        return ok(media, 201)

    async def add_comment(self, request: web.Request) -> web.Response:
        """A member of the public comments on ``media_id`` or replies to ``parent_id``.

        ``{"media_id" | "parent_id", "text", "username"?, "from_id"?, "timestamp"? (unix),
        "webhook"?: true}`` -> the comment.
        """
        body = await json_object(request)
        target = body.get("parent_id") or body.get("media_id")
        if not target:
            raise ValueError("media_id or parent_id is required")
        comment = self.emu.add_ig_comment(
            str(target),
            str(body["text"]),
            username=str(body.get("username") or "a_parent"),
            from_id=body.get("from_id"),
            timestamp=body.get("timestamp"),
            webhook=bool(body.get("webhook", True)),
        )
        return ok(comment, 201)

    async def get_comment(self, request: web.Request) -> web.Response:
        """One comment with flags and op counts."""
        return ok(self.emu.ig_comment(request.match_info["comment_id"]))

    async def delete_comment(self, request: web.Request) -> web.Response:
        """The author deletes their comment."""
        return ok(self.emu.delete_ig_comment_by_author(request.match_info["comment_id"]))

    async def set_permissions(self, request: web.Request) -> web.Response:
        """``{"instagram_manage_comments": "declined", ...}`` -> the account's permissions."""
        body = await json_object(request)
        for permission, status in body.items():
            self.emu.set_permission(str(permission), str(status))
        return ok(account_json(self.emu.account))

    async def set_subscription(self, request: web.Request) -> web.Response:
        """``{"fields": ["comments"]}`` (empty list: unsubscribed) -> the account."""
        body = await json_object(request)
        fields = body.get("fields", [])
        if not isinstance(fields, list):
            raise TypeError("fields must be a list")
        self.emu.set_subscribed_fields(fields)
        return ok(account_json(self.emu.account))
