"""The read endpoints: mentions and user timelines, recent search, Tweet lookup.

Lists are newest first and paged with opaque tokens that resume below the last id served, so a
Tweet posted while a client pages through never shifts a page (it is newer than every page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .problems import bad_param, invalid_request, resource_missing
from .query import QueryError, compile_query
from .render import Shape, id_param, int_param, page, parse_x_time, tweets_body, x_time
from .state import Tweet, User, snowflake_time

if TYPE_CHECKING:
    from .emulator import XEmulator

DAY = 86_400.0


def _window(tweets: list[Tweet], params: Mapping[str, str]) -> list[Tweet]:
    """Apply ``since_id``, ``until_id``, ``start_time`` and ``end_time``."""
    since, until = id_param(params, "since_id"), id_param(params, "until_id")
    start = parse_x_time(params["start_time"], "start_time") if "start_time" in params else None
    end = parse_x_time(params["end_time"], "end_time") if "end_time" in params else None
    return [
        t
        for t in tweets
        if (since is None or int(t.id) > since)
        and (until is None or int(t.id) < until)
        and (start is None or t.created_at >= start)
        and (end is None or t.created_at <= end)
    ]


class ReadRoutes:
    """Read handlers bound to one emulator."""

    def __init__(self, emu: XEmulator) -> None:
        self.emu = emu

    def _listing(
        self, tweets: list[Tweet], params: Mapping[str, str], *, token_param: str, low: int
    ) -> dict[str, Any]:
        shape = Shape.from_params(params)
        size = int_param(params, "max_results", 10, low, 100)
        chosen, meta = page(_window(tweets, params), size, params.get(token_param), token_param)
        return tweets_body(self.emu.world, chosen, shape, meta)

    def _path_user(self, request: web.Request) -> User | dict[str, Any]:
        user_id = request.match_info["id"]
        if not user_id.isdigit():
            raise bad_param("id", user_id)
        found = self.emu.world.users.get(user_id)
        return found if found is not None else {"errors": [resource_missing(user_id, "user")]}

    async def mentions(self, request: web.Request, user: User) -> Any:
        """``GET /2/users/:id/mentions``: the most recent 800 Tweets naming the user."""
        target = self._path_user(request)
        if isinstance(target, dict):
            return target
        params = request.query
        return self._listing(
            self.emu.world.mentions_of(target), params, token_param="pagination_token", low=5
        )

    async def user_tweets(self, request: web.Request, user: User) -> Any:
        """``GET /2/users/:id/tweets``: the user's own Tweets (``exclude=replies,retweets``)."""
        target = self._path_user(request)
        if isinstance(target, dict):
            return target
        params = request.query
        exclude = {e for e in params.get("exclude", "").split(",") if e}
        if exclude - {"replies", "retweets"}:
            raise bad_param("exclude", params["exclude"], "is not one of [replies,retweets]")
        tweets = self.emu.world.timeline_of(target)
        if "replies" in exclude:
            tweets = [t for t in tweets if t.in_reply_to_tweet_id is None]
        return self._listing(tweets, params, token_param="pagination_token", low=5)

    async def search_recent(self, request: web.Request, user: User) -> Any:
        """``GET /2/tweets/search/recent``: the last seven days, newest first, without the Tweets
        of the last ``search_lag`` seconds (not indexed yet)."""
        params = request.query
        query = params.get("query")
        if query is None:
            raise invalid_request(
                "The `query` query parameter can not be empty", "query", ""
            )
        try:
            matches = compile_query(query, self.emu.world, self.emu.max_query_length)
        except QueryError as exc:
            raise invalid_request(str(exc), "query", query) from None
        floor = self.emu.world.clock() - self.emu.search_days * DAY
        self._check_recent(params, floor)
        if params.get("sort_order", "recency") not in ("recency", "relevancy"):
            raise bad_param("sort_order", params["sort_order"], "is not one of [recency,relevancy]")
        lag = self.emu.search_lag
        indexed = self.emu.world.clock() - lag  # X's index lags behind posts
        tweets = [
            t for t in self.emu.world.live_tweets()
            if t.created_at >= floor and (lag <= 0 or t.created_at <= indexed) and matches(t)
        ]
        return self._listing(tweets, params, token_param="next_token", low=10)

    @staticmethod
    def _check_recent(params: Mapping[str, str], floor: float) -> None:
        """X refuses a ``since_id`` or ``start_time`` older than the search window."""
        since = id_param(params, "since_id")
        if since is not None and snowflake_time(since) < floor:
            raise invalid_request(
                f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after "
                f"{x_time(floor)}.",
                "since_id",
                str(since),
            )
        if "start_time" in params and parse_x_time(params["start_time"], "start_time") < floor:
            raise invalid_request(
                f"Invalid 'start_time':'{params['start_time']}'. 'start_time' must be on or "
                f"after {x_time(floor)}",
                "start_time",
                params["start_time"],
            )

    async def lookup_one(self, request: web.Request, user: User) -> Any:
        """``GET /2/tweets/:id``: the Tweet, or HTTP 200 with a not-found error."""
        tweet_id = request.match_info["id"]
        if not tweet_id.isdigit():
            raise bad_param("id", tweet_id)
        shape = Shape.from_params(request.query)
        tweet = self.emu.world.tweet(tweet_id)
        if tweet is None:
            return {"errors": [resource_missing(tweet_id)]}
        body = tweets_body(self.emu.world, [tweet], shape)
        body["data"] = body["data"][0]
        return body

    async def lookup_many(self, request: web.Request, user: User) -> Any:
        """``GET /2/tweets?ids=``: found Tweets in ``data``, missing ones in ``errors``."""
        raw = request.query.get("ids", "")
        ids = [i for i in raw.split(",") if i]
        if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
            raise bad_param("ids", raw, "must be 1 to 100 comma-separated Tweet ids")
        shape = Shape.from_params(request.query)
        found = [t for i in ids if (t := self.emu.world.tweet(i)) is not None]
        body = tweets_body(self.emu.world, found, shape)
        missing = [
            resource_missing(i, "tweet", "ids") for i in ids if self.emu.world.tweet(i) is None
        ]
        if missing:
            body["errors"] = missing + body.get("errors", [])
        return body
