"""``TwitterAdapter``: an X account's mentions and replies in; hides, replies and mutes out.

What X cannot do is refused plainly, never attempted: X has no way for an account to delete
other people's posts, and blocking through the API is for Enterprise customers only (both
raise :class:`PermanentError`).  Hiding works only on replies in conversations the account
started (the core sends hides only for ``kind == "reply"``: mentions are in
``unhideable_kinds``) and is limited to 50 per 15 minutes per user: the core's outbox rations
``twitter:hide`` and orders by harm, and the client stops at a used-up window itself.

``is_applied`` after a crash: X's v2 lookups do not show whether a reply is hidden, and
hiding, unhiding and muting are idempotent (X answers the same to a repeat), so for those it
answers False and the core simply applies them again.  For a reply it searches the
conversation for the account's reply to the same Tweet with the same text; as X's search lags,
a reply that may have been posted unseen is waited for, never posted again in other words
(see :mod:`.reconcile`).

Credentials: OAuth 1.0a when the consumer key and secret and the access token secret are
given (they do not expire: the choice for a service), else the OAuth 2.0 access token alone
(X expires it after two hours); see :mod:`.auth`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.base import (
    AdapterError,
    AuthExpired,
    Finding,
    PermanentError,
    RateLimited,
    TransientError,
    WebhookResponse,
)
from adapters.capabilities import CAPABILITIES
from bot.domain import ActionKind, ActionResult, FetchResult, PlatformAction

from .auth import OAUTH1_REFUSED, READ_ONLY_APP, oauth1_keys
from .client import X_API, XClient
from .errors import (
    AccessLevelTooLow,
    AppPermissionTooLow,
    DuplicateContent,
    Refused,
    TweetMissing,
)
from .polling import PollPlan, poll_account
from .reconcile import ReplyFinder
from .replies import fit_reply, with_handle
from .verify import verify_account

NO_DELETE = ("X does not let an account delete other people's posts: hide the reply instead "
             "and report the post to X if it breaks X's rules.")
NO_BLOCK = ("X offers blocking through its API to Enterprise customers only: block the author "
            "in the X app if a monitor decides to.")


class TwitterAdapter:
    """One X account, through tweepy's AsyncClient (API v2), for the moderation core."""

    platform = "twitter"

    def __init__(
        self,
        account: str,
        user_id: str,
        access_token: str,
        base_url: str = X_API,
        *,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token_secret: str | None = None,
        mentions_page_size: int = 100,
        conversation_days: float = 7.0,
        timeout: float = 10.0,
        retry_attempts: int = 3,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        reconcile_delay: float = 5.0,
        poll_overlap: float = 60.0,
        max_query_length: int = 512,
    ) -> None:
        """``consumer_key``, ``consumer_secret`` and ``access_token_secret`` (all three or none,
        else ValueError) switch ``access_token`` to OAuth 1.0a user context.  The keyword-only
        knobs after ``conversation_days`` tune retries and polling (tests make them tiny):
        ``reconcile_delay`` is how long to let X's search index catch up
        before checking whether a reply whose answer was lost was posted after all, and
        ``poll_overlap`` (seconds) how far back each poll re-reads (search lags a little) and
        how long after a lost answer a reply missing from search may still appear there."""
        self.account = account
        self.user_id = user_id
        self.capabilities = CAPABILITIES["twitter"]
        self.username = ""
        self.page_size = max(5, min(100, mentions_page_size))
        self.conversation_days = conversation_days
        self.reconcile_delay = reconcile_delay
        self.poll_overlap = poll_overlap
        self.max_query_length = max_query_length
        self._root_authors: dict[str, str] = {}
        self._client = XClient(
            access_token,
            user_id,
            oauth1=oauth1_keys(consumer_key, consumer_secret, access_token_secret),
            base_url=base_url,
            timeout=timeout,
            retry_attempts=retry_attempts,
            retry_wait=retry_wait,
            retry_max_wait=retry_max_wait,
            rate_limit_wait=rate_limit_wait,
        )
        self._replies = ReplyFinder(self._client, user_id, overlap=poll_overlap,
                                    pause=reconcile_delay)

    @property
    def auth_method(self) -> str:
        """``"OAuth 1.0a"`` or ``"OAuth 2.0"`` (user context either way), for health pages."""
        return "OAuth 1.0a" if self._client.oauth1 else "OAuth 2.0"

    def __repr__(self) -> str:
        return f"<TwitterAdapter {self.account} user {self.user_id} {self.auth_method}>"

    @property
    def stats(self) -> dict[str, Any]:
        """Counters and the last known rate-limit budgets, for health pages and tests."""
        return {
            "calls": self._client.calls,
            "retries": self._client.retries,
            "held_by_rate_limit": self._client.book.held,
            "rate_limits": self._client.book.snapshot(),
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token by asking whose it is (AuthExpired if refused or someone else's)."""
        try:
            me = await self._client.call("GET /2/users/me", "get_me")
        except AuthExpired:
            if not self._client.oauth1:
                raise
            raise AuthExpired(OAUTH1_REFUSED) from None
        except Refused as exc:
            raise AuthExpired(f"X refused to say whose token this is: {exc.detail}") from None
        data = me.get("data") if isinstance(me, dict) else None
        owner = str(data.get("id", "?")) if isinstance(data, dict) else "?"
        if owner != self.user_id:
            raise AuthExpired(f"the access token belongs to user {owner}, not {self.user_id}")
        self.username = str(data.get("username", "")) if isinstance(data, dict) else ""

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._client.close()

    async def verify(self) -> list[Finding]:
        """Credentials, API access tier, and each scope the bot needs (OAuth 2.0) or the app's
        permission level (OAuth 1.0a) (see :mod:`.verify`)."""
        return await verify_account(self._client, self.user_id)

    # ---- polling -----------------------------------------------------------------------------

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Mentions and replies in the account's conversations since the cursor
        (see :mod:`.polling`).  ``deleted`` stays empty: X does not list deleted Tweets."""
        plan = PollPlan(
            account=self.account,
            user_id=self.user_id,
            page_size=self.page_size,
            conversation_days=self.conversation_days,
            overlap=self.poll_overlap,
            max_query_length=self.max_query_length,
        )
        try:
            return await poll_account(
                self._client, plan, cursor, datetime.now(UTC), self._root_authors
            )
        except AccessLevelTooLow as exc:
            raise AccessLevelTooLow(
                "X refused to list the account's mentions and replies: reading them needs the "
                "Basic or higher API tier, and the app's developer account is on a lower one "
                f"(X said: {exc.detail})", detail=exc.detail, reason=exc.reason,
            ) from None
        except AdapterError:
            raise
        except (LookupError, TypeError, ValueError, OverflowError, AttributeError) as exc:
            # a shape nothing above expected: the poller understands only adapter errors
            raise TransientError(
                f"X answered something unreadable while polling ({type(exc).__name__})"
            ) from exc

    # ---- actions -----------------------------------------------------------------------------

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Perform one action; X's answers become ActionResult or adapter errors."""
        if action.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            return await self._set_hidden(action, action.kind is ActionKind.HIDE)
        if action.kind is ActionKind.REPLY:
            return await self._reply(action)
        if action.kind is ActionKind.MUTE:
            if not action.author_id:
                raise PermanentError("a mute needs the author's id")
            try:
                result = await self._client.call(
                    "POST /2/users/:id/muting", "mute", action.author_id
                )
            except AppPermissionTooLow as exc:
                raise PermanentError(f"X refused to mute {action.author_id}: {READ_ONLY_APP} "
                                     f"(X said: {exc.detail})") from None
            if _data(result).get("muting") is not True:
                raise TransientError("X answered a mute without confirming it")
            return ActionResult(ok=True, detail="muted")
        if action.kind is ActionKind.DELETE:
            raise PermanentError(NO_DELETE)
        if action.kind is ActionKind.BLOCK:
            raise PermanentError(NO_BLOCK)
        raise PermanentError(f"X offers no {action.kind} action")

    async def _set_hidden(self, action: PlatformAction, hidden: bool) -> ActionResult:
        """``PUT /2/tweets/:id/hidden``; a hide of a reply already deleted is already done."""
        method = "hide_reply" if hidden else "unhide_reply"
        try:
            result = await self._client.call("PUT /2/tweets/:id/hidden", method, action.target_id)
        except TweetMissing as exc:
            if hidden:
                return ActionResult(ok=True, already_done=True,
                                    detail=f"the reply is gone (deleted by its author): {exc}")
            raise PermanentError(f"cannot unhide {action.target_id}: it is gone") from None
        except Refused as exc:
            verb = "hide" if hidden else "unhide"
            if isinstance(exc, AppPermissionTooLow):
                raise PermanentError(f"X refused to {verb} {action.target_id}: "
                                     f"{READ_ONLY_APP} (X said: {exc.detail})") from None
            raise PermanentError(
                f"X refused to {verb} {action.target_id}: only replies in conversations the "
                f"account started can be hidden, and {self._needs('tweet.moderate.write')} "
                f"(X said: {exc.detail or 'Forbidden'})"
            ) from None
        if _data(result).get("hidden") is not hidden:
            raise TransientError("X answered without confirming the hidden state")
        return ActionResult(ok=True, detail="hidden" if hidden else "unhidden")

    async def _reply(self, action: PlatformAction) -> ActionResult:
        text = fit_reply(action.text)
        if not text:
            raise PermanentError("a reply needs text")
        # a lost answer can only hide a reply posted by this call, never an older identical one
        this_call = dataclasses.replace(action, since=datetime.now(UTC))

        async def already_posted() -> dict[str, Any] | None:
            self._replies.note_unanswered(action.key)  # the attempt that just failed
            await asyncio.sleep(self.reconcile_delay)
            found = await self._replies.find(this_call, text)
            return {"data": {"id": found}, "reconciled": True} if found else None

        try:
            result = await self._post(action, text, already_posted)
        except DuplicateContent:
            # X refuses a text the account posted recently: an earlier attempt of this very
            # action (which X's search may not show yet), or the same explanation elsewhere
            # (wordings repeat), which naming the author makes distinct (see .reconcile)
            found = await self._replies.find_settled(action, text)
            if found:
                return ActionResult(ok=True, external_id=found, already_done=True,
                                    detail="already replied")
            if not await self._replies.posted_elsewhere(action, text):
                raise TransientError(
                    "X refused the reply as a duplicate of a recent post that its search does "
                    "not show yet: trying again later"
                ) from None
            handle = await self._author_handle(action.target_id)
            if not handle:
                raise PermanentError("X refused the reply as a duplicate of a recent post")
            try:
                result = await self._post(action, with_handle(handle, text), already_posted)
            except DuplicateContent:
                raise TransientError(
                    "X refused the reply naming its author as a duplicate too (an earlier "
                    "attempt may be on X already): trying again later"
                ) from None
        new_id = _data(result).get("id")
        if not isinstance(new_id, str) or not new_id:
            raise TransientError("X accepted the reply without returning its id")
        already = bool(result.get("reconciled"))
        return ActionResult(ok=True, external_id=new_id, already_done=already, detail="replied")

    async def _post(self, action: PlatformAction, text: str, reconcile: Any) -> dict[str, Any]:
        target_id = action.target_id
        try:
            return await self._client.call(
                "POST /2/tweets", "create_tweet", text=text, in_reply_to_tweet_id=target_id,
                reconcile=reconcile,
            )
        except RateLimited:
            raise  # refused before posting
        except TransientError:
            self._replies.note_unanswered(action.key)  # the last attempt may have posted
            raise
        except DuplicateContent:
            raise
        except AppPermissionTooLow as exc:
            raise PermanentError(f"X refused the reply to {target_id}: {READ_ONLY_APP} "
                                 f"(X said: {exc.detail})") from None
        except Refused as exc:
            raise PermanentError(
                f"X refused the reply to {target_id}: the Tweet may be deleted or not visible, "
                f"or {self._needs('tweet.write')} (X said: {exc.detail or 'Forbidden'})"
            ) from None

    def _needs(self, scope: str) -> str:
        """What a write needs, in the words of the credentials in use."""
        if self._client.oauth1:
            return "the X app needs Read and write permission"
        return f"the access token needs {scope}"

    async def _author_handle(self, tweet_id: str) -> str:
        """The handle of a Tweet's author ("" when X no longer shows the Tweet)."""
        page = await self._client.call(
            "GET /2/tweets/:id", "get_tweet", tweet_id, expansions=["author_id"],
            user_fields=["username"],
        )
        users = page.get("includes", {}).get("users", []) if isinstance(page, dict) else []
        first = users[0] if isinstance(users, list) and users else {}
        return str(first.get("username", "")) if isinstance(first, dict) else ""

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether X already shows the effect (checked before re-running after a crash).

        Hide, unhide and mute: X's v2 API does not show them on lookups and they are
        idempotent, so False (re-applying is safe).  Reply: a search of the conversation.
        """
        if action.kind is ActionKind.REPLY:
            text = fit_reply(action.text)
            if not text:
                return False
            if await self._replies.find(action, text) is not None:
                return True
            self._replies.note_unanswered(action.key)  # the earlier claim may not be indexed
            return False
        return False

    # ---- webhooks ----------------------------------------------------------------------------

    def handle_webhook_get(self, params: Mapping[str, str]) -> WebhookResponse:
        """X (API v2, below Enterprise) sends this bot no webhooks: it polls."""
        return WebhookResponse(status=404, body="no webhooks")

    def handle_webhook_post(self, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """X (API v2, below Enterprise) sends this bot no webhooks: it polls."""
        return WebhookResponse(status=404, body="no webhooks")


def _data(result: Any) -> dict[str, Any]:
    data = result.get("data") if isinstance(result, dict) else None
    return data if isinstance(data, dict) else {}

