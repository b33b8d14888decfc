"""Instagram professional accounts: comments in by polling and the ``comments`` webhook,
hides / deletes / replies out, through the Graph API (Instagram with Facebook Login).

The Graph plumbing (facebook-sdk in a thread pool, retries, usage headers, error mapping,
webhook signatures) is the Facebook adapter's, imported rather than repeated; the core only ever
sees :class:`bot.domain.Item`, :class:`bot.domain.ActionResult` and the errors of
:mod:`adapters.base`.
"""

from __future__ import annotations

from .adapter import InstagramAdapter
from .client import COMMENT_FIELDS, MEDIA_FIELDS, REPLY_FIELDS, InstagramGraph
from .polling import PollPlan, poll_account, read_cursor
from .translate import CommentPage, comment_to_item, comments_to_items, webhook_to_items
from .verify import REQUIRED_PERMISSIONS, verify_account

__all__ = [
    "COMMENT_FIELDS",
    "MEDIA_FIELDS",
    "REPLY_FIELDS",
    "REQUIRED_PERMISSIONS",
    "CommentPage",
    "InstagramAdapter",
    "InstagramGraph",
    "PollPlan",
    "comment_to_item",
    "comments_to_items",
    "poll_account",
    "read_cursor",
    "verify_account",
    "webhook_to_items",
]
