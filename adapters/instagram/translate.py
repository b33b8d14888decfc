"""Instagram comment JSON and ``comments`` webhooks -> :class:`bot.domain.Item`; pure, no raising.

Anything that cannot be read comes back as a failure ``(raw payload, error)`` so the core can
store it for a person to look at, instead of one bad entry losing a whole poll or delivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.facebook.translate import TranslateError, dump, parse_graph_time
from bot.domain import Author, Item

PLATFORM = "instagram"
WEBHOOK_OBJECT = "instagram"
WEBHOOK_FIELD = "comments"
MILLISECONDS_FROM = 10**11  # a unix time above this is in milliseconds (year 5138 in seconds)
UNREADABLE = (TranslateError, ValueError, TypeError, KeyError, OverflowError, OSError)

Failure = tuple[str, str]

__all__ = [
    "CommentPage",
    "Failure",
    "Problem",
    "TranslateError",
    "comment_to_item",
    "comments_to_items",
    "dump",
    "nested_replies",
    "parse_graph_time",
    "webhook_to_items",
]


def _text(raw: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise TranslateError(f"missing {key}")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TranslateError(f"{key} is not text")
    return str(value)


def _author(raw: Mapping[str, Any], ig_user_id: str) -> Author:
    """``from {id, username}``; older payloads only carry ``username``."""
    sender = raw.get("from")
    if sender is None:
        return Author(id="", name=_text(raw, "username"))
    if not isinstance(sender, Mapping):
        raise TranslateError("from is not an object")
    author_id = _text(sender, "id")
    name = _text(sender, "username") or _text(raw, "username")
    return Author(id=author_id, name=name, is_official=bool(author_id) and author_id == ig_user_id)


def _media_id(raw: Mapping[str, Any]) -> str:
    media = raw.get("media")
    if isinstance(media, Mapping):
        return _text(media, "id")
    if media is not None:
        raise TranslateError("media is not an object")
    return ""


def comment_to_item(
    raw: Any,
    *,
    account: str,
    ig_user_id: str,
    media_id: str = "",
    permalink: str = "",
    parent_id: str | None = None,
) -> Item:
    """One IG Comment node -> Item; raises :class:`TranslateError` on a malformed node.

    ``media_id`` and ``parent_id`` come from where the comment was listed when the node itself
    does not say (a reply listed under its comment may omit ``parent_id``).
    """
    if not isinstance(raw, Mapping):
        raise TranslateError("comment is not an object")
    comment_id = _text(raw, "id", required=True)
    if not comment_id:
        raise TranslateError("empty id")
    thread = media_id or _media_id(raw)
    if not thread:
        raise TranslateError("no media id for the thread")
    parent = _text(raw, "parent_id") or parent_id or None
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        raise TranslateError("hidden is not a boolean")
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=comment_id,
        thread_id=thread,
        author=_author(raw, ig_user_id),
        text=_text(raw, "text"),
        created_at=parse_graph_time(raw.get("timestamp")),
        parent_id=parent,
        permalink=permalink,
        is_hidden=hidden,
    )


def nested_replies(raw: Mapping[str, Any]) -> tuple[list[Any], bool]:
    """The replies Graph listed inside a comment, and whether it has more than it listed."""
    replies = raw.get("replies")
    if replies is None:
        return [], False
    if not isinstance(replies, Mapping) or not isinstance(replies.get("data"), list):
        raise TranslateError("replies is not a listing with data")
    paging = replies.get("paging")
    more = isinstance(paging, Mapping) and bool(paging.get("next"))
    return list(replies["data"]), more


@dataclass(frozen=True, slots=True)
class Problem:
    """A payload that could not be read, kept as received until it is reported."""

    raw: Any
    error: str

    def created(self) -> float | None:
        """The payload's own ``timestamp`` (unix), when it has a readable one."""
        if not isinstance(self.raw, Mapping):
            return None
        try:
            return parse_graph_time(self.raw.get("timestamp")).timestamp()
        except UNREADABLE:
            return None

    def as_failure(self) -> Failure:
        """``(raw payload, error)`` for :attr:`bot.domain.FetchResult.failures`."""
        return dump(self.raw), self.error


