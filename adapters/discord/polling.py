"""Channel history over REST, and the cursor a poll hands back (pure parts apart).

The cursor is ``{"channels": {channel id: last message id}, "batch": tag}``: each channel's
position in its history, and the tag of the gateway batch the poll returned, which tells the
adapter whether the core stored that result (an edit or a deletion moves no position).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from adapters.base import PermanentError, TransientError

from .translate import Failure, dump, message_channel, message_id_of

if TYPE_CHECKING:
    from .client import DiscordConnection

MAX_PAGES = 1000  # a paging guard: 100,000 messages in one channel between two polls


def read_cursor(cursor: Mapping[str, Any]) -> dict[str, int]:
    """``{"channels": {channel id: last message id}}`` -> positions; junk entries are ignored."""
    raw = cursor.get("channels") if isinstance(cursor, Mapping) else None
    positions: dict[str, int] = {}
    for channel, value in (raw.items() if isinstance(raw, Mapping) else ()):
        text = str(value)
        if text.isdigit():
            positions[str(channel)] = int(text)
    return positions


def cursor_batch(cursor: Mapping[str, Any]) -> str:
    """The tag of the gateway batch whose result the core stored with ``cursor`` ("": none)."""
    tag = cursor.get("batch") if isinstance(cursor, Mapping) else None
    return tag if isinstance(tag, str) else ""


def make_cursor(positions: Mapping[str, int], batch: str) -> dict[str, Any]:
    """The cursor for the core to store: positions, and the batch tag if there is one."""
    cursor: dict[str, Any] = {"channels": {c: str(n) for c, n in sorted(positions.items())}}
    if batch:
        cursor["batch"] = batch
    return cursor


async def read_history(
    conn: DiscordConnection, channel: str, after: int, page_size: int
) -> list[dict[str, Any]]:
    """``GET /channels/{id}/messages?after=`` paged forward until a page comes back empty."""
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = await conn.call(
            "GET", "/channels/{channel_id}/messages", channel_id=channel,
            params={"after": str(after), "limit": str(page_size)},
        )
        if not isinstance(page, list):
            raise TransientError(f"Discord listed channel {channel} without a message list")
        ids = [i for i in (message_id_of(m) for m in page) if i is not None]
        if not page or not ids or max(ids) <= after:
            break
        found.extend(m for m in page if isinstance(m, dict))
        after = max(ids)
    return found


async def read_channels(
    conn: DiscordConnection,
    channels: Iterable[str],
    positions: Mapping[str, int],
    horizon: int,
    page_size: int,
    watched: Collection[str],
) -> tuple[list[dict[str, Any]], dict[str, PermanentError]]:
    """Every message after each channel's position (``horizon`` if none), and the channels
    Discord refused: one deleted or hidden channel must not stop the others' moderation, so
    only all ``watched`` channels refused is an error."""
    found: list[dict[str, Any]] = []
    refused: dict[str, PermanentError] = {}
    for channel in channels:
        try:
            found.extend(await read_history(conn, channel, positions.get(channel, horizon),
                                            page_size))
        except PermanentError as exc:
            refused[channel] = exc
    if refused and set(refused) >= set(watched):
        raise PermanentError("Discord refused every watched channel: " + "; ".join(
            f"channel {c}: {e}" for c, e in refused.items()))
    return found, refused


def refused_failure(channel: str, error: PermanentError) -> Failure:
    """A failure entry in plain words for a channel whose history Discord refused."""
    words = (f"could not read channel {channel}: {error}; the other channels are still "
             "moderated. Check that the channel still exists and that the bot's role has View "
             "Channel and Read Message History in it (modbot accounts verify)")
    return dump({"channel_id": channel}), words


def merge(
    payloads: Iterable[Any],
    positions: Mapping[str, int],
    watched: Collection[str],
    refused: Collection[str],
) -> tuple[list[Any], dict[str, int]]:
    """Messages in id order, the last copy of each winning (pass history last: it is the
    newest state), and the advanced positions (not for a refused channel: its history is
    still unread)."""
    latest: dict[int, Any] = {}
    unnumbered: list[Any] = []
    new_positions = dict(positions)
    for raw in payloads:
        number = message_id_of(raw)
        channel = message_channel(raw)
        if number is None or channel not in watched:
            unnumbered.append(raw)
            continue
        latest[number] = raw
        if channel not in refused:
            new_positions[channel] = max(number, new_positions.get(channel, 0))
    return [latest[n] for n in sorted(latest)] + unnumbered, new_positions
