"""Instagram's JSON shapes: IG User, IG Media and IG Comment nodes, nested ``replies`` with paging,
the ``comments`` webhook payload, and the plain JSON the control API and tests read.

As in :mod:`.render`, an unknown field is refused with Graph's code 100, so an adapter asking
for a field Instagram does not have fails here rather than in production.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from yarl import URL

from .instagram import IgAccount, IgComment, IgMedia, InstagramState
from .render import FieldSpec, paginate, select, spec_text
from .state import graph_time

IG_USER_FIELDS = {
    "id",
    "ig_id",
    "username",
    "name",
    "biography",
    "website",
    "followers_count",
    "follows_count",
    "media_count",
    "profile_picture_url",
}
IG_USER_DEFAULT = "id"
MEDIA_FIELDS = {
    "id",
    "caption",
    "timestamp",
    "permalink",
    "shortcode",
    "comments_count",
    "like_count",
    "media_type",
    "media_product_type",
    "media_url",
    "username",
    "owner",
    "is_comment_enabled",
}
MEDIA_DEFAULT = "id"
COMMENT_FIELDS = {
    "id",
    "text",
    "timestamp",
    "username",
    "from",
    "hidden",
    "like_count",
    "media",
    "parent_id",
    "replies",
    "user",
    "legacy_instagram_comment_id",
}
COMMENT_DEFAULT = "id,text,timestamp"
NESTED_REPLIES_LIMIT = 25  # replies listed inside a comment; more are paged via /replies


def permalink(media: IgMedia) -> str:
    """The public URL of a media."""
    return f"https://www.instagram.com/p/{media.shortcode}/"


def render_account(state: InstagramState, account: IgAccount, spec: FieldSpec) -> dict[str, Any]:
    """An IG User node."""
    full = {
        "id": account.id,
        "ig_id": int(account.id[-9:]),
        "username": account.username,
        "name": account.name,
        "biography": "Official account of the school.",
        "website": "https://www.example.sch.uk/",
        "followers_count": 860,
        "follows_count": 12,
        "media_count": len(state.account_media(account.id)),
        "profile_picture_url": f"https://scontent.cdninstagram.com/{account.id}.jpg",
    }
    return select(full, spec, IG_USER_FIELDS, "IGUser")


def render_media(state: InstagramState, media: IgMedia, spec: FieldSpec) -> dict[str, Any]:
    """An IG Media node."""
    owner = state.accounts[media.owner_id]
    full = {
        "id": media.id,
        "caption": media.caption,
        "timestamp": graph_time(media.timestamp),
        "permalink": permalink(media),
        "shortcode": media.shortcode,
        "comments_count": state.comments_count(media.id),
        "like_count": 40,
        "media_type": media.media_type,
        "media_product_type": media.media_product_type,
        "media_url": f"https://scontent.cdninstagram.com/{media.id}.jpg",
        "username": owner.username,
        "owner": {"id": owner.id},
        "is_comment_enabled": True,
    }
    return select(full, spec, MEDIA_FIELDS, "IGMedia")


class CommentRenderer:
    """Renders IG Comments for one request; knows the URL and token that nested paging needs."""

    def __init__(self, state: InstagramState, *, url: URL, version: str, token: str) -> None:
        self.state = state
        self.url = url
        self.version = version
        self.token = token

    def render(self, comment: IgComment, spec: FieldSpec) -> dict[str, Any]:
        """One IG Comment node; ``replies`` is a nested edge with its own paging."""
        media = self.state.media[comment.media_id]
        full: dict[str, Any] = {
            "id": comment.id,
            "text": comment.text,
            "timestamp": graph_time(comment.timestamp),
            "username": comment.username,
            "from": {"id": comment.from_id, "username": comment.username},
            "hidden": comment.hidden,
            "like_count": comment.like_count,
            "media": {"id": media.id, "media_product_type": media.media_product_type},
            "parent_id": comment.parent_id,
            "user": {"id": comment.from_id} if comment.by_account else None,
            "legacy_instagram_comment_id": comment.id[-12:],
        }
        flat = {k: v for k, v in spec.items() if k != "replies"}
        body = select(full, flat, COMMENT_FIELDS, "IGComment")
        if "replies" in spec:
            nested = self.replies_page(comment, spec["replies"] or {"id": None})
            if nested["data"]:
                body["replies"] = nested
        return body

    def replies_page(
        self, comment: IgComment, spec: FieldSpec, query: dict[str, str] | None = None,
        limit: int = NESTED_REPLIES_LIMIT,
    ) -> dict[str, Any]:
        """A page of a comment's replies, with ``next`` pointing at ``/{comment}/replies``."""
        base = {"fields": spec_text(spec), "access_token": self.token}
        return paginate(
            self.state.replies(comment.id),
            key=lambda c: (c.timestamp, c.seq),
            render=lambda c: self.render(c, {k: v for k, v in spec.items() if k != "replies"}),
            url=self.url.with_path(f"/{self.version}/{comment.id}/replies"),
            query=base | (query or {}),
            limit=limit,
            descending=False,
        )


