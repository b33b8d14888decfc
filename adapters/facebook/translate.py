"""Graph comment JSON and page feed webhooks -> :class:`bot.domain.Item`; pure, never raising.

Anything that cannot be read comes back as a failure ``(raw payload, error)`` so the core can
store it for a person to look at, instead of one bad entry losing a whole poll or delivery.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from bot.domain import Attachment, Author, Item

PLATFORM = "facebook"
TRANSLATED_VERBS = frozenset({"add", "edited"})
REMOVED_VERB = "remove"
ATTACHMENT_KINDS = {
    "photo": "image",
    "sticker": "sticker",
    "animated_image_share": "gif",
    "animated_image_autoplay": "gif",
    "video_inline": "video",
    "video_autoplay": "video",
    "video": "video",
    "share": "link",
}

Failure = tuple[str, str]


class TranslateError(ValueError):
    """One payload that does not have the shape of a Graph comment."""


def dump(raw: Any) -> str:
    """The raw payload as text, for storing beside a failure."""
    try:
        return json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(raw)


def parse_graph_time(value: Any) -> datetime:
    """Graph's ``2026-11-22T10:00:00+0000`` or a unix time (webhooks) -> aware UTC datetime."""
    if isinstance(value, bool):
        raise TranslateError(f"bad time {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC)
        for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
            try:
                return datetime.strptime(text, fmt).astimezone(UTC)
            except ValueError:
                continue
    raise TranslateError(f"bad time {value!r}")


def _text(raw: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise TranslateError(f"missing {key}")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TranslateError(f"{key} is not text")
    return str(value)


def _author(raw: Any, page_id: str) -> Author:
    """Graph omits ``from`` when the commenter's profile is not visible to the app."""
    if raw is None:
        return Author(id="", name="")
    if not isinstance(raw, Mapping):
        raise TranslateError("from is not an object")
    author_id = _text(raw, "id")
    return Author(
        id=author_id, name=_text(raw, "name"), is_official=bool(author_id) and author_id == page_id
    )


def _sub(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def attachment_from_graph(raw: Any) -> Attachment:
    """Metadata only: kind, the attached object's id, a MIME type guessed from the media URL."""
    if not isinstance(raw, Mapping):
        raise TranslateError("attachment is not an object")
    graph_type = str(raw.get("type") or "unknown")
    target = _sub(raw, "target")
    media = _sub(raw, "media")
    image = _sub(media, "image")
    src = str(media.get("source") or image.get("src") or raw.get("url") or "")
    mime = ""
    if src and graph_type != "share":
        mime = mimetypes.guess_type(urlparse(src).path)[0] or ""
    return Attachment(
        kind=ATTACHMENT_KINDS.get(graph_type, graph_type),
        external_id=str(target.get("id") or ""),
        mime_type=mime,
    )


def comment_to_item(raw: Any, *, account: str, page_id: str, post_id: str | None = None) -> Item:
    """One Graph Comment node -> Item; raises :class:`TranslateError` on a malformed node."""
    if not isinstance(raw, Mapping):
        raise TranslateError("comment is not an object")
    comment_id = _text(raw, "id", required=True)
    if not comment_id:
        raise TranslateError("empty id")
    parent = raw.get("parent")
    if parent is not None and not (isinstance(parent, Mapping) and parent.get("id")):
        raise TranslateError("parent has no id")
    obj = raw.get("object")
    thread = post_id or (str(obj["id"]) if isinstance(obj, Mapping) and obj.get("id") else "")
    if not thread:
        raise TranslateError("no post id for the thread")
    attachment = raw.get("attachment")
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=comment_id,
        thread_id=thread,
        author=_author(raw.get("from"), page_id),
        text=_text(raw, "message"),
        created_at=parse_graph_time(raw.get("created_time")),
        parent_id=str(parent["id"]) if parent else None,
        permalink=_text(raw, "permalink_url"),
        attachments=(attachment_from_graph(attachment),) if attachment else (),
        is_hidden=bool(raw.get("is_hidden", False)),
    )


def comments_to_items(
    raws: Iterable[Any], *, account: str, page_id: str, post_id: str
) -> tuple[list[Item], list[Failure]]:
    """Translate a page of comments, collecting malformed ones as failures."""
    items: list[Item] = []
    failures: list[Failure] = []
    for raw in raws:
        try:
            items.append(comment_to_item(raw, account=account, page_id=page_id, post_id=post_id))
        except (TranslateError, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            failures.append((dump(raw), f"unreadable comment: {exc}"))
    return items, failures


def change_to_item(value: Any, *, account: str, page_id: str) -> Item | None:
    """A feed change value -> Item, or None for changes that are not new/edited comments."""
    if not isinstance(value, Mapping):
        raise TranslateError("change value is not an object")
    if value.get("item") != "comment" or value.get("verb") not in TRANSLATED_VERBS:
        return None
    comment_id = _text(value, "comment_id", required=True)
    post_id = _text(value, "post_id", required=True)
    parent_id = _text(value, "parent_id") or None
    return Item(
        platform=PLATFORM,
        account=account,
        external_id=comment_id,
        thread_id=post_id,
        author=_author(value.get("from"), page_id),
        text=_text(value, "message"),
        created_at=parse_graph_time(value.get("created_time")),
        parent_id=None if parent_id in (None, post_id) else parent_id,  # top level: parent = post
        attachments=_webhook_attachments(value),
    )


def _webhook_attachments(value: Mapping[str, Any]) -> tuple[Attachment, ...]:
    if value.get("photo"):
        return (
            Attachment(kind="image", mime_type=mimetypes.guess_type(str(value["photo"]))[0] or ""),
        )
    if value.get("video"):
        return (Attachment(kind="video"),)
    return ()


def webhook_to_items(
    payload: Any, *, account: str, page_id: str
) -> tuple[list[Item], list[Failure]]:
    """A decoded page webhook -> items for this page; other objects and pages are ignored."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry", []), list):
        return [], [(dump(payload), "webhook body is not a page notification")]
    if payload.get("object") != "page":
        return [], []
    items: list[Item] = []
    failures: list[Failure] = []
    for entry in payload.get("entry", []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("changes", []), list):
            failures.append((dump(entry), "webhook entry is not an object with changes"))
            continue
        if str(entry.get("id", "")) != page_id:
            continue
        for change in entry.get("changes", []):
            if not isinstance(change, Mapping) or change.get("field") != "feed":
                if not isinstance(change, Mapping):
                    failures.append((dump(change), "webhook change is not an object"))
                continue
            try:
                item = change_to_item(change.get("value"), account=account, page_id=page_id)
            except (TranslateError, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
                failures.append((dump(change), f"unreadable feed change: {exc}"))
                continue
            if item is not None:
                items.append(item)
    return items, failures


def _removed_comment_id(change: Any) -> str | None:
    """The comment id of a feed change that removes a comment, else None."""
    if not isinstance(change, Mapping) or change.get("field") != "feed":
        return None
    value = change.get("value")
    if not isinstance(value, Mapping):
        return None
    if value.get("item") != "comment" or value.get("verb") != REMOVED_VERB:
        return None
    comment_id = value.get("comment_id")
    if not isinstance(comment_id, str | int) or isinstance(comment_id, bool):
        return None
    return str(comment_id) or None


def webhook_removals(payload: Any, *, page_id: str) -> list[str]:
    """Comment ids a page webhook reports as removed (``verb: "remove"``); never raises.

    Graph does not say who removed a comment (its author or a page admin), so every removal on
    this page is listed; malformed entries are skipped here (``webhook_to_items`` reports them).
    """
    if not isinstance(payload, Mapping) or payload.get("object") != "page":
        return []
    entries = payload.get("entry")
    removed: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or str(entry.get("id", "")) != page_id:
            continue
        changes = entry.get("changes")
        for change in changes if isinstance(changes, list) else []:
            comment_id = _removed_comment_id(change)
            if comment_id is not None and comment_id not in removed:
                removed.append(comment_id)
    return removed
