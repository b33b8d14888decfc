"""The emulated Graph world: pages, posts, comments, blocks and an operation log per comment.

Pure data and operations with no HTTP in sight, so the server, the control API and in-process
tests all change the world through the same rules (and the same Graph error codes).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GRAPH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"


def graph_time(unix: float) -> str:
    """Format a unix time the way Graph does (``2026-11-22T10:00:00+0000``)."""
    return datetime.fromtimestamp(int(unix), tz=UTC).strftime(GRAPH_TIME_FORMAT)


def user_id_for(name: str) -> str:
    """A stable, Graph-looking numeric id for a member of the public known only by name."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return "9" + str(int(digest[:16], 16))[:14].rjust(14, "0")


class GraphError(Exception):
    """A Graph error answer: rendered as ``{"error": {...}}`` with an HTTP status."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        type_: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        is_transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.type = type_
        self.subcode = subcode
        self.status = status
        self.is_transient = is_transient

    def body(self, trace_id: str) -> dict[str, Any]:
        """Graph's error JSON shape."""
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient:
            error["is_transient"] = True
        error["fbtrace_id"] = trace_id
        return {"error": error}


def missing_object(object_id: str) -> GraphError:
    """Graph's answer for an id that does not exist (or was deleted)."""
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        type_="GraphMethodException",
        subcode=33,
    )


def permission_error(what: str) -> GraphError:
    """Graph's answer when the token's page may not touch an object."""
    return GraphError(200, f"(#200) Permissions error: {what}")


# what a new page's token is granted (``/me/permissions``; see :mod:`.page_access`)
PAGE_PERMISSIONS = ("pages_show_list", "pages_read_engagement", "pages_read_user_content",
                    "pages_manage_engagement", "pages_manage_metadata")


@dataclass
class Page:
    """A Facebook Page with its page access token, its block list and the app's access to it."""

    id: str
    name: str
    access_token: str
    blocked: dict[str, str] = field(default_factory=dict)  # user id -> name
    # permission -> "granted" | "declined" | "expired" (one never asked for is absent)
    permissions: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(PAGE_PERMISSIONS, "granted"))
    subscribed_fields: list[str] = field(default_factory=lambda: ["feed"])  # webhook fields


@dataclass
class Post:
    """A post on a page's timeline (written by the page)."""

    id: str
    page_id: str
    message: str
    created_time: int
    seq: int


@dataclass
class OpLog:
    """What moderation did to one comment, counting requests that changed nothing."""

    hides: int = 0
    double_hides: int = 0
    unhides: int = 0
    double_unhides: int = 0
    deletes: int = 0
    double_deletes: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return dict(self.__dict__)


@dataclass
class Comment:
    """A comment or reply on a post, by the public or by the page."""

    id: str
    post_id: str
    page_id: str
    message: str
    from_id: str
    from_name: str
    created_time: int
    seq: int
    parent_id: str | None = None
    is_hidden: bool = False
    deleted: bool = False
    attachment: dict[str, Any] | None = None
    ops: OpLog = field(default_factory=OpLog)
    edited_time: int | None = None  # the last edit by its author (created_time never changes)
    deleted_by: str = ""  # "page" or "author" once deleted

    @property
    def by_page(self) -> bool:
        """Whether the page itself wrote it (an explanation or courtesy reply)."""
        return self.from_id == self.page_id


@dataclass
class Change:
    """A feed change to announce by webhook (the state knows nothing of delivery)."""

    verb: str
    comment: Comment


