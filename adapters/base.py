"""The one interface between the moderation core and a platform.

An adapter polls (and, where the platform pushes, parses webhooks) into :class:`bot.domain.Item`
and executes :class:`bot.domain.PlatformAction`.  It imports no storage and no rules: the core
stores every item before acting on it, and owns cursors, retries and idempotency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.domain import ActionKind, ActionResult, FetchResult, Item, PlatformAction


class AdapterError(Exception):
    """Base of every error an adapter raises to the core."""


class TransientError(AdapterError):
    """Worth retrying later: timeouts, 5xx, a malformed body from the platform."""


class RateLimited(TransientError):
    """The platform asked us to slow down; ``retry_after`` seconds is its best guess."""

    def __init__(self, message: str, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthExpired(AdapterError):
    """The token is expired or revoked: a person must renew it; retrying will not help."""


class PermanentError(AdapterError):
    """The platform refused the action for good (e.g. the comment no longer exists)."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform lets an official account do to other people's content.

    The core fits each decision to these (:func:`bot.decide.fit_to_platform`): a platform that
    cannot hide deletes instead, one that cannot delete hides, and an item of an
    ``unhideable_kinds`` kind is left up and reported to the monitors instead.
    """

    hide: bool = True
    delete: bool = True
    reply: bool = True
    block: bool = False
    mute: bool = False
    timeout: bool = False
    webhooks: bool = False
    max_reply_chars: int = 8000
    unhideable_kinds: frozenset[str] = frozenset()
    # Where the audience is told why something went: "thread" (a reply in the item's thread)
    # or "channel" (a notice in the channel the message was in).
    explanation_where: str = "thread"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of ``modbot accounts verify``: a check against the platform and its result."""

    check: str  # e.g. "credentials", "permission tweet.moderate.write", "webhook subscription"
    ok: bool
    detail: str = ""  # plain words: what is wrong and what the school should do about it


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """What the webhook endpoint should answer, plus the items it carried."""

    status: int
    body: str = ""
    items: tuple[Item, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    deleted: tuple[str, ...] = ()  # external ids removed by their authors (webhook "remove")


@runtime_checkable
class PlatformAdapter(Protocol):
    """What the core needs from a platform; five coroutines and two pure webhook hooks."""

    platform: str
    account: str
    capabilities: Capabilities

    async def start(self) -> None:
        """Open sessions; raise :class:`AuthExpired` if the credentials are refused."""

    async def close(self) -> None:
        """Release sessions and threads."""

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Return items newer than ``cursor`` and the cursor to store after storing them."""

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Perform one side effect; raise an :class:`AdapterError` subclass on failure."""

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether the effect of ``action`` is already visible on the platform.

        Called before re-running an action whose earlier attempt ended without a record
        (a crash between the platform call and the database commit), so that nothing is
        applied twice.
        """

    def handle_webhook_get(self, params: Mapping[str, str]) -> WebhookResponse:
        """Answer the platform's subscription handshake."""

    def handle_webhook_post(self, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """Verify the signature over the raw body, then translate; never raise on bad input."""


@runtime_checkable
class VerifiableAdapter(Protocol):
    """An adapter that can check its own credentials, permissions and subscriptions."""

    async def verify(self) -> list[Finding]:
        """Ask the platform what this account may do; never raise for a missing permission."""


@runtime_checkable
class PushAdapter(Protocol):
    """An adapter fed by a push channel (a gateway) between polls.

    The service hands it a callback; the adapter calls it (from the event loop) when new
    items are buffered, and the service then polls it at once.  ``poll`` still returns the
    items, so storage and cursors work exactly as for polled platforms.
    """

    def set_wakeup(self, wakeup: Callable[[], None]) -> None:
        """Remember ``wakeup`` and call it whenever ``poll`` has something new."""


__all__ = [
    "ActionKind",
    "ActionResult",
    "AdapterError",
    "AuthExpired",
    "Capabilities",
    "Finding",
    "FetchResult",
    "Item",
    "PermanentError",
    "PlatformAction",
    "PlatformAdapter",
    "PushAdapter",
    "RateLimited",
    "TransientError",
    "VerifiableAdapter",
    "WebhookResponse",
]
