"""X API v2 Tweet JSON (with its page's ``includes``) -> :class:`bot.domain.Item`; pure.

A Tweet in a conversation the account started is a ``"reply"`` (X lets the account hide it);
anywhere else it is a ``"mention"`` (X cannot hide it: the core alerts the monitors instead).
The account's own Tweets come back with ``author.is_official`` so the core can tell staff
answers apart.  Anything unreadable becomes a failure ``(raw payload, error)``, never an
exception, so one bad Tweet never loses a poll.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain import Attachment, Author, Item

PLATFORM = "twitter"
TWITTER_EPOCH_MS = 1288834974657
MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "gif"}

Failure = tuple[str, str]


class TranslateError(ValueError):
    """One payload that does not have the shape of an X Tweet."""


def dump(raw: Any) -> str:
    """The raw payload as text, for storing beside a failure."""
    try:
        return json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(raw)


MAX_ID_DIGITS = 19  # X ids are 64-bit snowflakes: 2**63 - 1 has 19 digits


def is_tweet_id(value: Any) -> bool:
    """Whether ``value`` is an X id (Tweet or user): up to 19 ASCII digits, as text or int.

    Anything longer is no snowflake X mints, and :func:`snowflake_time` would overflow on it.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return False
    text = str(value)
    return 0 < len(text) <= MAX_ID_DIGITS and text.isascii() and text.isdigit()


def snowflake_time(tweet_id: str | int) -> datetime:
    """When an X id was minted (every Tweet id carries its creation time)."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000.0, tz=UTC)


def parse_x_time(value: Any) -> datetime:
    """X's ``2022-10-08T02:23:44.000Z`` -> aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise TranslateError(f"bad time {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise TranslateError(f"bad time {value!r}") from None
    if parsed.tzinfo is None:
        raise TranslateError(f"time without a zone {value!r}")
    return parsed.astimezone(UTC)


def permalink(username: str, tweet_id: str) -> str:
    """The public link of a Tweet (X redirects ``/i/web/`` when the handle is unknown)."""
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"


@dataclass(frozen=True)
class Includes:
    """A page's ``includes`` indexed for lookups."""

    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    media: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, page: Any) -> Includes:
        """Index ``users`` by id and ``media`` by key, skipping malformed entries."""
        includes = page.get("includes") if isinstance(page, Mapping) else None
        if not isinstance(includes, Mapping):
            return cls()
        users = {
            str(u["id"]): u for u in _list(includes.get("users"))
            if isinstance(u, Mapping) and u.get("id")
        }
        media = {
            str(m["media_key"]): m for m in _list(includes.get("media"))
            if isinstance(m, Mapping) and m.get("media_key")
        }
        return cls(users=users, media=media)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _id(raw: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not is_tweet_id(value):
        raise TranslateError(f"{key} is not an X id: {value!r}")
    return str(value)


def replied_to(raw: Mapping[str, Any]) -> str | None:
    """The id of the Tweet this one replies to (from ``referenced_tweets``), if any."""
    for ref in _list(raw.get("referenced_tweets")):
        if isinstance(ref, Mapping) and ref.get("type") == "replied_to" and ref.get("id"):
            return str(ref["id"])
    return None


def _attachments(raw: Mapping[str, Any], includes: Includes) -> tuple[Attachment, ...]:
    """Media metadata only (kind and media key); the media is never fetched."""
    attachments = raw.get("attachments")
    if attachments is None:
        return ()
    if not isinstance(attachments, Mapping):
        raise TranslateError("attachments is not an object")
    found = []
    for key in _list(attachments.get("media_keys")):
        kind = str(includes.media.get(str(key), {}).get("type", ""))
        found.append(Attachment(kind=MEDIA_KINDS.get(kind, kind or "media"), external_id=str(key)))
    return tuple(found)


def tweet_kind(tweet_id: str, conversation_id: str, author_id: str, *, user_id: str,
               owned: Collection[str]) -> str:
    """``post`` (the account's own conversation root), ``reply`` (in a conversation the
    account started) or ``mention`` (anywhere else)."""
    if conversation_id in owned:
        return "post" if tweet_id == conversation_id and author_id == user_id else "reply"
    return "mention"


def tweet_to_item(
    raw: Any, includes: Includes, *, account: str, user_id: str, owned: Collection[str]
) -> Item:
    """One Tweet -> Item; raises :class:`TranslateError` on a malformed Tweet."""
    if not isinstance(raw, Mapping):
        raise TranslateError("tweet is not an object")
    tweet_id = _id(raw, "id", required=True)
    text = raw.get("text")
    if not isinstance(text, str):
        raise TranslateError("tweet without text")
    conversation_id = _id(raw, "conversation_id", required=True)
    author_id = _id(raw, "author_id")
    user = includes.users.get(author_id, {})
    username = str(user.get("username") or "")
    created = raw.get("created_at")
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=tweet_id,
        thread_id=conversation_id,
        author=Author(
            id=author_id,
            name=str(user.get("name") or username),
            is_official=bool(author_id) and author_id == user_id,
        ),
        text=text,
        created_at=parse_x_time(created) if created is not None else snowflake_time(tweet_id),
        parent_id=replied_to(raw),
        kind=tweet_kind(tweet_id, conversation_id, author_id, user_id=user_id, owned=owned),
        permalink=permalink(username, tweet_id),
        attachments=_attachments(raw, includes),
    )


def page_tweets(page: Any) -> list[Any]:
    """The ``data`` list of a page (a single lookup's object counts as one)."""
    data = page.get("data") if isinstance(page, Mapping) else None
    if isinstance(data, Mapping):
        return [data]
    return data if isinstance(data, list) else []


def page_to_items(
    page: Any, *, account: str, user_id: str, owned: Collection[str],
    skip: Iterable[str] = (),
) -> tuple[list[Item], list[Failure]]:
    """Translate a page of Tweets, collecting malformed ones as failures."""
    includes = Includes.of(page)
    skipped = set(skip)
    items: list[Item] = []
    failures: list[Failure] = []
    for raw in page_tweets(page):
        try:
            item = tweet_to_item(raw, includes, account=account, user_id=user_id, owned=owned)
        except (TranslateError, ValueError, TypeError, KeyError, OverflowError) as exc:
            failures.append((dump(raw), f"unreadable tweet: {exc}"))
            continue
        if item.external_id not in skipped:
            items.append(item)
    return items, failures
