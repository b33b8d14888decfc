"""Tweets and users as X API v2 renders them: ``fields`` and ``expansions``, ``includes``, paging.

Every Tweet carries ``id``, ``text`` and ``edit_history_tweet_ids`` (X's defaults); other fields
only when asked for with ``tweet.fields``.  Expanded objects go to ``includes``; referenced
Tweets that are gone become partial ``errors``, as on X.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .problems import bad_param, resource_missing
from .state import Tweet, User, XState

TWEET_FIELDS = frozenset(
    {
        "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
        "conversation_id", "created_at", "display_text_range", "edit_controls",
        "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
        "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics",
        "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
        "reply_settings", "scopes", "source", "text", "withheld"
    }
)
USER_FIELDS = frozenset(
    {
        "affiliation", "connection_status", "created_at", "description", "entities", "id",
        "location", "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url",
        "profile_image_url", "protected", "public_metrics", "receives_your_dm",
        "subscription_type", "url", "username", "verified", "verified_type", "withheld"
    }
)
MEDIA_FIELDS = frozenset(
    {
        "alt_text", "duration_ms", "height", "media_key", "non_public_metrics", "organic_metrics",
        "preview_image_url", "promoted_metrics", "public_metrics", "type", "url", "variants",
        "width"
    }
)
EXPANSIONS = frozenset(
    {
        "article.cover_media", "article.media_entities", "attachments.media_keys",
        "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
        "entities.mentions.username", "geo.place_id", "in_reply_to_user_id",
        "referenced_tweets.id", "referenced_tweets.id.author_id"
    }
)
TOKEN_PREFIX = "7140"


def x_time(unix: float) -> str:
    """X's timestamp format: ``2022-10-08T02:23:44.000Z``."""
    moment = datetime.fromtimestamp(unix, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_x_time(value: str, parameter: str) -> float:
    """``YYYY-MM-DDTHH:mm:ssZ`` (with optional fraction) -> unix seconds, or X's 400."""
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise bad_param(parameter, value, "does not match the expected format") from None


def _csv(params: Mapping[str, str], name: str, allowed: frozenset[str]) -> frozenset[str]:
    raw = params.get(name, "")
    chosen = frozenset(v for v in raw.split(",") if v)
    unknown = sorted(chosen - allowed)
    if unknown:
        raise bad_param(name, unknown[0], f"is not one of [{','.join(sorted(allowed))}]")
    return chosen


@dataclass(frozen=True)
class Shape:
    """What a request asked to see."""

    tweet_fields: frozenset[str] = frozenset()
    user_fields: frozenset[str] = frozenset()
    media_fields: frozenset[str] = frozenset()
    expansions: frozenset[str] = frozenset()

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Shape:
        """Read and check ``tweet.fields``, ``user.fields``, ``media.fields``, ``expansions``."""
        return cls(
            tweet_fields=_csv(params, "tweet.fields", TWEET_FIELDS),
            user_fields=_csv(params, "user.fields", USER_FIELDS),
            media_fields=_csv(params, "media.fields", MEDIA_FIELDS),
            expansions=_csv(params, "expansions", EXPANSIONS),
        )


def user_json(user: User, fields: Iterable[str] = ()) -> dict[str, Any]:
    """A User object: ``id``, ``name``, ``username`` and what was asked for."""
    out: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    wanted = set(fields)
    if "created_at" in wanted:
        out["created_at"] = x_time(user.created_at)
    if "protected" in wanted:
        out["protected"] = False
    if "verified" in wanted:
        out["verified"] = False
    if "description" in wanted:
        out["description"] = ""
    return out


def tweet_json(tweet: Tweet, fields: Iterable[str] = ()) -> dict[str, Any]:
    """A Tweet object with X's defaults and the requested ``tweet.fields``."""
    out: dict[str, Any] = {
        "edit_history_tweet_ids": tweet.edit_history_tweet_ids,
        "id": tweet.id,
        "text": tweet.text,
    }
    wanted = set(fields)
    if "author_id" in wanted:
        out["author_id"] = tweet.author_id
    if "conversation_id" in wanted:
        out["conversation_id"] = tweet.conversation_id
    if "created_at" in wanted:
        out["created_at"] = x_time(tweet.created_at)
    if "in_reply_to_user_id" in wanted and tweet.in_reply_to_user_id:
        out["in_reply_to_user_id"] = tweet.in_reply_to_user_id
    references = _references(tweet)
    if "referenced_tweets" in wanted and references:
        out["referenced_tweets"] = [{"type": kind, "id": ref} for kind, ref in references]
    if "attachments" in wanted and tweet.media:
        out["attachments"] = {"media_keys": [key for key, _ in tweet.media]}
    if "lang" in wanted:
        out["lang"] = "en"
    if "possibly_sensitive" in wanted:
        out["possibly_sensitive"] = False
    if "reply_settings" in wanted:
        out["reply_settings"] = "everyone"
    if "public_metrics" in wanted:
        out["public_metrics"] = dict.fromkeys(
            ("retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count",
             "impression_count"), 0,
        )
    if "edit_controls" in wanted:
        out["edit_controls"] = {
            "edits_remaining": 5,
            "is_edit_eligible": True,
            "editable_until": x_time(tweet.created_at + 3600),
        }
    return out


def _references(tweet: Tweet) -> list[tuple[str, str]]:
    refs = []
    if tweet.in_reply_to_tweet_id:
        refs.append(("replied_to", tweet.in_reply_to_tweet_id))
    if tweet.quoted_tweet_id:
        refs.append(("quoted", tweet.quoted_tweet_id))
    return refs


def _add_user(users: dict[str, User], state: XState, user_id: str | None) -> None:
    user = state.users.get(user_id or "")
    if user is not None:
        users.setdefault(user.id, user)


def expand(state: XState, tweets: list[Tweet], shape: Shape) -> tuple[dict[str, Any], list]:
    """``includes`` for ``tweets`` and the partial errors of references that are gone."""
    users: dict[str, User] = {}
    referenced: dict[str, Tweet] = {}
    media: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    wanted = shape.expansions
    for tweet in tweets:
        if "author_id" in wanted:
            _add_user(users, state, tweet.author_id)
        if "in_reply_to_user_id" in wanted:
            _add_user(users, state, tweet.in_reply_to_user_id)
        if "entities.mentions.username" in wanted:
            for handle in tweet.mentions():
                found = state.user_by_username(handle)
                _add_user(users, state, found.id if found else None)
        if "attachments.media_keys" in wanted:
            media.update(dict(tweet.media))
        if wanted & {"referenced_tweets.id", "referenced_tweets.id.author_id"}:
            for _, ref in _references(tweet):
                other = state.tweet(ref)
                if other is None:
                    errors.append(resource_missing(ref, "tweet", "referenced_tweets.id"))
                    continue
                referenced.setdefault(other.id, other)
                if "referenced_tweets.id.author_id" in wanted:
                    _add_user(users, state, other.author_id)
    includes: dict[str, Any] = {}
    if users:
        includes["users"] = [user_json(u, shape.user_fields) for u in users.values()]
    if referenced and "referenced_tweets.id" in wanted:
        includes["tweets"] = [tweet_json(t, shape.tweet_fields) for t in referenced.values()]
    if media:
        includes["media"] = [
            {"media_key": key, "type": kind} for key, kind in media.items()
        ]
    return includes, errors


def tweets_body(
    state: XState, tweets: list[Tweet], shape: Shape, meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``{"data", "includes", "errors", "meta"}`` with empty parts left out, as X does."""
    body: dict[str, Any] = {}
    if tweets:
        body["data"] = [tweet_json(t, shape.tweet_fields) for t in tweets]
        includes, errors = expand(state, tweets, shape)
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
    if meta is not None:
        body["meta"] = meta
    return body


def encode_token(tweet_id: str) -> str:
    """An opaque next-page token that resumes just below ``tweet_id`` (stable under inserts)."""
    number, digits = int(tweet_id), ""
    while number:
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return TOKEN_PREFIX + digits


def decode_token(token: str, parameter: str) -> int:
    """The id a page token resumes below, or X's 400 for a token it never gave out."""
    if not token.startswith(TOKEN_PREFIX) or len(token) <= len(TOKEN_PREFIX):
        raise bad_param(parameter, token)
    try:
        return int(token[len(TOKEN_PREFIX):], 36)
    except ValueError:
        raise bad_param(parameter, token) from None


def page(
    tweets: list[Tweet], max_results: int, token: str | None, parameter: str
) -> tuple[list[Tweet], dict[str, Any]]:
    """One page of a newest-first list and its ``meta`` (``next_token`` while more remain)."""
    if token:
        below = decode_token(token, parameter)
        tweets = [t for t in tweets if int(t.id) < below]
    chosen = tweets[:max_results]
    if not chosen:
        return [], {"result_count": 0}
    meta: dict[str, Any] = {
        "newest_id": chosen[0].id,
        "oldest_id": chosen[-1].id,
        "result_count": len(chosen),
    }
    if len(tweets) > max_results:
        meta["next_token"] = encode_token(chosen[-1].id)
    return chosen, meta


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A bounded integer query parameter, or X's 400."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_param(name, raw) from None
    if not low <= value <= high:
        raise bad_param(name, raw, f"is not between {low} and {high}")
    return value


def id_param(params: Mapping[str, str], name: str) -> int | None:
    """A Tweet id query parameter (``since_id``, ``until_id``), or X's 400."""
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise bad_param(name, raw)
    return int(raw)


__all__ = ["Shape", "expand", "page", "tweet_json", "tweets_body", "user_json"]
