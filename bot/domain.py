"""The shared vocabulary of the service: frozen dataclasses that every layer speaks.

Adapters translate platform payloads into :class:`Item` and execute :class:`PlatformAction`;
the core never sees an SDK object.  This module imports nothing from the project so that
adapters can depend on it without depending on storage or rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Platform = Literal["facebook", "instagram", "twitter", "discord"]
PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "twitter", "discord")

Mode = Literal["shadow", "assist", "enforce"]


class Label(StrEnum):
    """Primary moderation labels, declared in precedence order (DESIGN §3)."""

    SAFEGUARDING = "safeguarding"
    PERSONAL_DATA = "personal_data"
    HATE = "hate"
    SEXUAL = "sexual"
    ABUSE = "abuse"
    SPAM = "spam"
    PROFANITY = "profanity"
    PRESS = "press"
    COMPLAINT = "complaint"
    QUERY = "query"
    OTHER = "other"


PRECEDENCE: tuple[Label, ...] = tuple(Label)
HIDE_LABELS: frozenset[Label] = frozenset(
    {
        Label.SAFEGUARDING,
        Label.PERSONAL_DATA,
        Label.HATE,
        Label.SEXUAL,
        Label.ABUSE,
        Label.SPAM,
        Label.PROFANITY,
    }
)


class ActionKind(StrEnum):
    """Side effects the executor can apply on a platform."""

    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    REPLY = "reply"  # a reply in the item's thread (explanations, courtesy replies)
    BLOCK = "block"
    MUTE = "mute"  # X: the account stops seeing the author; the audience still does
    TIMEOUT = "timeout"  # Discord: the author cannot post for a while


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote an item, as the platform names them."""

    id: str
    name: str = ""
    is_official: bool = False  # the account itself (a page reply, the bot's own posts)


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata of an image, video or link attached to an item; the media is never fetched."""

    kind: str
    external_id: str = ""
    mime_type: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of incoming content on an official account."""

    platform: str
    account: str  # config key of the account it arrived on
    external_id: str
    thread_id: str  # the post / conversation / channel the item belongs to
    author: Author
    text: str
    created_at: datetime
    parent_id: str | None = None
    kind: str = "comment"
    permalink: str = ""
    attachments: tuple[Attachment, ...] = ()
    is_hidden: bool = False


@dataclass(frozen=True, slots=True)
class PlatformAction:
    """One side effect for an adapter to perform; ``key`` is the outbox idempotency key."""

    key: str
    kind: ActionKind
    target_id: str  # the item (comment) acted on, or the thread for a thread reply
    thread_id: str = ""
    text: str = ""
    author_id: str = ""
    # When the action was first scheduled: a platform check for an earlier attempt only counts
    # effects from after this time (explanation wordings repeat within a thread).
    since: datetime | None = None
    # Ids of replies this account already posted for other actions; never taken as this one's.
    exclude_ids: tuple[str, ...] = ()
    duration_seconds: float = 0.0  # how long a TIMEOUT lasts


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What the platform said about an action."""

    ok: bool
    external_id: str = ""  # e.g. the id of a posted reply
    detail: str = ""
    already_done: bool = False  # the platform state already showed the effect


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Items a poll found and the cursor to store once they are stored."""

    items: tuple[Item, ...]
    cursor: dict[str, Any] = field(default_factory=dict)
    failures: tuple[tuple[str, str], ...] = ()  # (raw payload, error) the adapter could not read
    deleted: tuple[str, ...] = ()  # external ids the platform reports as removed by their author
