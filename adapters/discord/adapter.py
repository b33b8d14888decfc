"""``DiscordAdapter``: a school's Discord server in (gateway + history), deletes / notices out.

Messages arrive on the gateway between polls (the service is woken to poll at once); every
poll also reads channel history over REST wherever the gateway may have missed something: the
first poll, after a disconnection, resume or new session, while the gateway is down (or never
came up: a firewall blocking websockets still lets the bot moderate over REST), after the
buffer overflowed, and when the core did not store the cursor last returned.  What the gateway
brought is kept until the core stores the cursor that carries it (its ``batch``), so an edit or
an author's deletion is not lost either.  Items may repeat (the core dedupes on platform + id);
none is lost.  A channel Discord refuses (deleted, or hidden from the bot) is reported as a
failure and the others are still read.  Actions go out over REST; each has an ``is_applied``
check.

Limit: only the listed channels themselves are read.  Messages in threads (and posts in forum
channels) have the thread as their channel and are not moderated, even in a watched channel.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import (
    AdapterError,
    Finding,
    PermanentError,
    TransientError,
    WebhookResponse,
)
from adapters.capabilities import CAPABILITIES
from bot.domain import ActionKind, ActionResult, FetchResult, PlatformAction

from .buffer import Batch, GatewayBuffer
from .client import DiscordConnection
from .endpoints import API_BASE_URL, GATEWAY_URL
from .errors import UNKNOWN_MESSAGE, DiscordNotFound
from .polling import (
    cursor_batch,
    make_cursor,
    merge,
    read_channels,
    read_cursor,
    read_history,
    refused_failure,
)
from .translate import messages_to_items, parse_discord_time, snowflake_at
from .verify import verify_setup

__all__ = ["DiscordAdapter", "read_cursor"]

log = logging.getLogger(__name__)

MAX_TIMEOUT = timedelta(days=28)  # Discord's longest timeout
CLOCK_SKEW = timedelta(seconds=30)  # our clock against Discord's when matching a reply's time
CLOSED = "the Discord adapter is closed"
AUDIT_REASON = "Removed by the academy's moderation service (see the channel notice)"
TIMEOUT_REASON = "Timed out by the academy's moderation service after a removed message"


def reply_nonce(key: str) -> str:
    """A nonce for a reply (at most 25 characters): a retry of the same action is one message."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:25]


