"""Polling a page: which posts to read, and which of their comments to re-read.

Webhooks are the fast path and are known to be dropped, so polling is the backstop and must not
depend on them:

- posts are listed newest first through every page of ``/{page}/posts`` back to the horizon
  (a comment on a three-week-old post is still found), and posts older than the horizon are
  still read while the cursor shows comment activity on them inside the horizon;
- each post's comments are read from the cursor's newest ``created_time`` minus an overlap
  (the core dedupes on platform + id), and never from later than ``now - edit_lookback``.
  Graph's ``since`` filters on ``created_time`` and an edit does not change it, so the lookback
  is what makes a poll return an edited comment again (with its new text) for the core to
  compare and reassess.  Edits to comments older than the lookback are only seen by webhook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from bot.domain import FetchResult, Item

from .client import GraphClient
from .errors import ObjectMissing
from .translate import Failure, TranslateError, comments_to_items, dump, parse_graph_time

COMMENT_FIELDS = (
    "id,message,from,created_time,parent{id},is_hidden,can_hide,can_remove,permalink_url,attachment"
)
CURSOR_VERSION = 1
DAY = 86_400.0


def read_cursor(cursor: Mapping[str, Any]) -> dict[str, int]:
    """Per-post newest ``created_time`` (unix) from a stored cursor, dropping unreadable parts."""
    posts = cursor.get("posts") if isinstance(cursor, Mapping) else None
    if not isinstance(posts, Mapping):
        return {}
    return {
        str(k): int(v)
        for k, v in posts.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


@dataclass(frozen=True, slots=True)
class PollPlan:
    """The knobs of one poll (copied from the adapter so a poll sees one consistent set)."""

    account: str
    page_id: str
    posts_page_limit: int
    comments_page_limit: int
    overlap: float
    edit_lookback: float
    horizon_days: float


async def poll_page(
    client: GraphClient, plan: PollPlan, cursor: Mapping[str, Any], now: float
) -> FetchResult:
    """Every comment newer than the cursor (minus overlap / lookback) on the page's live posts."""
    seen = read_cursor(cursor)
    cutoff = now - plan.horizon_days * DAY
    post_ids, failures = await list_posts(client, plan, cutoff)
    listed = set(post_ids)
    # older posts still talked about: the cursor saw a comment on them inside the horizon
    post_ids += [p for p, stamp in seen.items() if p not in listed and stamp >= cutoff]
    items: list[Item] = []
    newest: dict[str, int] = {}
    for post_id in post_ids:
        found, bad, last = await poll_post(client, plan, post_id, seen.get(post_id), now)
        items.extend(found)
        failures.extend(bad)
        if last is not None:
            newest[post_id] = last
    return FetchResult(
        items=tuple(items),
        cursor={"version": CURSOR_VERSION, "posts": newest},
        failures=tuple(failures),
    )


async def list_posts(
    client: GraphClient, plan: PollPlan, cutoff: float
) -> tuple[list[str], list[Failure]]:
    """Ids of the page's posts created at or after ``cutoff``, following ``paging.next``.

    Graph lists posts newest first, so paging stops after the first page that reaches a post
    older than the cutoff.  A post whose time cannot be read is kept (better read than missed).
    """
    args = {"fields": "id,created_time", "limit": str(plan.posts_page_limit)}
    post_ids: list[str] = []
    failures: list[Failure] = []
    async with aclosing(client.iter_edge(plan.page_id, "posts", args)) as pages:
        async for data in pages:
            reached_cutoff = False
            for post in data:
                post_id = str(post.get("id", "")) if isinstance(post, dict) else ""
                if not post_id:
                    failures.append((dump(post), "post without an id"))
                    continue
                try:
                    created = parse_graph_time(post.get("created_time")).timestamp()
                except (TranslateError, ValueError, OverflowError, OSError):
                    created = math.inf
                if created < cutoff:
                    reached_cutoff = True
                elif post_id not in post_ids:
                    post_ids.append(post_id)
            if reached_cutoff:
                break
    return post_ids, failures


async def poll_post(
    client: GraphClient, plan: PollPlan, post_id: str, since: int | None, now: float
) -> tuple[list[Item], list[Failure], int | None]:
    """Comments (and replies) on one post; returns them, failures and the newest created_time."""
    args = {
        "filter": "stream",
        "order": "chronological",
        "fields": COMMENT_FIELDS,
        "limit": str(plan.comments_page_limit),
    }
    if since is not None:
        start = min(since - plan.overlap, now - plan.edit_lookback)
        args["since"] = str(max(0, int(start)))
    items: list[Item] = []
    failures: list[Failure] = []
    newest = since
    try:
        async with aclosing(client.iter_edge(post_id, "comments", args)) as pages:
            async for data in pages:
                got, bad = comments_to_items(
                    data, account=plan.account, page_id=plan.page_id, post_id=post_id
                )
                items.extend(got)
                failures.extend(bad)
                for item in got:
                    stamp = int(item.created_at.timestamp())
                    newest = stamp if newest is None else max(newest, stamp)
    except ObjectMissing:
        return items, failures, None  # the post was deleted between listing and reading
    return items, failures, newest
