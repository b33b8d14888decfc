"""Polling an Instagram account: which media to read, and which of their comments to return.

Webhooks are the fast path and are known to be dropped, so polling is the backstop and must not
depend on them:

- media are listed newest first through every page of ``/{ig-user-id}/media`` back to the
  horizon (``horizon_days``); every one of them is read on every poll;
- a media older than the horizon is read while the cursor shows comment activity on it inside
  the horizon, and when its ``comments_count`` (which the listing returns) differs from the one
  the cursor holds: a new comment on a quiet 40-day-old post is found even when its webhook
  was dropped.  Counts are compared back to ``count_horizon_days`` once every
  ``recount_interval`` seconds (listing that far back costs a call per page of media);
- Instagram's comment listing has no ``since`` filter, so every page of a media's comments is
  read (with the replies nested in each comment, and ``/{comment}/replies`` when Graph lists
  only some of them); what is *returned* is what was created at or after the cursor's newest
  ``timestamp`` for that media minus an overlap (and ``edit_lookback``): the core dedupes on
  platform + id, so the overlap costs nothing and covers comments that became visible late.

Remaining limits (for these, only the webhook tells): a comment on an old media whose count did
not change between two recounts (another was deleted meanwhile) is not read; a new comment on an
old media waits for the next recount; media older than ``count_horizon_days`` are not
recounted.  The first poll only notes the counts of old media (their comments are history).

The cursor is ``{"version": 1, "media": {media_id: newest comment timestamp (unix)},
"counts": {media_id: comments_count}, "counted_at": unix time of the last recount}``; it only
moves through the returned cursor, after the core has stored the items.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from adapters.facebook.counts import (
    changed_posts,
    is_number,
    next_counts,
    read_counts,
    recount_due,
)
from adapters.facebook.errors import ObjectMissing
from bot.domain import FetchResult, Item

from .client import InstagramGraph
from .translate import (
    UNREADABLE,
    CommentPage,
    Failure,
    comments_to_items,
    dump,
    parse_graph_time,
)

CURSOR_VERSION = 1
DAY = 86_400.0


def read_cursor(cursor: Mapping[str, Any]) -> dict[str, int]:
    """Per-media newest comment ``timestamp`` (unix) from a stored cursor, dropping junk."""
    media = cursor.get("media") if isinstance(cursor, Mapping) else None
    if not isinstance(media, Mapping):
        return {}
    return {str(k): int(v) for k, v in media.items() if is_number(v)}


@dataclass(frozen=True, slots=True)
class PollPlan:
    """The knobs of one poll (copied from the adapter so a poll sees one consistent set)."""

    account: str
    ig_user_id: str
    media_limit: int
    comments_page_limit: int
    overlap: float
    edit_lookback: float
    horizon_days: float
    count_horizon_days: float = 365.0
    recount_interval: float = 900.0


@dataclass(frozen=True, slots=True)
class Listed:
    """One media as the listing shows it."""

    permalink: str
    created: float  # unix; inf when unreadable (kept: better read than missed)
    comments: int | None  # comments_count, None when Graph did not give a number


async def poll_account(
    client: InstagramGraph, plan: PollPlan, cursor: Mapping[str, Any], now: float
) -> FetchResult:
    """Every comment and reply newer than the cursor (less the overlap) on the account's media."""
    seen = read_cursor(cursor)
    counts, counted_at = read_counts(cursor)
    cutoff = now - plan.horizon_days * DAY
    recount = recount_due(counted_at, now, plan.recount_interval)
    listed, failures = await list_media(
        client, plan, min(cutoff, now - plan.count_horizon_days * DAY) if recount else cutoff
    )
    media = {media_id: m.permalink for media_id, m in listed.items() if m.created >= cutoff}
    for media_id, stamp in seen.items():
        if media_id not in media and stamp >= cutoff:  # an older post still talked about
            link = (listed[media_id].permalink if media_id in listed
                    else await media_permalink(client, media_id))
            if link is not None:
                media[media_id] = link
    listed_counts = {media_id: m.comments for media_id, m in listed.items()}
    recounted = set(changed_posts(listed_counts, counts, media, counted_at) if recount else ())
    media.update({media_id: listed[media_id].permalink for media_id in recounted})
    items: list[Item] = []
    newest: dict[str, int] = {}
    for media_id, link in media.items():
        found, bad, last = await poll_media(
            client, plan, media_id, link, seen.get(media_id), now,
            not_before=counted_at if media_id in recounted else None,
        )
        items.extend(found)
        failures.extend(bad)
        if last is not None:
            newest[media_id] = last
    kept = next_counts(counts, listed_counts, recount)
    return FetchResult(
        items=tuple(items),
        cursor={
            "version": CURSOR_VERSION,
            "media": newest,
            "counts": kept,
            "counted_at": now if recount else counted_at,
        },
        failures=tuple(failures),
    )