class DiscordAdapter:
    """One Discord server (guild) and the channels of it the bot watches."""

    platform = "discord"

    def __init__(
        self,
        account: str,
        guild_id: str,
        channel_ids: Sequence[str],
        bot_token: str,
        api_base_url: str = API_BASE_URL,
        gateway_url: str = GATEWAY_URL,
        *,
        ready_timeout: float = 30.0,
        history_page_size: int = 100,
        guild_ready_timeout: float = 2.0,
        request_timeout: float = 10.0,
        backfill_horizon: float = 24 * 3600.0,
        buffer_limit: int = 10_000,
        timeouts_enabled: bool = False,
    ) -> None:
        """Keyword-only knobs: how long to wait for READY and for one REST call, the history
        page size (1-100), how far back a channel never polled before is read (seconds), and
        how many gateway messages to hold between polls before relying on history instead.
        ``guild_ready_timeout`` is discord.py's wait after the last GUILD_CREATE (tests: tiny).
        ``timeouts_enabled``: whether the account times authors out (``verify`` then requires
        Timeout Members).
        """
        self.account = account
        self.guild_id = str(guild_id)
        self.channel_ids = tuple(str(c) for c in channel_ids)
        self.capabilities = CAPABILITIES["discord"]
        self.ready_timeout = ready_timeout
        self.history_page_size = max(1, min(100, history_page_size))
        self.backfill_horizon = timedelta(seconds=backfill_horizon)
        self.timeouts_enabled = timeouts_enabled
        self._buffer = GatewayBuffer(self.guild_id, self.channel_ids, buffer_limit)
        self._conn = DiscordConnection(
            bot_token,
            self._buffer,
            api_base_url=api_base_url,
            gateway_url=gateway_url,
            guild_ready_timeout=guild_ready_timeout,
            request_timeout=request_timeout,
        )
        self._returned: dict[str, int] = {}  # the cursor the last poll handed back
        self._unstored: Batch | None = None  # what it handed back from the gateway ...
        self._unstored_tag = ""  # ... and the cursor "batch" saying the core stored it
        self._batch_prefix = secrets.token_hex(4)  # not confused with an earlier process's
        self._batch_no = 0
        self._started = False
        self._closed = False
        self._opening = asyncio.Lock()
        self.backfills = 0

    @property
    def bot_user_id(self) -> str:
        """The bot's own user id (known once started)."""
        return self._conn.user_id

    @property
    def stats(self) -> dict[str, int]:
        """Counters for health pages and tests."""
        return {
            "buffered": len(self._buffer),
            "gaps": self._buffer.gap_count,
            "overflows": self._buffer.overflow_count,
            "backfills": self.backfills,
            "listening": int(self._buffer.listening),  # 0: the gateway is down, history is read
        }

    def set_wakeup(self, wakeup: Callable[[], None]) -> None:
        """Called (in the event loop) whenever the gateway brought something for ``poll``."""
        self._buffer.wakeup = wakeup

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in and connect the gateway (AuthExpired for a refused token; see client.open)."""
        self._closed = False
        await self._conn.open(self.ready_timeout)
        self._started = True
        self._buffer.mark_gap()

    async def close(self) -> None:
        """Close the gateway and the HTTP session; polls and actions fail until ``start``."""
        self._closed = True
        self._started = False
        await self._conn.close()

    async def _ensure_gateway(self) -> None:
        """Reconnect a gateway that discord.py gave up on (and read history for the gap)."""
        async with self._opening:
            if self._closed:
                raise TransientError(CLOSED)
            if self._conn.alive:
                return
            failure = self._conn.gateway_failure() if self._started else None
            if failure is not None:
                log.warning("discord %s: the gateway had stopped (%s); reconnecting",
                            self.account, failure)
            await self._conn.open(self.ready_timeout)
            if self._closed:  # close() ran while this was opening
                await self._conn.close()
                raise TransientError(CLOSED)
            self._started = True
            self._buffer.mark_gap()
            refused = self._conn.gateway_failure()
            if refused is not None:
                raise refused

    # ---- polling -----------------------------------------------------------------------------

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Buffered gateway messages, plus channel history wherever there may be a gap."""
        if self._closed:
            raise TransientError(CLOSED)
        await self._ensure_gateway()
        positions = read_cursor(cursor)
        tag = cursor_batch(cursor)
        if self._unstored is not None and tag != self._unstored_tag:
            self._buffer.restore(self._unstored)  # the core did not store our last result
        self._unstored = None
        batch = self._buffer.take()
        gaps = set(batch.gaps)
        if not self._buffer.listening:  # the gateway is down: history is all there is
            gaps.update(self.channel_ids)
        for channel in self.channel_ids:
            if channel not in positions or self._returned.get(channel, 0) > positions[channel]:
                gaps.add(channel)  # never polled, or the core did not keep our last cursor
        horizon = snowflake_at(datetime.now(UTC) - self.backfill_horizon)
        self.backfills += len(gaps)
        try:
            history, refused = await read_channels(
                self._conn, sorted(gaps), positions, horizon, self.history_page_size,
                self.channel_ids,
            )
        except AdapterError:
            self._buffer.restore(batch)
            raise
        self._buffer.mark_gap(refused)  # read them again next time
        if batch.payloads or batch.deleted:  # kept until the core stores the cursor saying so
            self._batch_no += 1
            self._unstored, self._unstored_tag = batch, f"{self._batch_prefix}-{self._batch_no}"
            tag = self._unstored_tag
        ordered, new_positions = merge(
            [*batch.payloads, *history], positions, self.channel_ids, refused
        )
        items, failures = messages_to_items(
            ordered, account=self.account, guild_id=self.guild_id, bot_user_id=self.bot_user_id
        )
        failures.extend(refused_failure(c, e) for c, e in sorted(refused.items()))
        self._returned = new_positions
        return FetchResult(
            items=tuple(items), cursor=make_cursor(new_positions, tag),
            failures=tuple(failures), deleted=tuple(dict.fromkeys(batch.deleted)),
        )

    # ---- actions -----------------------------------------------------------------------------

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Perform one action; Discord has no hide, so a HIDE deletes (the evidence is kept)."""
        if self._closed:
            raise TransientError(CLOSED)
        if action.kind in (ActionKind.DELETE, ActionKind.HIDE):
            return await self._delete(action)
        if action.kind is ActionKind.REPLY:
            return await self._notice(action)
        if action.kind is ActionKind.TIMEOUT:
            return await self._timeout(action)
        if action.kind is ActionKind.UNHIDE:
            raise PermanentError("Discord cannot bring back a deleted message")
        raise PermanentError(
            f"the bot does not {action.kind.value} people on Discord: the server's own "
            "moderators decide bans"
        )

    def _channel(self, action: PlatformAction) -> str:
        channel = action.thread_id or ""
        if not channel:
            raise PermanentError("a Discord action needs the channel id (thread_id)")
        return channel

    async def _delete(self, action: PlatformAction) -> ActionResult:
        channel = self._channel(action)
        self._buffer.note_own_delete(action.target_id)  # before the call: its event may be first
        try:
            await self._conn.call(
                "DELETE", "/channels/{channel_id}/messages/{message_id}",
                channel_id=channel, message_id=action.target_id, reason=AUDIT_REASON,
            )
        except DiscordNotFound as exc:
            if exc.code == UNKNOWN_MESSAGE:
                return ActionResult(ok=True, already_done=True, detail="already gone")
            raise
        return ActionResult(ok=True, detail="deleted")

    async def _notice(self, action: PlatformAction) -> ActionResult:
        """A message in the channel; it mentions nobody, whatever the text says."""
        text = action.text
        if not text.strip():
            raise PermanentError("a notice needs text")
        if len(text) > self.capabilities.max_reply_chars:
            raise PermanentError(
                f"a Discord message is at most {self.capabilities.max_reply_chars} characters"
            )
        sent = await self._post(self._channel(action), text, nonce=reply_nonce(action.key))
        return ActionResult(ok=True, external_id=str(sent.get("id", "")), detail="notice posted")

    async def _post(self, channel: str, text: str, *, nonce: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"content": text, "allowed_mentions": {"parse": []}}
        if nonce:
            body |= {"nonce": nonce, "enforce_nonce": True}
        sent = await self._conn.call(
            "POST", "/channels/{channel_id}/messages", channel_id=channel, json=body
        )
        if not isinstance(sent, dict) or not sent.get("id"):
            raise TransientError("Discord accepted the message without returning its id")
        return sent

    async def _timeout(self, action: PlatformAction) -> ActionResult:
        if not action.author_id:
            raise PermanentError("a timeout needs the author's id")
        if action.duration_seconds <= 0:
            raise PermanentError("a timeout needs a duration")
        length = min(timedelta(seconds=action.duration_seconds), MAX_TIMEOUT)
        until = datetime.now(UTC) + length
        current = await self._timeout_end(action.author_id)
        if current is not None and current >= until:  # e.g. a moderator's longer timeout
            return ActionResult(ok=True, already_done=True,
                                detail=f"already timed out until {current:%Y-%m-%d %H:%M} UTC")
        await self._conn.call(
            "PATCH", "/guilds/{guild_id}/members/{user_id}",
            guild_id=self.guild_id, user_id=action.author_id,
            json={"communication_disabled_until": until.isoformat()}, reason=TIMEOUT_REASON,
        )
        return ActionResult(ok=True, detail=f"timed out until {until:%Y-%m-%d %H:%M} UTC")

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether Discord already shows the effect of an earlier attempt of ``action``."""
        if action.kind in (ActionKind.DELETE, ActionKind.HIDE):
            try:
                await self._conn.call(
                    "GET", "/channels/{channel_id}/messages/{message_id}",
                    channel_id=self._channel(action), message_id=action.target_id,
                )
            except DiscordNotFound:
                return True
            return False
        if action.kind is ActionKind.REPLY:
            return await self._find_notice(action) is not None
        if action.kind is ActionKind.TIMEOUT:
            return await self._timed_out(action.author_id)
        return False

    async def _find_notice(self, action: PlatformAction) -> str | None:
        """The id of a bot message with exactly ``action.text`` posted since ``action.since``."""
        since = (action.since or datetime.now(UTC) - timedelta(days=1)) - CLOCK_SKEW
        found = await read_history(self._conn, self._channel(action), snowflake_at(since),
                                   self.history_page_size)
        for raw in found:
            author = raw.get("author")
            message_id = str(raw.get("id", ""))
            if (
                isinstance(author, dict)
                and str(author.get("id")) == self.bot_user_id
                and raw.get("content") == action.text
                and message_id not in action.exclude_ids
            ):
                return message_id
        return None

    async def _timed_out(self, user_id: str) -> bool:
        try:
            end = await self._timeout_end(user_id)
        except DiscordNotFound:
            return False
        return end is not None and end > datetime.now(UTC)

    async def _timeout_end(self, user_id: str) -> datetime | None:
        """When the member's current timeout ends (None: none, or unreadable)."""
        member = await self._conn.call(
            "GET", "/guilds/{guild_id}/members/{user_id}",
            guild_id=self.guild_id, user_id=user_id,
        )
        until = member.get("communication_disabled_until") if isinstance(member, dict) else None
        if not until:
            return None
        try:
            return parse_discord_time(until)
        except ValueError:
            return None

    async def send_dm(self, user_id: str, text: str) -> None:
        """A direct message to a monitor who is on Discord (alerts); errors as for ``apply``."""
        if not text.strip():
            raise PermanentError("a direct message needs text")
        limit = self.capabilities.max_reply_chars
        body = text if len(text) <= limit else text[: limit - 1] + "\u2026"
        channel = await self._conn.call(
            "POST", "/users/@me/channels", json={"recipient_id": str(user_id)}
        )
        if not isinstance(channel, dict) or not channel.get("id"):
            raise TransientError("Discord opened a direct message channel without an id")
        await self._post(str(channel["id"]), body)

    # ---- checks and webhooks -----------------------------------------------------------------

    async def verify(self) -> list[Finding]:
        """Token, Message Content intent, server membership and each channel's permissions."""
        return await verify_setup(self._conn, self.guild_id, self.channel_ids,
                                  timeouts_enabled=self.timeouts_enabled)

    def handle_webhook_get(self, params: Mapping[str, str]) -> WebhookResponse:
        """Discord has no webhooks for this: the gateway pushes."""
        return WebhookResponse(404, "no webhooks")

    def handle_webhook_post(self, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """Discord has no webhooks for this: the gateway pushes."""
        return WebhookResponse(404, "no webhooks")