@dataclass
class CommentPage:
    """A page of comments translated: items (replies included), unreadable payloads, and the ids
    of comments whose replies Graph listed only in part, or not readably (to be read through
    ``/replies``: a top-level comment that cannot be read still has replies to moderate)."""

    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    more_replies: list[str] = field(default_factory=list)

    def extend(self, other: CommentPage) -> None:
        """Add another page's results to this one."""
        self.items.extend(other.items)
        self.problems.extend(other.problems)
        self.more_replies.extend(other.more_replies)

    def failures(self, floor: float | None = None) -> list[Failure]:
        """Failures to report: those created at or after ``floor``, or of unknown age.

        A poll re-reads every comment on a media, so without the floor an unreadable comment
        would be reported again on every poll.
        """
        return [
            p.as_failure()
            for p in self.problems
            if floor is None or (stamp := p.created()) is None or stamp >= floor
        ]


def comments_to_items(
    raws: Iterable[Any],
    *,
    account: str,
    ig_user_id: str,
    media_id: str,
    permalink: str = "",
    parent_id: str | None = None,
) -> CommentPage:
    """Translate a page of comments and the replies nested in them, collecting failures."""
    page = CommentPage()
    for raw in raws:
        try:
            item = comment_to_item(
                raw,
                account=account,
                ig_user_id=ig_user_id,
                media_id=media_id,
                permalink=permalink,
                parent_id=parent_id,
            )
        except UNREADABLE as exc:
            page.problems.append(Problem(raw, f"unreadable comment: {exc}"))
            if parent_id is None and (comment_id := _listable_id(raw)):
                page.more_replies.append(comment_id)  # its replies are still to be moderated
            continue
        page.items.append(item)
        try:
            replies, more = nested_replies(raw)
        except TranslateError as exc:
            page.problems.append(Problem(raw, f"unreadable replies: {exc}"))
            page.more_replies.append(item.external_id)  # read them through /replies instead
            continue
        if more:
            page.more_replies.append(item.external_id)
        nested = comments_to_items(
            replies,
            account=account,
            ig_user_id=ig_user_id,
            media_id=media_id,
            permalink=permalink,
            parent_id=item.external_id,
        )
        page.items.extend(nested.items)
        page.problems.extend(nested.problems)
    return page


def _listable_id(raw: Any) -> str:
    """The id of an unreadable comment when it is safe in a ``/{id}/replies`` path, else ""."""
    value = raw.get("id") if isinstance(raw, Mapping) else None
    if isinstance(value, str) and value and value.isascii() and value.replace("_", "").isalnum():
        return value
    return ""


def webhook_time(value: Any) -> datetime:
    """An entry's ``time``: unix seconds (or milliseconds, which some Meta webhooks send)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value >= MILLISECONDS_FROM else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    return parse_graph_time(value)


def change_to_item(value: Any, *, account: str, ig_user_id: str, at: datetime) -> Item:
    """A ``comments`` change value -> Item (Instagram gives no comment time: the entry's)."""
    if not isinstance(value, Mapping):
        raise TranslateError("change value is not an object")
    comment_id = _text(value, "id", required=True)
    media_id = _media_id(value)
    if not comment_id or not media_id:
        raise TranslateError("comment or media id missing")
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=comment_id,
        thread_id=media_id,
        author=_author(value, ig_user_id),
        text=_text(value, "text"),
        created_at=at,
        parent_id=_text(value, "parent_id") or None,
    )


def webhook_to_items(
    payload: Any, *, account: str, ig_user_id: str
) -> tuple[list[Item], list[Failure]]:
    """A decoded Instagram webhook -> items for this account; other objects, accounts and
    fields (mentions, story insights, ...) are ignored."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry", []), list):
        return [], [(dump(payload), "webhook body is not an instagram notification")]
    if payload.get("object") != WEBHOOK_OBJECT:
        return [], []
    items: list[Item] = []
    failures: list[Failure] = []
    for entry in payload.get("entry", []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("changes", []), list):
            failures.append((dump(entry), "webhook entry is not an object with changes"))
            continue
        if str(entry.get("id", "")) != ig_user_id:
            continue
        for change in entry.get("changes", []):
            if not isinstance(change, Mapping):
                failures.append((dump(change), "webhook change is not an object"))
                continue
            if change.get("field") != WEBHOOK_FIELD:
                continue
            try:
                at = webhook_time(entry.get("time"))
                item = change_to_item(
                    change.get("value"), account=account, ig_user_id=ig_user_id, at=at
                )
            except UNREADABLE as exc:
                failures.append((dump(change), f"unreadable comments change: {exc}"))
                continue
            items.append(item)
    return items, failures
