"""Polling an X account: its mentions, and every reply in the conversations it started.

- the account's own Tweets (``GET /2/users/:id/tweets``, since the cursor, or back
  ``conversation_days`` on the first poll) name the conversations it started (a Tweet whose
  id is its ``conversation_id``) and carry its own replies, which come back as official items;
- mentions (``GET /2/users/:id/mentions``) are read since the cursor through every page;
- replies in the account's conversations are found with recent search, ``conversation_id:``
  clauses joined with ``OR`` within X's 512-character query limit: conversations already
  searched share one ``since_id`` (ids grow with time, so it holds for all of them), and one
  seen for the first time is searched from its root;
- a mention in a conversation not tracked (older than the window, or missed) is checked by
  looking its conversation root up, so the kind (hideable reply or mention) is right.

Each ``since_id`` advances only to the newest id minted before the poll began less ``overlap``
seconds: a Tweet posted while the poll runs (after one group was searched, before another) is
never skipped, X's search index lags a few seconds (an id older than one already seen can
still appear), and X's clock may differ from ours; the core dedupes on platform + id, so
re-reading the last minute costs little.  The new cursor is only
returned, never saved here: the core saves it after storing the items.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain import FetchResult, Item

from .client import XClient
from .translate import Failure, is_tweet_id, page_to_items, page_tweets, snowflake_time

TWEET_FIELDS = [
    "id", "text", "author_id", "conversation_id", "created_at", "in_reply_to_user_id",
    "referenced_tweets", "edit_history_tweet_ids", "attachments",
]
EXPANSIONS = ["author_id", "attachments.media_keys"]
USER_FIELDS = ["username", "name"]
MEDIA_FIELDS = ["type"]
SHAPE: dict[str, Any] = {
    "tweet_fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user_fields": USER_FIELDS,
    "media_fields": MEDIA_FIELDS,
}
CURSOR_VERSION = 1
SEARCH_DAYS = 7.0  # X's recent search covers the last seven days
SEARCH_MARGIN = timedelta(minutes=2)  # stay clear of the edge of that window
CLAUSE = "conversation_id:"
MENTIONS = "GET /2/users/:id/mentions"
OWN_TWEETS = "GET /2/users/:id/tweets"
SEARCH = "GET /2/tweets/search/recent"
LOOKUP = "GET /2/tweets"
ROOTS_KEPT = 10_000  # conversation roots whose author is remembered between polls


@dataclass
class Cursor:
    """Where the last poll got to: each stream's ``since_id`` and the conversations tracked."""

    mentions_since: str | None = None
    own_since: str | None = None
    search_since: str | None = None
    conversations: list[str] = field(default_factory=list)  # roots the account posted

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> Cursor:
        """A stored cursor, dropping whatever is unreadable (an empty one polls from scratch)."""
        if not isinstance(raw, Mapping):
            return cls()
        roots = raw.get("conversations")
        return cls(
            mentions_since=_tweet_id(raw.get("mentions_since")),
            own_since=_tweet_id(raw.get("own_since")),
            search_since=_tweet_id(raw.get("search_since")),
            conversations=sorted(
                {r for r in (_tweet_id(v) for v in roots) if r} if isinstance(roots, list)
                else set(), key=int,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON the core stores."""
        return {
            "version": CURSOR_VERSION,
            "mentions_since": self.mentions_since,
            "own_since": self.own_since,
            "search_since": self.search_since,
            "conversations": sorted(self.conversations, key=int),
        }


def _tweet_id(value: Any) -> str | None:
    return str(value) if is_tweet_id(value) else None


@dataclass(frozen=True)
class PollPlan:
    """The knobs of one poll (copied from the adapter so a poll sees one consistent set)."""

    account: str
    user_id: str
    page_size: int
    conversation_days: float
    overlap: float
    max_query_length: int = 512


class _Since:
    """The newest id a stream may advance to: seen, and older than the overlap."""

    def __init__(self, start: str | None, settle: datetime) -> None:
        self.value = start
        self.settle = settle

    def see(self, tweet_id: str) -> None:
        if snowflake_time(tweet_id) > self.settle:
            return
        if self.value is None or int(tweet_id) > int(self.value):
            self.value = tweet_id


def _ids(page: Any) -> list[tuple[str, str]]:
    """``(id, conversation_id)`` of the Tweets of a page whose id is an X id; an unreadable
    conversation id becomes "" (translation reports that Tweet as a failure)."""
    out = []
    for raw in page_tweets(page):
        tweet_id = _tweet_id(raw.get("id")) if isinstance(raw, Mapping) else None
        if tweet_id:
            out.append((tweet_id, _tweet_id(raw.get("conversation_id")) or ""))
    return out


async def poll_account(
    client: XClient, plan: PollPlan, raw_cursor: Mapping[str, Any], now: datetime,
    root_authors: dict[str, str],
) -> FetchResult:
    """Everything new on the account since the cursor; see the module docstring."""
    cursor = Cursor.read(raw_cursor)
    settle = now - timedelta(seconds=plan.overlap)
    horizon = now - timedelta(days=plan.conversation_days)
    pages: list[Any] = []
    own_roots: set[str] = set()

    own = _Since(cursor.own_since, settle)
    own_params: dict[str, Any] = {"max_results": plan.page_size, "exclude": ["retweets"], **SHAPE}
    if cursor.own_since:
        own_params["since_id"] = cursor.own_since
    else:
        own_params["start_time"] = horizon
    async for page in client.pages(OWN_TWEETS, "get_users_tweets", plan.user_id,
                                   token_param="pagination_token", **own_params):
        pages.append(page)
        for tweet_id, conversation_id in _ids(page):
            own.see(tweet_id)
            if tweet_id == conversation_id:
                own_roots.add(tweet_id)

    known = {root for root in cursor.conversations if snowflake_time(root) >= horizon}
    fresh = {root for root in own_roots if snowflake_time(root) >= horizon} - known
    # one search_since serves every conversation already searched (ids grow with time);
    # a conversation seen for the first time is searched from its root
    search_from = {root: cursor.search_since or root for root in known}
    search_from.update({root: root for root in fresh})

    mentions = _Since(cursor.mentions_since, settle)
    mention_params: dict[str, Any] = {"max_results": plan.page_size, **SHAPE}
    if cursor.mentions_since:
        mention_params["since_id"] = cursor.mentions_since
    else:
        mention_params["start_time"] = horizon
    mention_pages = []
    async for page in client.pages(MENTIONS, "get_users_mentions", plan.user_id,
                                   token_param="pagination_token", **mention_params):
        mention_pages.append(page)
        for tweet_id, _ in _ids(page):
            mentions.see(tweet_id)
    pages.extend(mention_pages)

    search = _Since(cursor.search_since, settle)
    await _search_conversations(client, plan, search_from, search, now, pages)
    owned = set(search_from) | own_roots
    await _learn_roots(client, plan, mention_pages, owned, root_authors)
    owned |= {root for root, author in root_authors.items() if author == plan.user_id}

    items, failures = _translate(pages, plan, owned, own_roots)
    next_cursor = Cursor(
        mentions_since=mentions.value, own_since=own.value, search_since=search.value,
        conversations=sorted(search_from, key=int),
    )
    return FetchResult(items=tuple(items), cursor=next_cursor.to_dict(), failures=tuple(failures))


def conversation_groups(
    conversations: Mapping[str, str], max_length: int
) -> list[list[str]]:
    """Conversation roots (mapped to the id to search from) in OR-groups whose query fits
    ``max_length``; roots with the same or close starting ids share a group."""
    ordered = sorted(conversations, key=lambda root: int(conversations[root]))
    groups: list[list[str]] = []
    length = 0
    for root in ordered:
        clause = len(CLAUSE) + len(root)
        if groups and length + len(" OR ") + clause <= max_length:
            groups[-1].append(root)
            length += len(" OR ") + clause
        else:
            groups.append([root])
            length = clause
    return groups


async def _search_conversations(
    client: XClient, plan: PollPlan, search_from: Mapping[str, str], search: _Since,
    now: datetime, pages: list[Any],
) -> None:
    """Search each group from its oldest ``since_id``, noting the newest id seen."""
    floor = now - timedelta(days=SEARCH_DAYS) + SEARCH_MARGIN
    for group in conversation_groups(search_from, plan.max_query_length):
        since = min((search_from[root] for root in group), key=int)
        params: dict[str, Any] = {"max_results": max(10, plan.page_size), **SHAPE}
        if snowflake_time(since) > floor:
            params["since_id"] = since
        else:
            params["start_time"] = floor  # X refuses a since_id older than its search window
        query = " OR ".join(f"{CLAUSE}{root}" for root in group)
        async for page in client.pages(SEARCH, "search_recent_tweets", query,
                                       token_param="next_token", **params):
            pages.append(page)
            for tweet_id, _ in _ids(page):
                search.see(tweet_id)


async def _learn_roots(
    client: XClient, plan: PollPlan, mention_pages: list[Any], owned: Collection[str],
    root_authors: dict[str, str],
) -> None:
    """Look up who started the conversations of mentions whose kind is still unknown."""
    unknown = sorted(
        {
            conversation_id
            for page in mention_pages
            for tweet_id, conversation_id in _ids(page)
            if conversation_id and conversation_id != tweet_id
            and conversation_id not in owned and conversation_id not in root_authors
        }
    )
    for start in range(0, len(unknown), 100):
        batch = unknown[start:start + 100]
        page = await client.call(LOOKUP, "get_tweets", batch, tweet_fields=["author_id"])
        for raw in page_tweets(page):
            if isinstance(raw, Mapping) and raw.get("id") and raw.get("author_id"):
                root_authors[str(raw["id"])] = str(raw["author_id"])
        for root in batch:
            root_authors.setdefault(root, "")  # deleted or invisible: not the account's
    for root in list(root_authors)[: max(0, len(root_authors) - ROOTS_KEPT)]:
        del root_authors[root]  # oldest first (dicts keep insertion order)


def _translate(
    pages: list[Any], plan: PollPlan, owned: Collection[str], own_roots: Collection[str]
) -> tuple[list[Item], list[Failure]]:
    """Items of every page, once each; the account's own conversation roots are left out."""
    items: list[Item] = []
    failures: list[Failure] = []
    seen: set[str] = set(own_roots)
    for page in pages:
        got, bad = page_to_items(page, account=plan.account, user_id=plan.user_id, owned=owned)
        failures.extend(bad)
        for item in got:
            if item.external_id in seen or item.kind == "post":
                continue
            seen.add(item.external_id)
            items.append(item)
    return items, failures


__all__ = ["Cursor", "PollPlan", "conversation_groups", "poll_account"]
