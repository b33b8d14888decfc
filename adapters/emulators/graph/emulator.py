"""``GraphEmulator``: the in-process face of the emulator (start, stop, seed, inspect, break).

Tests drive it directly; the CLI and the demo run the same object through :mod:`.runner`.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from ..common.server import EmulatorServer
from .control import ControlRoutes
from .faults import FaultPlan, FaultSpec
from .page_access import checked_status
from .server import GraphRoutes
from .snapshot import comment_json, post_json, snapshot
from .state import GraphState, Page, user_id_for
from .usage import UsageMeter
from .webhooks import WebhookSender, WebhookTarget, feed_payload


class GraphEmulator(EmulatorServer):
    """A Graph API server on 127.0.0.1 with its world in memory.

    The server lifecycle and request log are :class:`..common.server.EmulatorServer`'s; the base
    URL ends with a slash, as Graph's SDKs join paths onto it.
    """

    url_suffix = "/"

    def __init__(
        self,
        *,
        app_secret: str | None = None,
        verify_token: str | None = None,
        graph_version: str = "v21.0",
        faults: Iterable[FaultSpec | dict[str, Any]] = (),
        webhook_drop_rate: float = 0.0,
        seed: int | None = None,
        usage_capacity: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_secret = app_secret or secrets.token_hex(16)
        self.verify_token = verify_token or secrets.token_urlsafe(12)
        self.graph_version = graph_version
        self.world = GraphState(clock=clock)
        self.faults = FaultPlan(faults)
        self.meter = UsageMeter(capacity=usage_capacity)
        self.webhooks = WebhookSender(drop_rate=webhook_drop_rate, seed=seed)
        self.request_log: deque[dict[str, Any]] = deque(maxlen=1000)

    # ---- lifecycle ---------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application: control routes first, then Graph."""
        graph = GraphRoutes(self)
        app = web.Application(middlewares=[graph.middleware])
        ControlRoutes(self).install(app)
        graph.install(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Open the webhook sender, listen on ``host:port`` (0 picks a free port) and return the
        base URL (with a slash)."""
        if not self.running:
            await self.webhooks.open()
        return await super().start(host, port)

    async def stop(self) -> None:
        """Finish (or cancel) webhook deliveries and stop listening."""
        await self.webhooks.close()
        await super().stop()

    # ---- world -------------------------------------------------------------------------------

    @property
    def page_id(self) -> str | None:
        """The first page's id (helpers default to it)."""
        return next(iter(self.world.pages), None)

    @property
    def page(self) -> Page:
        """The first page."""
        return self.world.default_page()

    def add_page(
        self, name: str, page_id: str | None = None, access_token: str | None = None
    ) -> Page:
        """Create a page with its page access token."""
        return self.world.add_page(name, page_id=page_id, access_token=access_token)

    def add_post(
        self, message: str, page_id: str | None = None, created_time: float | None = None
    ) -> dict[str, Any]:
        """Publish a post as the page; returns it as the control API shows it."""
        return post_json(self.world.add_post(message, page_id=page_id, created_time=created_time))

    def add_comment(
        self,
        post_id: str,
        message: str,
        *,
        author: str = "A Parent",
        author_id: str | None = None,
        parent_id: str | None = None,
        attachment: dict[str, Any] | None = None,
        created_time: float | None = None,
        webhook: bool = True,
    ) -> dict[str, Any]:
        """A member of the public comments on a post (or replies to ``parent_id``)."""
        target = parent_id or post_id
        if parent_id is None and post_id not in self.world.posts:
            self.world.comment(post_id)  # a comment id is accepted as the target too
        comment = self.world.add_comment(
            target,
            message,
            from_id=author_id or user_id_for(author),
            from_name=author,
            attachment=attachment,
            created_time=created_time,
        )
        self._announce(webhook)
        return comment_json(comment)

    def edit_comment(
        self, comment_id: str, message: str, *, webhook: bool = True
    ) -> dict[str, Any]:
        """The author edits their comment; Graph sends a ``verb: "edited"`` feed webhook."""
        comment = self.world.edit_by_author(comment_id, message)
        self._announce(webhook)
        return comment_json(comment)

    def delete_comment_by_author(self, comment_id: str, *, webhook: bool = True) -> dict[str, Any]:
        """The author deletes their own comment; Graph sends a ``verb: "remove"`` webhook."""
        comment = self.world.delete_by_author(comment_id)
        self._announce(webhook)
        return comment_json(comment)

    def set_page_permission(
        self, permission: str, status: str = "declined", page_id: str | None = None
    ) -> None:
        """Set what ``/me/permissions`` reports for one permission of a page's token.

        ``status`` is granted, declined or expired; a declined ``pages_manage_engagement`` also
        makes hides, deletes and page replies fail with Graph's code 10. Delete the key from
        ``page.permissions`` for a permission that was never asked for.
        """
        page = self.world.page(page_id) if page_id else self.page
        page.permissions[permission] = checked_status(status)

    def set_page_subscribed_fields(
        self, fields: Iterable[str], page_id: str | None = None
    ) -> None:
        """The webhook fields the app is subscribed to on a page (empty: not subscribed)."""
        page = self.world.page(page_id) if page_id else self.page
        page.subscribed_fields = [str(f) for f in fields]

    def _announce(self, webhook: bool) -> None:
        """Deliver the pending changes, or drop them (a webhook Graph never sent)."""
        if webhook:
            self.publish_changes()
        else:
            self.world.drain_changes()

    def comment(self, comment_id: str) -> dict[str, Any]:
        """One comment with flags and op counts (deleted ones included)."""
        return comment_json(self.world.comment(comment_id, include_deleted=True))

    def state(self) -> dict[str, Any]:
        """Everything: posts, comments with flags and op counts, page replies, blocks, counters."""
        dump = snapshot(self.world)
        dump["calls"] = self.meter.total
        dump["usage_percent"] = self.meter.percent()
        dump["webhooks"] = self.webhooks.stats()
        dump["faults"] = self.faults.summary()
        return dump

    def reset(self) -> None:
        """Forget posts, comments, blocks, faults and counters; pages and webhook target stay."""
        self.world.reset()
        self.faults.reset()
        self.meter.reset()
        self.webhooks.reset_counts()
        self.request_log.clear()

    # ---- faults and webhooks -----------------------------------------------------------------

    def add_fault(self, fault: FaultSpec | dict[str, Any]) -> FaultSpec:
        """Arm a fault for the next matching request(s)."""
        return self.faults.arm(fault)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.faults.clear()

    def set_webhook(
        self, url: str, app_secret: str | None = None, verify_token: str | None = None
    ) -> WebhookTarget:
        """Deliver feed changes to ``url`` signed with the app secret."""
        if app_secret:
            self.app_secret = app_secret
        if verify_token:
            self.verify_token = verify_token
        self.webhooks.target = WebhookTarget(url, self.app_secret, self.verify_token)
        return self.webhooks.target

    def clear_webhook(self) -> None:
        """Stop delivering."""
        self.webhooks.target = None

    async def verify_webhook(self) -> dict[str, Any]:
        """Run the GET handshake against the target: ``{"ok", "status", "detail"}``."""
        return await self.webhooks.verify()

    async def flush_webhooks(self, timeout: float = 5.0) -> None:
        """Wait until the deliveries in flight are done."""
        await self.webhooks.flush(timeout)

    def publish_changes(self) -> None:
        """Send a webhook for each change since the last call (when a target is set)."""
        now = int(self.world.clock())
        for change in self.world.drain_changes():
            self.webhooks.send(feed_payload(change.comment, change.verb, now))

    # ---- bookkeeping -------------------------------------------------------------------------

    def log_request(self, request: web.Request, status: int, fault: str) -> None:
        """Remember a Graph call (token removed) for tests and debugging."""
        query = {k: v for k, v in request.query.items() if k != "access_token"}
        self.log_call(request, status, fault, query=query)

    def info(self) -> dict[str, Any]:
        """What a client needs to connect: the first line the CLI prints."""
        page = self.world.pages.get(self.page_id or "")
        return {
            "platform": "facebook",
            "base_url": self.base_url,
            "graph_version": self.graph_version,
            "control_url": self.control_url,
            "page_id": page.id if page else None,
            "page_name": page.name if page else None,
            "page_token": page.access_token if page else None,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
        }
