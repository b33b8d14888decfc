"""The full-state dump tests and the crash test read: flags, op counts, page replies, doubles.

"Double explanations" are identical page-authored comments under the same parent in the same
post: a page explaining the same hidden comment twice, which idempotent moderation must avoid.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .state import Comment, GraphState, Post, graph_time


def post_json(post: Post) -> dict[str, Any]:
    """One post as the control API shows it."""
    return {
        "id": post.id,
        "page_id": post.page_id,
        "message": post.message,
        "created_time": graph_time(post.created_time),
        "created_unix": post.created_time,
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    """One comment with its moderation flags and operation log."""
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "page_id": comment.page_id,
        "parent_id": comment.parent_id,
        "message": comment.message,
        "from": {"id": comment.from_id, "name": comment.from_name},
        "created_time": graph_time(comment.created_time),
        "created_unix": comment.created_time,
        "is_hidden": comment.is_hidden,
        "deleted": comment.deleted,
        "deleted_by": comment.deleted_by,
        "edited_time": graph_time(comment.edited_time) if comment.edited_time else None,
        "by_page": comment.by_page,
        "attachment": comment.attachment,
        "ops": comment.ops.as_dict(),
    }


def double_explanations(state: GraphState) -> list[dict[str, Any]]:
    """Groups of identical page replies under one parent (count >= 2), deleted ones included."""
    groups = Counter((c.post_id, c.parent_id, c.message) for c in state.iter_page_replies())
    return [
        {"post_id": post_id, "parent_id": parent_id, "message": message, "count": count}
        for (post_id, parent_id, message), count in groups.items()
        if count > 1
    ]


def snapshot(state: GraphState) -> dict[str, Any]:
    """Everything in the emulated world, plus totals that tests assert on."""
    comments = [comment_json(c) for c in state.comments.values()]
    page_replies = [c for c in comments if c["by_page"]]
    doubles = double_explanations(state)
    totals: Counter[str] = Counter()
    for comment in state.comments.values():
        totals.update(comment.ops.as_dict())
    return {
        "pages": [
            {
                "id": p.id,
                "name": p.name,
                "access_token": p.access_token,
                "blocked": [{"id": uid, "name": name} for uid, name in p.blocked.items()],
                "permissions": dict(p.permissions),
                "subscribed_fields": list(p.subscribed_fields),
            }
            for p in state.pages.values()
        ],
        "posts": [post_json(p) for p in state.posts.values()],
        "comments": comments,
        "page_replies": page_replies,
        "double_explanations": doubles,
        "totals": {
            "comments": sum(1 for c in comments if not c["by_page"]),
            "page_replies": len(page_replies),
            "hidden": sum(1 for c in comments if c["is_hidden"] and not c["deleted"]),
            "deleted": sum(1 for c in comments if c["deleted"]),
            "hides": totals["hides"],
            "double_hides": totals["double_hides"],
            "unhides": totals["unhides"],
            "double_unhides": totals["double_unhides"],
            "deletes": totals["deletes"],
            "double_deletes": totals["double_deletes"],
            "double_explanations": sum(d["count"] - 1 for d in doubles),
            "blocked": sum(len(p.blocked) for p in state.pages.values()),
        },
    }
