"""The emulated Instagram world: professional accounts, their media, comments and replies.

Pure data and Graph's rules for changing it, beside :mod:`.state` (Facebook pages): an Instagram
account is reached through the Facebook Page it is linked to, so the Page's access token is the
credential, exactly as with the Instagram API with Facebook Login.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .state import GraphError, OpLog, missing_object

REQUIRED_PERMISSIONS: tuple[str, ...] = (
    "instagram_basic",
    "instagram_manage_comments",
    "pages_show_list",
    "pages_read_engagement",
)
READ_PERMISSION = "instagram_basic"
WRITE_PERMISSION = "instagram_manage_comments"


def ig_user_id_for(username: str) -> str:
    """A stable, Instagram-scoped-looking id for a member of the public known by username."""
    digest = hashlib.sha256(username.encode("utf-8")).hexdigest()
    return "178" + str(int(digest[:16], 16))[:14].rjust(14, "0")


@dataclass
class IgAccount:
    """An Instagram professional account linked to a Facebook Page."""

    id: str
    username: str
    name: str
    page_id: str
    # permission -> "granted" | "declined" for the token of the linked page
    permissions: dict[str, str] = field(default_factory=dict)
    # fields the app receives webhooks for (what ``/{page}/subscribed_apps`` reports)
    subscribed_fields: list[str] = field(default_factory=lambda: ["feed", "comments"])


@dataclass
class IgMedia:
    """A post (image, video, carousel or reel) published by the account."""

    id: str
    owner_id: str
    caption: str
    timestamp: int
    seq: int
    shortcode: str
    media_type: str = "IMAGE"
    media_product_type: str = "FEED"


@dataclass
class IgComment:
    """A comment on a media, or a reply to one (replies only ever hang off top-level comments)."""

    id: str
    media_id: str
    owner_id: str  # the account that owns the media
    text: str
    from_id: str
    username: str
    timestamp: int
    seq: int
    parent_id: str | None = None
    hidden: bool = False
    deleted: bool = False
    deleted_by: str = ""  # "account" or "author" once deleted
    like_count: int = 0
    ops: OpLog = field(default_factory=OpLog)

    @property
    def by_account(self) -> bool:
        """Whether the account itself wrote it (an explanation or a courtesy reply)."""
        return self.from_id == self.owner_id


@dataclass
class IgChange:
    """A new comment to announce on the ``comments`` webhook field."""

    comment: IgComment


class InstagramState:
    """Every Instagram account, media and comment, with Graph's rules for changing them."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.accounts: dict[str, IgAccount] = {}
        self.media: dict[str, IgMedia] = {}
        self.comments: dict[str, IgComment] = {}
        self._media_ids = itertools.count(17_900_000_000_000_001)
        self._comment_ids = itertools.count(17_950_000_000_000_001)
        self._seq = itertools.count(1)
        self.changes: list[IgChange] = []

    # ---- accounts ----------------------------------------------------------------------------

    def add_account(
        self, username: str, *, page_id: str, ig_user_id: str | None = None, name: str = ""
    ) -> IgAccount:
        """Link a new Instagram account to a page; every required permission starts granted."""
        uid = ig_user_id or str(17_841_400_000_000_001 + len(self.accounts))
        if uid in self.accounts:
            raise ValueError(f"instagram account {uid} exists")
        if self.account_for_page(page_id) is not None:
            raise ValueError(f"page {page_id} already has an instagram account")
        account = IgAccount(
            id=uid,
            username=username,
            name=name or username,
            page_id=page_id,
            permissions={p: "granted" for p in REQUIRED_PERMISSIONS},
        )
        self.accounts[uid] = account
        return account

    def account_for_page(self, page_id: str) -> IgAccount | None:
        """The Instagram account linked to a page, if any."""
        return next((a for a in self.accounts.values() if a.page_id == page_id), None)

    def default_account(self) -> IgAccount:
        """The first account, which helpers use when none is named."""
        if not self.accounts:
            raise ValueError("the emulator has no instagram account yet")
        return next(iter(self.accounts.values()))

    def account(self, ig_user_id: str) -> IgAccount:
        """An account by id, or Graph's missing-object error."""
        try:
            return self.accounts[ig_user_id]
        except KeyError:
            raise missing_object(ig_user_id) from None

    # ---- media and comments ------------------------------------------------------------------

    def _now(self, at: float | None) -> int:
        return int(self.clock() if at is None else at)

    def add_media(
        self,
        caption: str,
        *,
        owner_id: str | None = None,
        timestamp: float | None = None,
        media_type: str = "IMAGE",
        media_product_type: str = "FEED",
    ) -> IgMedia:
        """Publish a media as the account."""
        owner = self.account(owner_id) if owner_id else self.default_account()
        media_id = str(next(self._media_ids))
        shortcode = "C" + hashlib.sha256(media_id.encode()).hexdigest()[:10]
        media = IgMedia(
            id=media_id,
            owner_id=owner.id,
            caption=caption,
            timestamp=self._now(timestamp),
            seq=next(self._seq),
            shortcode=shortcode,
            media_type=media_type,
            media_product_type=media_product_type,
        )
        self.media[media.id] = media
        return media

    def get_media(self, media_id: str) -> IgMedia:
        """A media by id, or Graph's missing-object error."""
        try:
            return self.media[media_id]
        except KeyError:
            raise missing_object(media_id) from None

    def comment(self, comment_id: str, *, include_deleted: bool = False) -> IgComment:
        """A comment by id; deleted comments are gone as far as Graph is concerned."""
        found = self.comments.get(comment_id)
        if found is None or (found.deleted and not include_deleted):
            raise missing_object(comment_id)
        return found

    def add_comment(
        self,
        target_id: str,
        text: str,
        *,
        from_id: str,
        username: str,
        timestamp: float | None = None,
    ) -> IgComment:
        """Comment on a media, or reply to a comment (a reply to a reply joins the top comment)."""
        if target_id in self.media:
            media, parent_id = self.media[target_id], None
        else:
            parent = self.comment(target_id)
            media, parent_id = self.media[parent.media_id], parent.parent_id or parent.id
        comment = IgComment(
            id=str(next(self._comment_ids)),
            media_id=media.id,
            owner_id=media.owner_id,
            text=text,
            from_id=from_id,
            username=username,
            timestamp=self._now(timestamp),
            seq=next(self._seq),
            parent_id=parent_id,
        )
        self.comments[comment.id] = comment
        self.changes.append(IgChange(comment))
        return comment

    def owner_of(self, object_id: str) -> str:
        """The account owning a media or comment (Graph's missing-object error otherwise)."""
        if object_id in self.media:
            return self.media[object_id].owner_id
        return self.comment(object_id).owner_id

    def post_as_account(self, account: IgAccount, target_id: str, text: str) -> IgComment:
        """``POST /{media}/comments`` or ``POST /{comment}/replies`` by the account itself.

        As on Instagram, a hidden comment (or a reply under one) cannot be replied to.
        """
        if self.owner_of(target_id) != account.id:
            raise missing_object(target_id)
        if not text.strip():
            raise GraphError(100, "(#100) The parameter message is required")
        if target_id not in self.media:
            target = self.comment(target_id)
            top = self.comments.get(target.parent_id) if target.parent_id else target
            if target.hidden or (top is not None and top.hidden):
                raise GraphError(100, "(#100) You cannot reply to a hidden comment")
        return self.add_comment(target_id, text, from_id=account.id, username=account.username)

    def set_hidden(self, account: IgAccount, comment_id: str, hidden: bool) -> IgComment:
        """Hide or unhide; repeating a request succeeds but is logged as a double."""
        comment = self.comment(comment_id)
        if comment.owner_id != account.id:
            raise missing_object(comment_id)
        if comment.by_account:
            raise GraphError(100, "(#100) You cannot hide your own comment")
        if hidden:
            if comment.hidden:
                comment.ops.double_hides += 1
            else:
                comment.ops.hides += 1
        elif comment.hidden:
            comment.ops.unhides += 1
        else:
            comment.ops.double_unhides += 1
        comment.hidden = hidden
        return comment

    def delete(self, account: IgAccount, comment_id: str) -> IgComment:
        """Delete a comment; a second delete is Graph's missing-object error (and logged)."""
        found = self.comments.get(comment_id)
        if found is not None and found.deleted:
            found.ops.double_deletes += 1
        comment = self.comment(comment_id)
        if comment.owner_id != account.id:
            raise missing_object(comment_id)
        comment.deleted = True
        comment.deleted_by = "account"
        comment.ops.deletes += 1
        return comment

    def delete_by_author(self, comment_id: str) -> IgComment:
        """The author deletes their own comment (Instagram sends no webhook for it)."""
        comment = self.comment(comment_id)
        comment.deleted = True
        comment.deleted_by = "author"
        return comment

    # ---- queries -----------------------------------------------------------------------------

    def account_media(self, owner_id: str) -> list[IgMedia]:
        """An account's media, newest first, as ``/{ig-user-id}/media`` lists them."""
        found = [m for m in self.media.values() if m.owner_id == owner_id]
        return sorted(found, key=lambda m: (m.timestamp, m.seq), reverse=True)

    def top_level(self, media_id: str) -> list[IgComment]:
        """Live top-level comments on a media, newest first (``/{media}/comments``)."""
        found = [
            c
            for c in self.comments.values()
            if c.media_id == media_id and c.parent_id is None and not c.deleted
        ]
        return sorted(found, key=lambda c: (c.timestamp, c.seq), reverse=True)

    def replies(self, comment_id: str) -> list[IgComment]:
        """Live replies to a comment, oldest first (``/{comment}/replies``)."""
        found = [c for c in self.comments.values() if c.parent_id == comment_id and not c.deleted]
        return sorted(found, key=lambda c: (c.timestamp, c.seq))

    def comments_count(self, media_id: str) -> int:
        """Live comments and replies on a media (Instagram counts replies too)."""
        return sum(1 for c in self.comments.values() if c.media_id == media_id and not c.deleted)

    def iter_account_comments(self) -> Iterator[IgComment]:
        """Every comment an account wrote on its own media, deleted ones included."""
        return (c for c in self.comments.values() if c.by_account)

    def drain_changes(self) -> list[IgChange]:
        """Hand over the new comments since the last call (for webhook delivery)."""
        changes, self.changes = self.changes, []
        return changes

    def reset(self) -> None:
        """Forget media and comments; accounts, permissions and subscriptions stay."""
        self.media.clear()
        self.comments.clear()
        self.changes.clear()
