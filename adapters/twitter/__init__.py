"""X (Twitter): mentions and replies in by polling, hides / replies / mutes out, via tweepy.

tweepy's AsyncClient (API v2) stays inside :mod:`.client`, pointed at the configured base URL
per instance; the core only ever sees :class:`bot.domain.Item`, :class:`bot.domain.ActionResult`
and the errors of :mod:`adapters.base`.  Credentials: OAuth 1.0a user context (non-expiring) or
an OAuth 2.0 user-context access token (see :mod:`.auth`).
"""

from __future__ import annotations

from .adapter import NO_BLOCK, NO_DELETE, TwitterAdapter
from .auth import OAUTH1_REFUSED, READ_ONLY_APP, OAuth1Keys, oauth1_keys
from .client import X_API, RewritingSession, XClient
from .errors import (
    AccessLevelTooLow,
    AppPermissionTooLow,
    DuplicateContent,
    InvalidRequest,
    Refused,
    TweetMissing,
    map_x_error,
)
from .polling import Cursor, PollPlan, conversation_groups, poll_account
from .ratelimits import RateBook, endpoint_key
from .replies import fit_reply, same_reply, weighted_length
from .translate import (
    Includes,
    page_to_items,
    parse_x_time,
    permalink,
    snowflake_time,
    tweet_kind,
    tweet_to_item,
)
from .verify import NEEDED_SCOPES, verify_account

__all__ = [
    "NEEDED_SCOPES",
    "NO_BLOCK",
    "NO_DELETE",
    "OAUTH1_REFUSED",
    "READ_ONLY_APP",
    "X_API",
    "AccessLevelTooLow",
    "AppPermissionTooLow",
    "Cursor",
    "DuplicateContent",
    "Includes",
    "InvalidRequest",
    "OAuth1Keys",
    "PollPlan",
    "RateBook",
    "Refused",
    "RewritingSession",
    "TweetMissing",
    "TwitterAdapter",
    "XClient",
    "conversation_groups",
    "endpoint_key",
    "fit_reply",
    "map_x_error",
    "oauth1_keys",
    "page_to_items",
    "parse_x_time",
    "permalink",
    "poll_account",
    "same_reply",
    "snowflake_time",
    "tweet_kind",
    "tweet_to_item",
    "verify_account",
    "weighted_length",
]
