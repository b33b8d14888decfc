"""Polling a page: which posts to read, and which of their comments to re-read.

Webhooks are the fast path and are known to be dropped, so polling is the backstop and must not
depend on them:

- posts are listed newest first through every page of ``/{page}/posts`` back to the horizon
  (``horizon_days``; a comment on a three-week-old post is still found); every one of them is
  read on every poll;
- a post older than the horizon is read while the cursor shows comment activity on it inside
  the horizon, and when its comment count differs from the one the cursor holds: the listing
  asks each post for ``comments.filter(stream).summary(true).limit(0)`` (Graph's
  ``summary.total_count``, replies included, without the comments themselves), so a new
  comment on a quiet 40-day-old post is found even when its webhook was dropped.  Counts are
  compared back to ``count_horizon_days`` once every ``recount_interval`` seconds (listing that
  far back costs a call per page of posts); of a post read because its count changed, only
  comments created since the last comparison (less the overlap and the edit lookback) are
  returned, the older ones being history;
- each post's comments are read from the cursor's newest ``created_time`` minus an overlap
  (the core dedupes on platform + id), and never from later than ``now - edit_lookback``.
  Graph's ``since`` filters on ``created_time`` and an edit does not change it, so the lookback
  is what makes a poll return an edited comment again (with its new text) for the core to
  compare and reassess.  Edits to comments older than the lookback are only seen by webhook.

Remaining limits (for these, only the webhook tells): a new comment on an old post whose count
did not change between two recounts (another was deleted meanwhile, or Graph's count still
included a deleted one) is not read; a new comment on an old post waits for the next recount;
posts older than ``count_horizon_days``, and posts whose count Graph does not give, are not
recounted; a comment that became visible long after its ``created_time`` (held for approval)
before the last comparison is not returned.  The first poll, and the first on a cursor written
before counts were kept, only notes the counts of old posts (their comments are history).

The cursor is ``{"version": 1, "posts": {post_id: newest comment created_time (unix)},
"counts": {post_id: total_count}, "counted_at": unix time of the last recount}``; it only
moves through the returned cursor, after the core has stored the items.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from bot.domain import FetchResult, Item

from .client import GraphClient
from .counts import changed_posts, is_number, next_counts, read_counts, recount_due
from .errors import ObjectMissing
from .translate import Failure, TranslateError, comments_to_items, dump, parse_graph_time

COMMENT_FIELDS = (
    "id,message,from,created_time,parent{id},is_hidden,can_hide,can_remove,permalink_url,attachment"
)
# stream: replies count too (toplevel would miss a reply on an old post); limit(0): no comments
COUNT_FIELD = "comments.filter(stream).summary(true).limit(0)"
POST_FIELDS = f"id,created_time,{COUNT_FIELD}"
CURSOR_VERSION = 1
DAY = 86_400.0


def read_cursor(cursor: Mapping[str, Any]) -> dict[str, int]:
    """Per-post newest ``created_time`` (unix) from a stored cursor, dropping unreadable parts."""
    posts = cursor.get("posts") if isinstance(cursor, Mapping) else None
    if not isinstance(posts, Mapping):
        return {}
    return {str(k): int(v) for k, v in posts.items() if is_number(v)}


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
    count_horizon_days: float = 365.0
    recount_interval: float = 900.0


@dataclass(frozen=True, slots=True)
class Listed:
    """One post as the listing shows it."""

    created: float  # unix; inf when unreadable (kept: better read than missed)
    comments: int | None  # summary.total_count, None when Graph did not give a number


def comment_count(post: Mapping[str, Any]) -> int | None:
    """``comments.summary.total_count`` of a listed post, or None when it is not a count."""
    comments = post.get("comments")
    summary = comments.get("summary") if isinstance(comments, Mapping) else None
    total = summary.get("total_count") if isinstance(summary, Mapping) else None
    return int(total) if is_number(total) and total >= 0 else None


async def poll_page(
    client: GraphClient, plan: PollPlan, cursor: Mapping[str, Any], now: float
) -> FetchResult:
    """Every comment newer than the cursor (minus overlap / lookback) on the page's live posts."""
    seen = read_cursor(cursor)
    counts, counted_at = read_counts(cursor)
    cutoff = now - plan.horizon_days * DAY
    recount = recount_due(counted_at, now, plan.recount_interval)
    deepest = min(cutoff, now - plan.count_horizon_days * DAY) if recount else cutoff
    listed, failures = await list_posts(client, plan, deepest)
    post_ids = [post_id for post_id, post in listed.items() if post.created >= cutoff]
    reading = set(post_ids)
    # older posts still talked about: the cursor saw a comment on them inside the horizon
    post_ids += [p for p, stamp in seen.items() if p not in reading and stamp >= cutoff]
    reading.update(post_ids)
    listed_counts = {post_id: post.comments for post_id, post in listed.items()}
    recounted = changed_posts(listed_counts, counts, reading, counted_at) if recount else []
    items: list[Item] = []
    newest: dict[str, int] = {}
    for post_id in post_ids + recounted:
        found, bad, last = await poll_post(
            client, plan, post_id, seen.get(post_id), now,
            not_before=counted_at if post_id in recounted else None,
        )
        items.extend(found)
        failures.extend(bad)
        if last is not None:
            newest[post_id] = last
    kept = next_counts(counts, listed_counts, recount)
    return FetchResult(
        items=tuple(items),
        cursor={
            "version": CURSOR_VERSION,
            "posts": newest,
            "counts": kept,
            "counted_at": now if recount else counted_at,
        },
        failures=tuple(failures),
    )


async def list_posts(
    client: GraphClient, plan: PollPlan, cutoff: float
) -> tuple[dict[str, Listed], list[Failure]]:
    """The page's posts created at or after ``cutoff`` with their comment counts, following
    ``paging.next``.

    Graph lists posts newest first, so paging stops after the first page that reaches a post
    older than the cutoff.  A post whose time cannot be read is kept (better read than missed).
    """
    args = {"fields": POST_FIELDS, "limit": str(plan.posts_page_limit)}
    posts: dict[str, Listed] = {}
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
                elif post_id not in posts:
                    posts[post_id] = Listed(created=created, comments=comment_count(post))
            if reached_cutoff:
                break
    return posts, failures


async def poll_post(
    client: GraphClient,
    plan: PollPlan,
    post_id: str,
    since: int | None,
    now: float,
    *,
    not_before: float | None = None,
) -> tuple[list[Item], list[Failure], int | None]:
    """Comments (and replies) on one post; returns them, failures and the newest created_time.

    Without a ``since`` (no comment of the post seen yet), ``not_before`` (when its count was
    last compared) bounds what is read; with neither, every comment is.
    """
    args = {
        "filter": "stream",
        "order": "chronological",
        "fields": COMMENT_FIELDS,
        "limit": str(plan.comments_page_limit),
    }
    start = since if since is not None else not_before
    if start is not None:
        floor = min(start - plan.overlap, now - plan.edit_lookback)
        args["since"] = str(max(0, int(floor)))
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
