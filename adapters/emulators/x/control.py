"""The control API under ``/_emulator/``: seed, inspect and break the X emulator over HTTP.

For the demo, the crash test and a school trying settings with ``modbot emulate x``; it speaks
plain JSON (no X shapes, no tokens needed) and answers ``{"error": ...}`` with 400 / 404 / 409.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .problems import XProblem

if TYPE_CHECKING:
    from .emulator import XEmulator

Handler = Callable[[web.Request], Awaitable[web.Response]]
PREFIX = "/_emulator"


def _ok(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body).encode("utf-8"), status=status, content_type="application/json"
    )


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("body must be JSON") from None
    if not isinstance(body, dict):
        raise TypeError("body must be a JSON object")
    return body


def _need(body: dict[str, Any], key: str) -> str:
    if not isinstance(body.get(key), str):
        raise TypeError(f"{key} is required text")
    return str(body[key])


def _guard(handler: Handler) -> Handler:
    """Bad input -> 400, unknown ids -> 404, X refusals -> 409."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except XProblem as problem:
            return _ok({"error": str(problem)}, 409)
        except KeyError as error:
            return _ok({"error": f"not found: {error}"}, 404)
        except (ValueError, TypeError) as error:
            return _ok({"error": f"{type(error).__name__}: {error}"}, 400)

    return wrapped


class ControlRoutes:
    """Handlers bound to one emulator."""

    def __init__(self, emu: XEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        """Register every ``/_emulator/...`` route."""
        routes: list[tuple[str, str, Handler]] = [
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
        for method, path, handler in routes:
            app.router.add_route(method, PREFIX + path, _guard(handler))

    async def info(self, request: web.Request) -> web.Response:
        """Base URL, account id and handle, access token, tier."""
        return _ok(self.emu.info())

    async def state(self, request: web.Request) -> web.Response:
        """The full state dump (see :meth:`XEmulator.state`)."""
        return _ok(self.emu.state())

    async def reset(self, request: web.Request) -> web.Response:
        """Forget Tweets, mutes, faults and rate windows."""
        self.emu.reset()
        return _ok({"ok": True})

    async def add_tweet(self, request: web.Request) -> web.Response:
        """``{"author", "text", "in_reply_to"?, "name"?, "media"?: [...], "created_at"?}``."""
        body = await _body(request)
        tweet = self.emu.add_tweet(
            _need(body, "author"),
            _need(body, "text"),
            body.get("in_reply_to"),
            name=body.get("name"),
            media=tuple(body.get("media") or ()),
            created_at=body.get("created_at"),
            mention_parent=bool(body.get("mention_parent", True)),
        )
        return _ok(tweet, 201)

    async def get_tweet(self, request: web.Request) -> web.Response:
        """One Tweet with its moderation state."""
        return _ok(self.emu.tweet(request.match_info["tweet_id"]))

    async def delete_tweet(self, request: web.Request) -> web.Response:
        """The author deletes their Tweet."""
        return _ok(self.emu.delete_tweet_by_author(request.match_info["tweet_id"]))

    async def get_faults(self, request: web.Request) -> web.Response:
        """Armed faults and fired counts."""
        return _ok({"pending": self.emu.faults.pending(), "fired": dict(self.emu.faults.fired)})

    async def add_faults(self, request: web.Request) -> web.Response:
        """One fault object, or ``{"faults": [...]}``."""
        body = await _body(request)
        for fault in [body] if "kind" in body else list(body.get("faults", [])):
            self.emu.add_fault(fault)
        return await self.get_faults(request)

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Disarm every fault."""
        self.emu.clear_faults()
        return await self.get_faults(request)

    async def set_tier(self, request: web.Request) -> web.Response:
        """``{"tier": "free"|"basic"|"pro"}``."""
        body = await _body(request)
        self.emu.set_tier(_need(body, "tier"))  # type: ignore[arg-type]
        return _ok(self.emu.info())

    async def requests(self, request: web.Request) -> web.Response:
        """The last API calls (method, path, query, status, fault)."""
        return _ok({"requests": list(self.emu.request_log)})
