"""``XEmulator``: the in-process face of the X API v2 emulator (start, stop, seed, inspect, break).

Tests drive it directly; the CLI and the demo run the same object through :mod:`.runner`.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from aiohttp import web

from ..common.server import EmulatorServer
from .control import ControlRoutes
from .faults import FaultPlan, FaultSpec
from .oauth1 import PERMISSIONS, X_ORIGIN, OAuth1Registry
from .oauth1 import WINDOW as OAUTH1_WINDOW
from .ratelimit import WINDOW, RateLimiter
from .render import tweet_json
from .server import AUTH_ERROR, AUTH_KIND, XRoutes
from .state import ALL_SCOPES, Tweet, User, XState

Tier = Literal["free", "basic", "pro"]
TIERS: tuple[str, ...] = ("free", "basic", "pro")


class XEmulator(EmulatorServer):
    """An X API v2 server on 127.0.0.1 with its world in memory.

    The server lifecycle and request log are :class:`..common.server.EmulatorServer`'s (the base
    URL has no trailing slash).
    """

    def __init__(
        self,
        *,
        tier: Tier = "basic",
        faults: Iterable[FaultSpec | dict[str, Any]] = (),
        rate_limits: Mapping[str, int] | None = None,
        rate_window: float = WINDOW,
        max_query_length: int = 512,
        search_days: float = 7.0,
        search_lag: float = 0.0,
        oauth1_origin: str = X_ORIGIN,
        oauth1_window: float = OAUTH1_WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``rate_limits`` overrides X's per-endpoint allowances (``"PUT /2/tweets/:id/hidden":
        50``); ``tier="free"`` makes the read endpoints answer 403 client-not-enrolled.
        ``search_lag`` (seconds) is how long a new Tweet stays out of recent search (X's index
        lags behind a post; lookups and timelines show it at once).
        OAuth 1.0a signatures are checked against ``oauth1_origin`` (X's public URL, which
        clients sign for) and timestamps within ``oauth1_window`` seconds (see :mod:`.oauth1`)."""
        self.world = XState(clock=clock)
        self.oauth1 = OAuth1Registry(origin=oauth1_origin, window=oauth1_window, clock=clock)
        self.faults = FaultPlan(faults)
        self.limiter = RateLimiter(rate_limits, window=rate_window, clock=clock)
        self.tier: Tier = tier
        self.max_query_length = max_query_length
        self.search_days = search_days
        self.search_lag = search_lag
        self.client_id = str(secrets.randbelow(10**8))
        self.request_log: deque[dict[str, Any]] = deque(maxlen=2000)
        self.account_id: str | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application: control routes first, then the X API."""
        routes = XRoutes(self)
        app = web.Application(middlewares=[routes.middleware])
        ControlRoutes(self).install(app)
        routes.install(app)
        return app

    # ---- accounts ----------------------------------------------------------------------------

    def add_account(
        self,
        username: str,
        name: str | None = None,
        *,
        user_id: str | None = None,
        access_token: str | None = None,
        scopes: Iterable[str] = ALL_SCOPES,
    ) -> dict[str, Any]:
        """The moderated account (the first one becomes the default) with its access token."""
        user = self.world.add_user(username, name, user_id)
        token = access_token or f"x-oauth2-{secrets.token_urlsafe(24)}"
        self.world.add_token(user.id, token, scopes)
        if self.account_id is None:
            self.account_id = user.id
        return {"id": user.id, "username": user.username, "name": user.name,
                "access_token": token}

    @property
    def account(self) -> User:
        """The default moderated account."""
        if self.account_id is None:
            raise ValueError("the emulator has no account yet (add_account first)")
        return self.world.users[self.account_id]

    def add_token(
        self, scopes: Iterable[str] = ALL_SCOPES, *, user_id: str | None = None,
        token: str | None = None,
    ) -> str:
        """Another token for an account (default: the moderated one), e.g. with fewer scopes."""
        value = token or f"x-oauth2-{secrets.token_urlsafe(24)}"
        self.world.add_token(user_id or self.account.id, value, scopes)
        return value

    def add_oauth1_credentials(
        self,
        *,
        user_id: str | None = None,
        permission: str = "read-write",
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
    ) -> dict[str, str]:
        """OAuth 1.0a keys for an account (default: the moderated one): the app's consumer key
        and secret (the app is made with ``permission`` on first use of its key) and a newly
        generated access token and secret, which keep the app's permission as it is now."""
        uid = user_id or self.account.id
        if uid not in self.world.users:
            raise ValueError(f"no user {uid}")
        app = self.oauth1.app(consumer_key, consumer_secret, permission)
        token = self.oauth1.add_token(app, uid, access_token, access_token_secret)
        return {"consumer_key": app.consumer_key, "consumer_secret": app.consumer_secret,
                "access_token": token.value, "access_token_secret": token.secret,
                "user_id": uid, "permission": token.permission}

    def set_app_permission(self, consumer_key: str, permission: str) -> None:
        """Change an app's permission in the developer portal: tokens generated before keep
        the old one (as on X, the access token must be regenerated)."""
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}")
        self.oauth1.apps[consumer_key].permission = permission

    def revoke_token(self, token: str) -> None:
        """The school revoked the app's access: the token (OAuth 2.0 or 1.0a) now gets 401."""
        if token in self.oauth1.tokens:
            self.oauth1.tokens[token].revoked = True
            return
        self.world.tokens[token].revoked = True

    def add_user(self, username: str, name: str | None = None) -> dict[str, Any]:
        """A member of the public."""
        user = self.world.add_user(username, name)
        return {"id": user.id, "username": user.username, "name": user.name}

    # ---- tweets ------------------------------------------------------------------------------

    def add_tweet(
        self,
        author: str,
        text: str,
        in_reply_to: str | None = None,
        *,
        name: str | None = None,
        quote_of: str | None = None,
        created_at: float | None = None,
        media: Iterable[str] = (),
        mention_parent: bool = True,
    ) -> dict[str, Any]:
        """``@author`` posts (created if new), optionally replying to ``in_reply_to``.

        A reply made in the X app starts with the handles it answers (``@OakfieldAcademy ...``);
        ``mention_parent=False`` leaves the text as given.  ``media`` lists media types
        (``photo``, ``video``, ``animated_gif``).
        """
        user = self.world.user(author) or self.world.add_user(author.lstrip("@"), name)
        tweet = self.world.add_tweet(
            user, text, in_reply_to=in_reply_to, quote_of=quote_of, created_at=created_at,
            media=media, mention_parent=mention_parent,
        )
        return self.tweet(tweet.id)

    def post_as_account(
        self, text: str, in_reply_to: str | None = None, *, created_at: float | None = None
    ) -> dict[str, Any]:
        """The school posts (in the app, so not counted as the bot's reply)."""
        return self.add_tweet(self.account.username, text, in_reply_to, created_at=created_at,
                              mention_parent=False)

    def delete_tweet_by_author(self, tweet_id: str) -> dict[str, Any]:
        """The author deletes their Tweet in the app."""
        self.world.delete_by_author(tweet_id)
        return self.tweet(tweet_id)

    def tweet(self, tweet_id: str) -> dict[str, Any]:
        """One Tweet with its moderation state (deleted ones included)."""
        found = self.world.tweet(tweet_id, include_deleted=True)
        if found is None:
            raise KeyError(tweet_id)
        return _inspect(found, self.world.users.get(found.author_id))

    # ---- inspection --------------------------------------------------------------------------

    def hidden_replies(self) -> list[str]:
        """Ids of replies hidden now."""
        return [t.id for t in self.world.tweets.values() if t.hidden and not t.deleted]

    def posted_replies(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Tweets the account created through the API (the bot's replies), oldest first."""
        uid = user_id or self.account_id
        found = [t for t in self.world.tweets.values() if t.via_api and t.author_id == uid]
        return [self.tweet(t.id) for t in sorted(found, key=lambda t: int(t.id))]

    def mutes(self, user_id: str | None = None) -> list[str]:
        """Users the account muted."""
        return list(self.world.mutes.get(user_id or self.account_id or "", {}))

    def state(self) -> dict[str, Any]:
        """Everything: Tweets with flags and hide counts, mutes, tier, usage, faults."""
        tweets = [self.tweet(t.id) for t in sorted(self.world.tweets.values(),
                                                      key=lambda t: int(t.id))]
        return {
            "tier": self.tier,
            "account_id": self.account_id,
            "tweets": tweets,
            "hidden": self.hidden_replies(),
            "posted_replies": self.posted_replies() if self.account_id else [],
            "mutes": {k: list(v) for k, v in self.world.mutes.items()},
            "double_hides": sum(t.ops.double_hides for t in self.world.tweets.values()),
            "rate_usage": self.limiter.usage(),
            "faults": self.faults.summary(),
        }

    def reset(self) -> None:
        """Forget Tweets, mutes, faults, windows and the request log; users and tokens stay."""
        self.world.reset()
        self.faults.reset()
        self.limiter.reset()
        self.request_log.clear()

    # ---- faults ------------------------------------------------------------------------------

    def add_fault(self, fault: FaultSpec | dict[str, Any]) -> FaultSpec:
        """Arm a fault for the next matching request(s)."""
        return self.faults.arm(fault)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.faults.clear()

    def set_tier(self, tier: Tier) -> None:
        """Switch the app's access level (``free`` cannot read mentions or search)."""
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}")
        self.tier = tier

    # ---- bookkeeping -------------------------------------------------------------------------

    def log_request(self, request: web.Request, status: int, fault: str) -> None:
        """Remember an API call (never a token, key or signature) for tests and debugging:
        ``auth`` is ``oauth2``, ``oauth1`` or empty; ``auth_error`` why it was refused."""
        self.log_call(request, status, fault, auth=request.get(AUTH_KIND, ""),
                      auth_error=request.get(AUTH_ERROR, ""))

    def info(self) -> dict[str, Any]:
        """What a client needs to connect: the first line the CLI prints."""
        user = self.world.users.get(self.account_id or "")
        token = next(
            (t.value for t in self.world.tokens.values()
             if user is not None and t.user_id == user.id and not t.revoked),
            None,
        )
        return {
            "platform": "twitter",
            "base_url": self.base_url,
            "control_url": self.control_url,
            "user_id": user.id if user else None,
            "username": user.username if user else None,
            "name": user.name if user else None,
            "access_token": token,
            "oauth1": self._oauth1_info(user.id) if user else None,
            "tier": self.tier,
        }

    def _oauth1_info(self, user_id: str) -> dict[str, str] | None:
        """The account's newest live OAuth 1.0a keys, and the origin to sign requests for."""
        token = next((t for t in reversed(self.oauth1.tokens.values())
                      if t.user_id == user_id and not t.revoked), None)
        if token is None:
            return None
        app = self.oauth1.apps[token.consumer_key]
        return {"consumer_key": app.consumer_key, "consumer_secret": app.consumer_secret,
                "access_token": token.value, "access_token_secret": token.secret,
                "permission": token.permission, "signature_origin": self.oauth1.origin}


def _inspect(tweet: Tweet, author: User | None) -> dict[str, Any]:
    """A Tweet as the control API shows it: the API shape plus moderation state."""
    shown = tweet_json(tweet, ("author_id", "conversation_id", "created_at",
                               "in_reply_to_user_id", "referenced_tweets", "attachments"))
    shown.update(
        {
            "username": author.username if author else "",
            "in_reply_to_tweet_id": tweet.in_reply_to_tweet_id,
            "created_unix": tweet.created_at,
            "hidden": tweet.hidden,
            "deleted": tweet.deleted,
            "via_api": tweet.via_api,
            "ops": tweet.ops.as_dict(),
        }
    )
    return shown


__all__ = ["TIERS", "Tier", "XEmulator"]
