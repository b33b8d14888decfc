"""Finding the account's own replies on X again: after a lost answer, a crash, or a refusal as
duplicate content, so that one explanation is never posted twice.

X's recent search is the only way to list the account's replies in a conversation, and its
index lags behind a post.  A reply whose answer was lost (a timeout, a cut-off body) may be on X
and not yet findable; posting it again is refused as duplicate content, and posting a variant
(``@handle text``) then would make two replies.  So :class:`ReplyFinder` remembers when an
attempt of each action last ended without a definite answer, and a reply is taken as not posted
only once ``overlap`` seconds have passed since then (the bound the poller relies on for the
same lag).  Remaining limit: a Tweet that X takes longer than ``overlap`` to index can still be
missed, and this memory lasts as long as the process (after a restart, ``is_applied`` notes the
earlier claim afresh, so the wait starts then).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import PlatformAction

from .client import XClient
from .replies import same_reply
from .translate import is_tweet_id, page_tweets, parse_x_time, replied_to, snowflake_time

CLOCK_SKEW = timedelta(seconds=5)  # X's clock against ours when matching a reply's time
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=2)
SEARCH = "GET /2/tweets/search/recent"
MATCH_FIELDS = ["id", "text", "created_at", "referenced_tweets"]


class ReplyFinder:
    """Searches for the account's replies, patiently where an attempt may not be indexed yet."""

    def __init__(
        self, client: XClient, user_id: str, *, overlap: float, pause: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.user_id = user_id
        self.overlap = overlap
        self.pause = max(pause, 0.01)
        self._clock = clock
        self._unanswered: dict[str, float] = {}  # action key -> when an attempt went unanswered

    def note_unanswered(self, key: str) -> None:
        """An attempt of action ``key`` may be on X unseen: its answer was lost, or an earlier
        claim ended without a record and search does not show it (yet)."""
        now = self._clock()
        self._unanswered = {k: t for k, t in self._unanswered.items() if now - t < self.overlap}
        self._unanswered[key] = now

    async def find(self, action: PlatformAction, text: str) -> str | None:
        """The id of the account's reply to ``action.target_id`` with ``text``, if X shows one.

        Explanation wordings repeat, so only a reply created at or after ``action.since``
        (less clock skew) counts, and never one listed in ``exclude_ids``.
        """
        thread = await self.thread_of(action)
        if not thread:
            return None
        floor = _floor(action)
        query = f"conversation_id:{thread} from:{self.user_id}"
        async for raw in self._search(query, floor):
            tweet_id = str(raw["id"])
            if tweet_id in action.exclude_ids:
                continue
            if floor is not None and _created(raw, tweet_id) < floor:
                return None  # newest first: everything after is older still
            if replied_to(raw) == action.target_id and same_reply(raw["text"], text):
                return tweet_id
        return None

    async def find_settled(self, action: PlatformAction, text: str) -> str | None:
        """:meth:`find`, searched again (pauses doubling) until ``overlap`` seconds have passed
        since an attempt of this action last went unanswered; once when none did."""
        deadline = self._unanswered.get(action.key, -self.overlap) + self.overlap
        pause = self.pause
        while True:
            found = await self.find(action, text)
            left = deadline - self._clock()
            if found is not None or left <= 0:
                return found
            await asyncio.sleep(min(pause, left))
            pause *= 2

    async def posted_elsewhere(self, action: PlatformAction, text: str) -> bool:
        """Whether X shows a recent Tweet of the account with ``text`` that cannot be this
        action's reply (another thread or target, older than ``action.since``, or excluded):
        proof that X's refusal as duplicate content is about that Tweet, not this action's."""
        floor = _floor(action)
        async for raw in self._search(f"from:{self.user_id}", None):
            if not same_reply(raw["text"], text):
                continue
            tweet_id = str(raw["id"])
            could_be_this = (
                replied_to(raw) == action.target_id
                and tweet_id not in action.exclude_ids
                and (floor is None or _created(raw, tweet_id) >= floor)
            )
            if not could_be_this:
                return True
        return False

    async def thread_of(self, action: PlatformAction) -> str:
        """The conversation of the action's target ("" when X no longer shows it)."""
        if action.thread_id:
            return action.thread_id
        page = await self._client.call(
            "GET /2/tweets/:id", "get_tweet", action.target_id, tweet_fields=["conversation_id"]
        )
        tweets = page_tweets(page)
        first = tweets[0] if tweets and isinstance(tweets[0], dict) else {}
        conversation = first.get("conversation_id")
        return str(conversation) if is_tweet_id(conversation) else ""

    async def _search(self, query: str, floor: datetime | None) -> Any:
        """The readable Tweets of a recent search, newest first, from ``floor`` (or as far
        back as X's seven-day window allows)."""
        now = datetime.now(UTC)
        params: dict[str, Any] = {
            "max_results": 100,
            "tweet_fields": MATCH_FIELDS,
            "start_time": max(floor or now - SEARCH_WINDOW, now - SEARCH_WINDOW),
        }
        async for page in self._client.pages(SEARCH, "search_recent_tweets", query,
                                             token_param="next_token", **params):
            for raw in page_tweets(page):
                if (isinstance(raw, dict) and isinstance(raw.get("text"), str)
                        and is_tweet_id(raw.get("id"))):
                    yield raw


def _floor(action: PlatformAction) -> datetime | None:
    return action.since - CLOCK_SKEW if action.since is not None else None


def _created(raw: Mapping[str, Any], tweet_id: str) -> datetime:
    try:
        return parse_x_time(raw.get("created_at"))
    except ValueError:
        return snowflake_time(tweet_id)


__all__ = ["ReplyFinder"]
