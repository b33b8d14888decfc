"""A fake platform adapter shipped with the code, so schools and tests can drive the core.

``FakeAdapter`` keeps a tiny in-memory platform: push items in, read back what the service did
(``applied``, ``hidden``, ``deleted``, ``replies``), and make the next calls fail on demand.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base import (
    AdapterError,
    Capabilities,
    PlatformAction,
    WebhookResponse,
)
from bot.domain import ActionKind, ActionResult, Author, FetchResult, Item


@dataclass
class FakeAdapter:
    """An in-memory platform speaking the :class:`~adapters.base.PlatformAdapter` interface."""

    account: str = "fake-account"
    platform: str = "facebook"
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(block=True))
    items: list[Item] = field(default_factory=list)
    applied: list[PlatformAction] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (thread or item, text)
    fail_next: list[Exception] = field(default_factory=list)
    author_deleted: list[str] = field(default_factory=list)  # reported by the next poll
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def push(self, item: Item) -> None:
        """A member of the public posts ``item``."""
        self.items.append(item)

    async def start(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Everything after the cursor's position in the list."""
        self._maybe_fail()
        seen = int(cursor.get("n", 0))
        gone, self.author_deleted = tuple(self.author_deleted), []
        return FetchResult(items=tuple(self.items[seen:]), cursor={"n": len(self.items)},
                           deleted=gone)

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Record the action and change the fake platform's state."""
        self._maybe_fail()
        self.applied.append(action)
        match action.kind:
            case ActionKind.HIDE:
                self.hidden.add(action.target_id)
            case ActionKind.UNHIDE:
                self.hidden.discard(action.target_id)
            case ActionKind.DELETE:
                self.deleted.add(action.target_id)
            case ActionKind.BLOCK:
                self.blocked.add(action.author_id)
            case ActionKind.REPLY:
                self.replies.append((action.target_id, action.text))
                return ActionResult(ok=True, external_id=f"reply-{next(self._ids)}")
        return ActionResult(ok=True)

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether the fake platform already shows the action's effect."""
        match action.kind:
            case ActionKind.HIDE:
                return action.target_id in self.hidden
            case ActionKind.UNHIDE:
                return action.target_id not in self.hidden
            case ActionKind.DELETE:
                return action.target_id in self.deleted
            case ActionKind.BLOCK:
                return action.author_id in self.blocked
            case ActionKind.REPLY:
                return (action.target_id, action.text) in self.replies
        return False

    def handle_webhook_get(self, params: Mapping[str, str]) -> WebhookResponse:
        """The fake platform has no webhooks."""
        return WebhookResponse(status=404)

    def handle_webhook_post(self, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """The fake platform has no webhooks."""
        return WebhookResponse(status=404)

    def _maybe_fail(self) -> None:
        if self.fail_next:
            exc = self.fail_next.pop(0)
            raise exc if isinstance(exc, AdapterError) else AdapterError(str(exc))


def make_item(
    external_id: str,
    text: str,
    *,
    account: str = "fake-account",
    thread_id: str = "post-1",
    author: str = "parent-1",
    created_at: Any = None,
    platform: str = "facebook",
    official: bool = False,
) -> Item:
    """A comment with sensible defaults, for tests and scenarios."""
    from datetime import UTC, datetime

    return Item(
        platform=platform,
        account=account,
        external_id=external_id,
        thread_id=thread_id,
        author=Author(id=author, name=author.title(), is_official=official),
        text=text,
        created_at=created_at or datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
