"""What the gateway pushed between polls, and where it may have missed something.

The gateway is fast but not a record: a dropped connection, a session Discord would not resume
or an overflowing buffer can each lose events.  The buffer keeps the messages it was given for
the next poll and, for each channel, whether there may be a gap that only channel history
(REST) can fill; ``poll`` takes both at once and puts them back if it fails.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .translate import message_channel

log = logging.getLogger(__name__)

OWN_DELETES_KEPT = 10_000


@dataclass
class Batch:
    """Everything one poll takes: payloads in arrival order, author deletions, gap channels."""

    payloads: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    gaps: set[str] = field(default_factory=set)


class GatewayBuffer:
    """Gateway events for the watched channels of one server (a :class:`GatewayListener`)."""

    def __init__(self, guild_id: str, channel_ids: Iterable[str], limit: int = 10_000) -> None:
        self.guild_id = guild_id
        self.channels = frozenset(channel_ids)
        self.limit = max(1, limit)
        self._payloads: deque[dict[str, Any]] = deque()
        self._deleted: list[str] = []
        self._gaps: set[str] = set(self.channels)  # nothing seen yet: look at history first
        self._own_deletes: OrderedDict[str, None] = OrderedDict()
        self.wakeup: Callable[[], None] | None = None
        self.gap_count = 0
        self.overflow_count = 0
        self.listening = False  # a gateway session is ready: new messages arrive here

    # ---- GatewayListener ---------------------------------------------------------------------

    def message_seen(self, payload: dict[str, Any]) -> None:
        """Keep a new message of a watched channel for the next poll."""
        if self._watched(payload):
            self._keep(payload)

    def message_edited(self, payload: dict[str, Any]) -> None:
        """Keep an edit (a full message with its new text) so the item is assessed again."""
        if self._watched(payload) and "content" in payload and "author" in payload:
            self._keep(payload)

    def messages_deleted(self, channel_id: str, message_ids: list[str]) -> None:
        """Remember removals the bot did not make (an author, or a human moderator)."""
        if channel_id not in self.channels:
            return
        gone = [m for m in message_ids if m not in self._own_deletes]
        if gone:
            self._deleted.extend(gone)
            self._wake()

    def gateway_gap(self, reason: str) -> None:
        """Events may have been missed: the next poll reads every channel's history (and
        every poll does until the session is ready again)."""
        log.info("discord: %s; the next poll reads channel history", reason)
        self.listening = False
        self.gap_count += 1
        self._gaps |= self.channels
        self._wake()

    def gateway_ready(self) -> None:
        """New messages come through the gateway again (READY was followed by a gap)."""
        self.listening = True

    # ---- for the adapter ---------------------------------------------------------------------

    def take(self) -> Batch:
        """Everything kept since the last take, and the gaps; the buffer starts empty again."""
        batch = Batch(list(self._payloads), self._deleted, self._gaps)
        self._payloads = deque()
        self._deleted = []
        self._gaps = set()
        return batch

    def restore(self, batch: Batch) -> None:
        """Put back what a failed poll took (before anything that arrived since)."""
        self._payloads.extendleft(reversed(batch.payloads))
        self._deleted[:0] = batch.deleted
        self._gaps |= batch.gaps
        self._trim()

    def mark_gap(self, channels: Iterable[str] | None = None) -> None:
        """Make the next poll read history for ``channels`` (default: all)."""
        self._gaps |= self.channels if channels is None else set(channels) & self.channels

    def note_own_delete(self, message_id: str) -> None:
        """The bot is deleting this message: its MESSAGE_DELETE is not an author's removal."""
        self._own_deletes[message_id] = None
        self._own_deletes.move_to_end(message_id)
        while len(self._own_deletes) > OWN_DELETES_KEPT:
            self._own_deletes.popitem(last=False)

    def __len__(self) -> int:
        return len(self._payloads)

    # ---- inside ------------------------------------------------------------------------------

    def _watched(self, payload: dict[str, Any]) -> bool:
        guild = payload.get("guild_id")
        if guild is not None and str(guild) != self.guild_id:
            return False
        return message_channel(payload) in self.channels

    def _keep(self, payload: dict[str, Any]) -> None:
        self._payloads.append(payload)
        self._trim()
        self._wake()

    def _trim(self) -> None:
        """Drop the oldest beyond the limit, and have their channels read from history."""
        while len(self._payloads) > self.limit:
            dropped = self._payloads.popleft()
            self.overflow_count += 1
            channel = message_channel(dropped)
            if channel is not None:
                self._gaps.add(channel)

    def _wake(self) -> None:
        if self.wakeup is not None:
            try:
                self.wakeup()
            except Exception:  # a broken callback must not stop the gateway
                log.exception("discord: the wakeup callback failed")
