"""The control API under ``/_emulator/``: seed, inspect and break the X emulator over HTTP.

For the demo, the crash test and a school trying settings with ``modbot emulate x``; it speaks
plain JSON (no X shapes, no tokens needed) and answers ``{"error": ...}`` with 400 / 404 / 409
(the JSON helpers are :mod:`..common.control`'s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..common.control import PREFIX, ControlBase, Route, add_routes, guard_for, json_object, ok
from .problems import XProblem

if TYPE_CHECKING:
    from .emulator import XEmulator


def _need(body: dict[str, Any], key: str) -> str:
    if not isinstance(body.get(key), str):
        raise TypeError(f"{key} is required text")
    return str(body[key])


_guard = guard_for(
    XProblem, lambda problem: ok({"error": str(problem)}, 409), key_error_is_404=True
)
"""Bad input -> 400, unknown ids -> 404, X refusals -> 409."""


class ControlRoutes(ControlBase):
    """Handlers bound to one emulator (``/info``, ``/state`` and ``/requests`` are the base's)."""

    emu: XEmulator

    def install(self, app: web.Application) -> None:
        """Register every ``/_emulator/...`` route."""
        routes: list[Route] = [
            ("GET", "/info", self.info),
            ("GET", "/state", self.state),
            ("POST", "/reset", self.reset),
            ("POST", "/tweets", self.add_tweet),
            ("GET", "/tweets/{tweet_id}", self.get_tweet),
            ("POST", "/tweets/{tweet_id}/delete", self.delete_tweet),
            ("GET", "/faults", self.get_faults),
            ("POST", "/faults", self.add_faults),
            ("DELETE", "/faults", self.clear_faults),
            ("POST", "/tier", self.set_tier),
            ("GET", "/requests", self.requests),
        ]
        add_routes(app, PREFIX, routes, _guard)

    async def reset(self, request: web.Request) -> web.Response:
        """Forget Tweets, mutes, faults and rate windows."""
        self.emu.reset()
        return ok({"ok": True})

    async def add_tweet(self, request: web.Request) -> web.Response:
        """``{"author", "text", "in_reply_to"?, "name"?, "media"?: [...], "created_at"?}``."""
        body = await json_object(request)
        tweet = self.emu.add_tweet(
            _need(body, "author"),
            _need(body, "text"),
            body.get("in_reply_to"),
            name=body.get("name"),
            media=tuple(body.get("media") or ()),
            created_at=body.get("created_at"),
            mention_parent=bool(body.get("mention_parent", True)),
        )
        return ok(tweet, 201)

    async def get_tweet(self, request: web.Request) -> web.Response:
        """One Tweet with its moderation state."""
        return ok(self.emu.tweet(request.match_info["tweet_id"]))

    async def delete_tweet(self, request: web.Request) -> web.Response:
        """The author deletes their Tweet."""
        return ok(self.emu.delete_tweet_by_author(request.match_info["tweet_id"]))

    async def get_faults(self, request: web.Request) -> web.Response:
        """Armed faults and fired counts."""
        return ok(self.emu.faults.summary())

    async def add_faults(self, request: web.Request) -> web.Response:
        """One fault object, or ``{"faults": [...]}``."""
        body = await json_object(request)
        for fault in [body] if "kind" in body else list(body.get("faults", [])):
            self.emu.add_fault(fault)
        return await self.get_faults(request)

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Disarm every fault."""
        self.emu.clear_faults()
        return await self.get_faults(request)

    async def set_tier(self, request: web.Request) -> web.Response:
        """``{"tier": "free"|"basic"|"pro"}``."""
        body = await json_object(request)
        self.emu.set_tier(_need(body, "tier"))  # type: ignore[arg-type]
        return ok(self.emu.info())
