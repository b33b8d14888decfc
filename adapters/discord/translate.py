"""Discord message JSON -> :class:`bot.domain.Item`; pure, never raising for a bad payload.

One shape comes in: the Discord API message object, as REST channel history returns it and as
the gateway's MESSAGE_CREATE / MESSAGE_UPDATE carry it (gateway messages that discord.py has
already parsed are turned back into that shape by :func:`.events.message_payload`).
Anything that cannot be read becomes a failure ``(raw payload, error)`` for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain import Attachment, Author, Item

PLATFORM = "discord"
KIND = "message"
DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01T00:00:00Z, the zero of every snowflake
# Message types that carry what a person wrote: DEFAULT (0) and REPLY (19). Joins, pins, boosts
# and the like (7, 6, 8...) are system notices with no text of the author's own.
USER_CONTENT_TYPES = frozenset({0, 19})
MAX_SNOWFLAKE = (1 << 64) - 1

Failure = tuple[str, str]


class TranslateError(ValueError):
    """One payload that does not have the shape of a Discord message."""


def dump(raw: Any) -> str:
    """The raw payload as text, for storing beside a failure."""
    try:
        return json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(raw)


def parse_snowflake(value: Any) -> int:
    """A snowflake id (Discord sends them as strings) -> int; TranslateError if not one."""
    if isinstance(value, bool):
        raise TranslateError(f"bad snowflake {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise TranslateError(f"bad snowflake {value!r}")
    if not 0 < number <= MAX_SNOWFLAKE:
        raise TranslateError(f"snowflake out of range {value!r}")
    return number


def snowflake_time(snowflake: int | str) -> datetime:
    """When a snowflake was made (its top 42 bits are milliseconds since the Discord epoch)."""
    number = parse_snowflake(snowflake)
    return datetime.fromtimestamp(((number >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def snowflake_at(when: datetime) -> int:
    """The smallest snowflake made at ``when``: use it as ``after=`` to list from that time."""
    ms = int(when.timestamp() * 1000) - DISCORD_EPOCH_MS
    return max(0, ms) << 22


def parse_discord_time(value: Any) -> datetime:
    """Discord's ISO 8601 timestamps (``2026-11-23T10:00:00.123000+00:00``) -> aware UTC."""
    if not isinstance(value, str) or not value.strip():
        raise TranslateError(f"bad time {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise TranslateError(f"bad time {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def permalink(guild_id: str, channel_id: str, message_id: str) -> str:
    """The link Discord's "Copy Message Link" gives."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def is_user_content(raw: Any) -> bool:
    """Whether a message payload is something a person wrote (not a join or pin notice)."""
    if not isinstance(raw, Mapping):
        return True  # let translation report it as a failure
    kind = raw.get("type", 0)
    return not isinstance(kind, int) or isinstance(kind, bool) or kind in USER_CONTENT_TYPES


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TranslateError(f"{key} is not text")
    return value


def _author(raw: Mapping[str, Any], bot_user_id: str) -> Author:
    user = raw.get("author")
    if not isinstance(user, Mapping):
        raise TranslateError("author is not an object")
    author_id = str(parse_snowflake(user.get("id")))
    member = raw.get("member")
    nick = member.get("nick") if isinstance(member, Mapping) else None
    name = nick or user.get("global_name") or user.get("username") or ""
    if not isinstance(name, str):
        raise TranslateError("author name is not text")
    official = bool(bot_user_id) and author_id == bot_user_id
    return Author(id=author_id, name=name, is_official=official)


def _attachment_kind(mime: str) -> str:
    major = mime.split("/", 1)[0] if mime else ""
    return {"image": "image", "video": "video", "audio": "audio"}.get(major, "file")


def _attachments(raw: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """Metadata only (kind, id, MIME type): the media itself is never fetched."""
    found: list[Attachment] = []
    files = raw.get("attachments") or []
    stickers = raw.get("sticker_items") or []
    if not isinstance(files, list) or not isinstance(stickers, list):
        raise TranslateError("attachments is not a list")
    for entry in files:
        if not isinstance(entry, Mapping):
            raise TranslateError("attachment is not an object")
        mime = str(entry.get("content_type") or "")
        found.append(
            Attachment(kind=_attachment_kind(mime), external_id=str(entry.get("id") or ""),
                       mime_type=mime)
        )
    for entry in stickers:
        if not isinstance(entry, Mapping):
            raise TranslateError("sticker is not an object")
        found.append(Attachment(kind="sticker", external_id=str(entry.get("id") or "")))
    return tuple(found)


def _parent(raw: Mapping[str, Any]) -> str | None:
    """The replied-to message: a reply's ``message_reference`` (forwards are not replies)."""
    ref = raw.get("message_reference")
    if ref is None:
        return None
    if not isinstance(ref, Mapping):
        raise TranslateError("message_reference is not an object")
    if ref.get("type", 0) not in (0, None) or ref.get("message_id") is None:
        return None
    return str(parse_snowflake(ref.get("message_id")))


def message_to_item(
    raw: Any, *, account: str, guild_id: str, bot_user_id: str = ""
) -> Item:
    """One Discord message object -> Item; raises :class:`TranslateError` when malformed."""
    if not isinstance(raw, Mapping):
        raise TranslateError("message is not an object")
    message_id = str(parse_snowflake(raw.get("id")))
    channel_id = str(parse_snowflake(raw.get("channel_id")))
    stamp = raw.get("timestamp")
    created = parse_discord_time(stamp) if stamp is not None else snowflake_time(message_id)
    guild = str(raw.get("guild_id") or guild_id)
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=message_id,
        thread_id=channel_id,
        author=_author(raw, bot_user_id),
        text=_text(raw, "content"),
        created_at=created,
        parent_id=_parent(raw),
        kind=KIND,
        permalink=permalink(guild, channel_id, message_id),
        attachments=_attachments(raw),
    )


def messages_to_items(
    raws: Iterable[Any], *, account: str, guild_id: str, bot_user_id: str = ""
) -> tuple[list[Item], list[Failure]]:
    """Translate many messages (system notices skipped), collecting malformed ones as failures."""
    items: list[Item] = []
    failures: list[Failure] = []
    for raw in raws:
        if not is_user_content(raw):
            continue
        try:
            items.append(
                message_to_item(raw, account=account, guild_id=guild_id, bot_user_id=bot_user_id)
            )
        except (TranslateError, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            failures.append((dump(raw), f"unreadable message: {exc}"))
    return items, failures


def message_channel(raw: Any) -> str | None:
    """The channel id of a payload, or None when it has none that can be read."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return str(parse_snowflake(raw.get("channel_id")))
    except TranslateError:
        return None


def message_id_of(raw: Any) -> int | None:
    """The id of a payload as a number (for cursors), or None when it has none."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return parse_snowflake(raw.get("id"))
    except TranslateError:
        return None