async def list_media(
    client: InstagramGraph, plan: PollPlan, cutoff: float
) -> tuple[dict[str, Listed], list[Failure]]:
    """The account's media published at or after ``cutoff``, with permalink, time and count.

    Graph lists media newest first, so paging stops after the first page that reaches a media
    older than the cutoff.  A media whose time cannot be read is kept (better read than missed).
    """
    media: dict[str, Listed] = {}
    failures: list[Failure] = []
    async with aclosing(client.media_pages(plan.ig_user_id, plan.media_limit)) as pages:
        async for data in pages:
            reached_cutoff = False
            for raw in data:
                media_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
                if not media_id:
                    failures.append((dump(raw), "media without an id"))
                    continue
                try:
                    created = parse_graph_time(raw.get("timestamp")).timestamp()
                except UNREADABLE:
                    created = math.inf
                if created < cutoff:
                    reached_cutoff = True
                elif media_id not in media:
                    link = raw.get("permalink")
                    count = raw.get("comments_count")
                    media[media_id] = Listed(
                        permalink=link if isinstance(link, str) else "",
                        created=created,
                        comments=int(count) if is_number(count) and count >= 0 else None,
                    )
            if reached_cutoff:
                break
    return media, failures


async def media_permalink(client: InstagramGraph, media_id: str) -> str | None:
    """The permalink of a media outside the listing, or None when it no longer exists."""
    try:
        node = await client.media(media_id)
    except ObjectMissing:
        return None
    link = node.get("permalink") if isinstance(node, dict) else None
    return link if isinstance(link, str) else ""


async def poll_media(
    client: InstagramGraph,
    plan: PollPlan,
    media_id: str,
    permalink: str,
    since: int | None,
    now: float,
    *,
    not_before: float | None = None,
) -> tuple[list[Item], list[Failure], int | None]:
    """Comments and replies on one media: those to return, failures, the newest timestamp.

    Without a ``since`` (no comment of the media seen yet), ``not_before`` (when its count was
    last compared) bounds what is returned; with neither, every comment is.
    """
    page = CommentPage()
    options = {
        "account": plan.account,
        "ig_user_id": plan.ig_user_id,
        "media_id": media_id,
        "permalink": permalink,
    }
    try:
        async with aclosing(client.comment_pages(media_id, plan.comments_page_limit)) as pages:
            async for data in pages:
                got = comments_to_items(data, **options)
                page.extend(got)
                for comment_id in got.more_replies:
                    page.extend(await read_replies(client, plan, comment_id, options))
    except ObjectMissing:
        return [], [], None  # the media was deleted between listing and reading
    unique = {item.external_id: item for item in page.items}  # nested and /replies overlap
    stamps = [int(item.created_at.timestamp()) for item in unique.values()]
    newest = max([*stamps, since] if since is not None else stamps, default=None)
    start = since if since is not None else not_before
    floor = None if start is None else min(start - plan.overlap, now - plan.edit_lookback)
    kept = [
        item
        for item in sorted(unique.values(), key=lambda i: i.created_at)
        if floor is None or item.created_at.timestamp() >= floor
    ]
    return kept, page.failures(floor), newest


async def read_replies(
    client: InstagramGraph, plan: PollPlan, comment_id: str, options: dict[str, str]
) -> CommentPage:
    """Every reply to one comment through ``/{comment}/replies`` (when nesting was cut short)."""
    page = CommentPage()
    try:
        async with aclosing(client.reply_pages(comment_id, plan.comments_page_limit)) as pages:
            async for data in pages:
                page.extend(comments_to_items(data, parent_id=comment_id, **options))
    except ObjectMissing:
        pass  # the comment was deleted meanwhile: its replies went with it
    return page
