"""Page feed webhooks: signed deliveries in the background, and the subscription handshake.

Delivery never blocks the change that caused it, and a failure is only logged and counted, as
with the real platform (which is known to drop events): adapters must reconcile by polling.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import Comment

log = logging.getLogger(__name__)


def sign_body(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value for a body."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def feed_payload(comment: Comment, verb: str, now: int) -> dict[str, Any]:
    """The page feed change Graph sends for a comment (top-level: ``parent_id`` is the post)."""
    value: dict[str, Any] = {
        "from": {"id": comment.from_id, "name": comment.from_name},
        "post_id": comment.post_id,
        "comment_id": comment.id,
        "created_time": comment.created_time,
        "item": "comment",
        "parent_id": comment.parent_id or comment.post_id,
        "verb": verb,
    }
    if verb in ("add", "edited"):
        value["message"] = comment.message
    return {
        "object": "page",
        "entry": [
            {
                "id": comment.page_id,
                "time": now,
                "changes": [{"field": "feed", "value": value}],
            }
        ],
    }


@dataclass
class WebhookTarget:
    """Where to deliver, and the secrets shared with the receiving app."""

    url: str
    app_secret: str
    verify_token: str


class WebhookSender:
    """Delivers changes to the configured target in background tasks and counts the outcomes."""

    def __init__(
        self, drop_rate: float = 0.0, seed: int | None = None, timeout: float = 5.0
    ) -> None:
        self.target: WebhookTarget | None = None
        self.drop_rate = drop_rate
        self.timeout = timeout
        self._rng = random.Random(seed)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        self.skipped = 0
        self.last_error = ""

    async def open(self) -> None:
        """Create the HTTP session (inside the running loop)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))

    async def close(self) -> None:
        """Let in-flight deliveries finish briefly, then cancel the rest."""
        await self.flush(timeout=1.0)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def send(self, payload: dict[str, Any]) -> None:
        """Queue a delivery; returns at once."""
        if self.target is None:
            return
        if self._session is None:
            self.skipped += 1
            return
        if self.drop_rate and self._rng.random() < self.drop_rate:
            self.dropped += 1
            log.info("webhook dropped on purpose (drop rate %.2f)", self.drop_rate)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called from outside the emulator's loop: nothing can deliver
            self.skipped += 1
            return
        task = loop.create_task(self._deliver(self.target, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, target: WebhookTarget, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign_body(target.app_secret, body),
            "User-Agent": "facebookexternalua",
        }
        assert self._session is not None
        try:
            async with self._session.post(target.url, data=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"HTTP {response.status}")
            self.delivered += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure is counted, never raised
            self.failed += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("webhook delivery to %s failed: %s", target.url, self.last_error)

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait for the deliveries in flight (tests use this instead of sleeping)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def verify(self) -> dict[str, Any]:
        """Run the GET subscription handshake against the target, as Graph does."""
        if self.target is None:
            return {"ok": False, "status": 0, "detail": "no webhook target"}
        await self.open()
        assert self._session is not None
        challenge = str(secrets.randbelow(10**9))
        params = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": self.target.verify_token,
        }
        try:
            async with self._session.get(self.target.url, params=params) as response:
                text = await response.text()
                ok = response.status == 200 and text.strip() == challenge
                return {"ok": ok, "status": response.status, "detail": text[:200]}
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return {"ok": False, "status": 0, "detail": f"{type(exc).__name__}: {exc}"}

    def stats(self) -> dict[str, Any]:
        """Counters and target for the state dump."""
        target = None
        if self.target is not None:
            target = {"url": self.target.url, "verify_token": self.target.verify_token}
        return {
            "target": target,
            "delivered": self.delivered,
            "failed": self.failed,
            "dropped": self.dropped,
            "skipped": self.skipped,
            "in_flight": len(self._tasks),
            "drop_rate": self.drop_rate,
            "last_error": self.last_error,
        }

    def reset_counts(self) -> None:
        """Zero the counters (the target stays)."""
        self.delivered = self.failed = self.dropped = self.skipped = 0
        self.last_error = ""