def comments_payload(comment: IgComment, media: IgMedia, now: int) -> dict[str, Any]:
    """The ``comments`` webhook Instagram sends for a new comment (no timestamp in the value)."""
    value: dict[str, Any] = {
        "from": {"id": comment.from_id, "username": comment.username},
        "media": {"id": media.id, "media_product_type": media.media_product_type},
        "id": comment.id,
        "text": comment.text,
    }
    if comment.parent_id:
        value["parent_id"] = comment.parent_id
    return {
        "object": "instagram",
        "entry": [
            {
                "id": comment.owner_id,
                "time": now,
                "changes": [{"field": "comments", "value": value}],
            }
        ],
    }


# ---- control-API JSON ------------------------------------------------------------------------


def media_json(media: IgMedia) -> dict[str, Any]:
    """One media as the control API shows it."""
    return {
        "id": media.id,
        "owner_id": media.owner_id,
        "caption": media.caption,
        "timestamp": graph_time(media.timestamp),
        "timestamp_unix": media.timestamp,
        "permalink": permalink(media),
        "media_type": media.media_type,
        "media_product_type": media.media_product_type,
    }


def comment_json(comment: IgComment) -> dict[str, Any]:
    """One comment with its moderation flags and operation log."""
    return {
        "id": comment.id,
        "media_id": comment.media_id,
        "owner_id": comment.owner_id,
        "parent_id": comment.parent_id,
        "text": comment.text,
        "from": {"id": comment.from_id, "username": comment.username},
        "timestamp": graph_time(comment.timestamp),
        "timestamp_unix": comment.timestamp,
        "hidden": comment.hidden,
        "deleted": comment.deleted,
        "deleted_by": comment.deleted_by,
        "by_account": comment.by_account,
        "ops": comment.ops.as_dict(),
    }


def account_json(account: IgAccount) -> dict[str, Any]:
    """One account with its page, permissions and webhook fields."""
    return {
        "id": account.id,
        "username": account.username,
        "name": account.name,
        "page_id": account.page_id,
        "permissions": dict(account.permissions),
        "subscribed_fields": list(account.subscribed_fields),
    }


def ig_snapshot(state: InstagramState) -> dict[str, Any]:
    """Everything in the Instagram world, plus totals that tests assert on.

    ``double_explanations`` are identical account comments under one parent on one media: the
    account saying the same thing twice, which idempotent moderation must avoid.
    """
    comments = [comment_json(c) for c in state.comments.values()]
    own = [c for c in comments if c["by_account"]]
    groups = Counter((c.media_id, c.parent_id, c.text) for c in state.iter_account_comments())
    doubles = [
        {"media_id": m, "parent_id": p, "text": t, "count": n}
        for (m, p, t), n in groups.items()
        if n > 1
    ]
    ops: Counter[str] = Counter()
    for comment in state.comments.values():
        ops.update(comment.ops.as_dict())
    return {
        "accounts": [account_json(a) for a in state.accounts.values()],
        "media": [media_json(m) for m in state.media.values()],
        "comments": comments,
        "account_replies": own,
        "double_explanations": doubles,
        "totals": {
            "comments": sum(1 for c in comments if not c["by_account"]),
            "account_replies": len(own),
            "hidden": sum(1 for c in comments if c["hidden"] and not c["deleted"]),
            "deleted": sum(1 for c in comments if c["deleted"]),
            **{k: ops[k] for k in ("hides", "double_hides", "unhides", "double_unhides",
                                   "deletes", "double_deletes")},
            "double_explanations": sum(d["count"] - 1 for d in doubles),
        },
    }
