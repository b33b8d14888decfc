"""Chat and SMS through apprise URLs (Teams, Slack, Matrix, SMS gateways, plain JSON webhooks).

apprise is synchronous, so each send runs in a worker thread and never blocks the event loop.
"""

from __future__ import annotations

import asyncio

import apprise


class ChatError(Exception):
    """The chat or SMS service did not take the message."""


def valid_url(url: str) -> bool:
    """Whether apprise understands the URL (a cheap, offline coverage check)."""
    return bool(apprise.Apprise().add(url))


class AppriseSender:
    """Sends a short notification to one apprise URL."""

    def __init__(self, timeout: float = 15.0) -> None:
        self._timeout = timeout

    def _send_sync(self, url: str, title: str, body: str, urgent: bool) -> None:
        ap = apprise.Apprise()
        if not ap.add(url):
            raise ChatError("apprise does not understand this URL")
        kind = apprise.NotifyType.FAILURE if urgent else apprise.NotifyType.WARNING
        if not ap.notify(body=body, title=title, notify_type=kind):
            raise ChatError("the chat/SMS service refused or could not be reached")

    async def send(self, url: str, title: str, body: str, urgent: bool = False) -> None:
        """Deliver; raises :class:`ChatError` on failure."""
        await asyncio.to_thread(self._send_sync, url, title, body, urgent)