class GraphState:
    """Every page, post and comment in the emulated world, with Graph's rules for changing them."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.pages: dict[str, Page] = {}
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self._ids = itertools.count(2_000_000_000_001)
        self._seq = itertools.count(1)
        self.changes: list[Change] = []  # drained by the emulator after each operation

    # ---- pages -------------------------------------------------------------------------------

    def add_page(
        self, name: str, page_id: str | None = None, access_token: str | None = None
    ) -> Page:
        """Create a page; ids and tokens are generated when not given."""
        pid = page_id or str(1_000_000_000_001 + len(self.pages))
        if pid in self.pages:
            raise ValueError(f"page {pid} exists")
        token = (
            access_token or f"EAAG-emulated-{pid}-{hashlib.sha256(pid.encode()).hexdigest()[:16]}"
        )
        page = Page(id=pid, name=name, access_token=token)
        self.pages[pid] = page
        return page

    def default_page(self) -> Page:
        """The first page, which helpers use when no page is named."""
        if not self.pages:
            raise ValueError("the emulator has no page yet")
        return next(iter(self.pages.values()))

    def page_for_token(self, token: str) -> Page | None:
        """The page a page access token belongs to."""
        return next((p for p in self.pages.values() if p.access_token == token), None)

    def page(self, page_id: str) -> Page:
        """A page by id, or Graph's missing-object error."""
        try:
            return self.pages[page_id]
        except KeyError:
            raise missing_object(page_id) from None

    # ---- posts and comments ------------------------------------------------------------------

    def _now(self, created_time: float | None) -> int:
        return int(self.clock() if created_time is None else created_time)

    def add_post(
        self, message: str, page_id: str | None = None, created_time: float | None = None
    ) -> Post:
        """Publish a post as the page."""
        page = self.page(page_id) if page_id else self.default_page()
        post = Post(
            id=f"{page.id}_{next(self._ids)}",
            page_id=page.id,
            message=message,
            created_time=self._now(created_time),
            seq=next(self._seq),
        )
        self.posts[post.id] = post
        return post

    def post(self, post_id: str) -> Post:
        """A post by id, or Graph's missing-object error."""
        try:
            return self.posts[post_id]
        except KeyError:
            raise missing_object(post_id) from None

    def comment(self, comment_id: str, *, include_deleted: bool = False) -> Comment:
        """A comment by id; deleted comments are gone as far as Graph is concerned."""
        found = self.comments.get(comment_id)
        if found is None or (found.deleted and not include_deleted):
            raise missing_object(comment_id)
        return found

    def add_comment(
        self,
        target_id: str,
        message: str,
        *,
        from_id: str,
        from_name: str,
        attachment: dict[str, Any] | None = None,
        created_time: float | None = None,
    ) -> Comment:
        """Comment on a post, or reply to a comment (replies to replies join the top comment)."""
        if target_id in self.posts:
            post, parent_id = self.posts[target_id], None
        else:
            parent = self.comment(target_id)
            post = self.posts[parent.post_id]
            parent_id = parent.parent_id or parent.id
        page = self.pages[post.page_id]
        if from_id in page.blocked:
            raise GraphError(
                368, "The action attempted has been deemed abusive or is otherwise disallowed"
            )
        local_post = post.id.split("_", 1)[1]
        comment = Comment(
            id=f"{local_post}_{next(self._ids)}",
            post_id=post.id,
            page_id=page.id,
            message=message,
            from_id=from_id,
            from_name=from_name,
            created_time=self._now(created_time),
            seq=next(self._seq),
            parent_id=parent_id,
            attachment=attachment,
        )
        self.comments[comment.id] = comment
        self.changes.append(Change("add", comment))
        return comment

    def reply_as_page(self, page: Page, target_id: str, message: str) -> Comment:
        """``POST /{id}/comments`` with a page token: the page comments or replies."""
        owner = self._owner_page(target_id)
        if owner != page.id:
            raise permission_error("the object is not on this page")
        if not message.strip():
            raise GraphError(100, "(#100) Missing message or attachment", type_="OAuthException")
        return self.add_comment(target_id, message, from_id=page.id, from_name=page.name)

    def _owner_page(self, object_id: str) -> str:
        if object_id in self.posts:
            return self.posts[object_id].page_id
        return self.comment(object_id).page_id

    def set_hidden(self, page: Page, comment_id: str, hidden: bool) -> Comment:
        """Hide or unhide; repeating a request succeeds but is logged as a double."""
        comment = self.comment(comment_id)
        if comment.page_id != page.id:
            raise permission_error("the comment is not on this page")
        if comment.by_page:
            raise GraphError(
                100, "(#100) A page cannot hide its own comment", type_="OAuthException"
            )
        if hidden:
            if comment.is_hidden:
                comment.ops.double_hides += 1
            else:
                comment.ops.hides += 1
        elif comment.is_hidden:
            comment.ops.unhides += 1
        else:
            comment.ops.double_unhides += 1
        if comment.is_hidden != hidden:
            comment.is_hidden = hidden
            self.changes.append(Change("hide" if hidden else "unhide", comment))
        return comment

    def delete(self, page: Page, comment_id: str) -> Comment:
        """Delete a comment; a second delete is Graph's missing-object error (and logged)."""
        found = self.comments.get(comment_id)
        if found is not None and found.deleted:
            found.ops.double_deletes += 1
        comment = self.comment(comment_id)
        if comment.page_id != page.id:
            raise permission_error("the comment is not on this page")
        comment.deleted = True
        comment.deleted_by = "page"
        comment.ops.deletes += 1
        self.changes.append(Change("remove", comment))
        return comment

    # ---- what authors do to their own comments -----------------------------------------------

    def edit_by_author(self, comment_id: str, message: str) -> Comment:
        """The author edits their comment: new message, same ``created_time``, an "edited" change.

        As on Graph, ``since`` / ``until`` on a comment listing still filter on ``created_time``.
        """
        comment = self.comment(comment_id)
        if not message.strip():
            raise GraphError(100, "(#100) Missing message", type_="OAuthException")
        comment.message = message
        comment.edited_time = self._now(None)
        self.changes.append(Change("edited", comment))
        return comment

    def delete_by_author(self, comment_id: str) -> Comment:
        """The author deletes their own comment (not moderation: the op log is untouched)."""
        comment = self.comment(comment_id)
        comment.deleted = True
        comment.deleted_by = "author"
        self.changes.append(Change("remove", comment))
        return comment

    # ---- blocks ------------------------------------------------------------------------------

    def known_name(self, user_id: str) -> str:
        """The name a user commented under, if any."""
        return next((c.from_name for c in self.comments.values() if c.from_id == user_id), "")

    def block(self, page: Page, user_id: str) -> None:
        """Block a user from the page."""
        if user_id == page.id:
            raise GraphError(100, "(#100) A page cannot block itself", type_="OAuthException")
        page.blocked[user_id] = self.known_name(user_id)

    def unblock(self, page: Page, user_id: str) -> None:
        """Unblock a user (no error when they were not blocked, as Graph)."""
        page.blocked.pop(user_id, None)

    # ---- queries -----------------------------------------------------------------------------

    def page_posts(self, page_id: str) -> list[Post]:
        """A page's posts, newest first, as ``/{page}/posts`` lists them."""
        posts = [p for p in self.posts.values() if p.page_id == page_id]
        return sorted(posts, key=lambda p: (p.created_time, p.seq), reverse=True)

    def thread_comments(self, object_id: str, *, stream: bool) -> list[Comment]:
        """Live comments on a post (top level, or all with ``stream``), or replies to a comment."""
        if object_id in self.posts:
            found = [
                c
                for c in self.comments.values()
                if c.post_id == object_id and not c.deleted and (stream or c.parent_id is None)
            ]
        else:
            parent = self.comment(object_id)
            found = [
                c for c in self.comments.values() if c.parent_id == parent.id and not c.deleted
            ]
        return sorted(found, key=lambda c: (c.created_time, c.seq))

    def reply_count(self, comment: Comment) -> int:
        """How many live replies a comment has."""
        return sum(1 for c in self.comments.values() if c.parent_id == comment.id and not c.deleted)

    def iter_page_replies(self) -> Iterator[Comment]:
        """Every comment the page itself wrote, including deleted ones."""
        return (c for c in self.comments.values() if c.by_page)

    def drain_changes(self) -> list[Change]:
        """Hand over the changes since the last call (for webhook delivery)."""
        changes, self.changes = self.changes, []
        return changes

    def reset(self) -> None:
        """Forget posts, comments, blocks and logs; pages and their tokens stay."""
        self.posts.clear()
        self.comments.clear()
        self.changes.clear()
        for page in self.pages.values():
            page.blocked.clear()
