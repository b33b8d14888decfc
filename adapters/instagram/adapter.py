"""``InstagramAdapter``: an Instagram professional account's comments in; hides, deletes and
replies out, through the Graph API (Instagram with Facebook Login) and facebook-sdk.

Polling reads every media back to the horizon (and older ones whose comment count changed) and
returns what is newer than the cursor less an overlap (see :mod:`.polling`); the ``comments``
webhook is verified on the raw bytes and only translated; every action has a matching
``is_applied`` check so that a crash between the Graph call and the database commit never
applies an action twice.

Where a reply goes: a REPLY whose target is a comment is ``POST /{comment}/replies`` (Instagram
files a reply to a reply under the top comment).  A thread-level REPLY (``target_id`` is the
media, as for explanations, which name no comment) becomes a top-level comment by the account on
the media, ``POST /{media}/comments``: Instagram refuses replies to hidden comments, and a
comment under the post is what the audience of a hidden comment can see.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Mapping
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import (
    AuthExpired,
    Finding,
    PermanentError,
    TransientError,
    WebhookResponse,
)
from adapters.capabilities import CAPABILITIES
from adapters.facebook.errors import ObjectMissing
from adapters.facebook.signature import (
    SIGNATURE_HEADER,
    header,
    verify_signature,
    verify_token_matches,
)
from bot.domain import ActionKind, ActionResult, FetchResult, PlatformAction

from .client import GRAPH_URL, MATCH_FIELDS, InstagramGraph
from .polling import PollPlan, poll_account
from .translate import dump, parse_graph_time, webhook_to_items
from .verify import verify_account

__all__ = ["InstagramAdapter"]

MAX_FAILURE_BODY = 20_000
CLOCK_SKEW = timedelta(seconds=5)  # Graph's clock against ours when matching a reply's time
UNSUPPORTED = {
    ActionKind.BLOCK: "Instagram's Graph API cannot block accounts: block them in the app",
    ActionKind.MUTE: "Instagram's Graph API cannot mute accounts",
    ActionKind.TIMEOUT: "Instagram has no timeouts",
}


class InstagramAdapter:
    """One Instagram professional account, through facebook-sdk, for the moderation core."""

    platform = "instagram"

    def __init__(
        self,
        account: str,
        ig_user_id: str,
        access_token: str,
        app_secret: str,
        verify_token: str,
        graph_version: str = "v21.0",
        base_url: str = GRAPH_URL,
        *,
        media_limit: int = 25,
        comments_page_limit: int = 50,
        poll_horizon_days: float = 30.0,
        count_horizon_days: float = 365.0,
        recount_interval: float = 900.0,
        edit_lookback: float = 0,
        poll_overlap: float = 300.0,
        timeout: float = 10.0,
        retry_attempts: int = 4,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        slowdown_delay: float = 1.0,
        max_workers: int = 4,
        reconcile_delay: float | None = None,
    ) -> None:
        """Keyword-only knobs tune paging, the poll overlap and retries (tests make them tiny).

        ``media_limit`` / ``comments_page_limit`` are page sizes; ``poll_horizon_days`` is how
        far back media are polled on every poll, and older media back to ``count_horizon_days``
        are read when their comment count changed, compared every ``recount_interval`` seconds
        (see :mod:`.polling`); ``poll_overlap`` (seconds) is how far before the cursor each
        poll still returns comments; ``edit_lookback`` (seconds) returns every comment that
        recent on each poll (Instagram comments cannot be edited, so it defaults to 0);
        ``rate_limit_wait`` is the pause when Graph throttles without a regain estimate;
        ``reconcile_delay`` (default: ``timeout``) is how long to wait before checking whether
        a reply whose answer was lost was posted after all, instead of posting it twice.
        """
        self.account = account
        self.ig_user_id = ig_user_id
        self.capabilities = CAPABILITIES["instagram"]
        self._app_secret = app_secret
        self._verify_token = verify_token
        self.media_limit = media_limit
        self.comments_page_limit = comments_page_limit
        self.poll_horizon_days = poll_horizon_days
        self.count_horizon_days = count_horizon_days
        self.recount_interval = recount_interval
        self.edit_lookback = edit_lookback
        self.poll_overlap = poll_overlap
        self.reconcile_delay = timeout if reconcile_delay is None else reconcile_delay
        self.username = ""
        self.rejected_webhooks = 0
        self._client = InstagramGraph(
            access_token,
            base_url=base_url,
            version=graph_version,
            timeout=timeout,
            retry_attempts=retry_attempts,
            retry_wait=retry_wait,
            retry_max_wait=retry_max_wait,
            rate_limit_wait=rate_limit_wait,
            slowdown_delay=slowdown_delay,
            max_workers=max_workers,
        )

    @property
    def stats(self) -> dict[str, int]:
        """Counters for health pages and tests."""
        return {**self._client.stats, "rejected_webhooks": self.rejected_webhooks}

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check that the token reaches the account (AuthExpired if refused or unrelated)."""
        try:
            node = await self._client.account(self.ig_user_id)
        except ObjectMissing:
            raise AuthExpired(
                f"the access token cannot see Instagram account {self.ig_user_id}"
            ) from None
        found = str(node.get("id")) if isinstance(node, dict) else "?"
        if found != self.ig_user_id:
            raise AuthExpired(
                f"Graph answered for {found}, not Instagram account {self.ig_user_id}"
            )
        self.username = str(node.get("username", ""))

    async def close(self) -> None:
        """Release the worker threads and the HTTP session."""
        await self._client.close()

    async def verify(self) -> list[Finding]:
        """Token, permissions and the ``comments`` webhook subscription, in plain words."""
        return await verify_account(self._client, self.ig_user_id)

    # ---- polling -----------------------------------------------------------------------------

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Comments and replies since the cursor on media back to the horizon, and on older
        media still talked about or whose comment count changed (see :mod:`.polling`).

        ``FetchResult.deleted`` stays empty: Graph cannot list deleted comments and Instagram
        sends no webhook for them.
        """
        plan = PollPlan(
            account=self.account,
            ig_user_id=self.ig_user_id,
            media_limit=self.media_limit,
            comments_page_limit=self.comments_page_limit,
            overlap=self.poll_overlap,
            edit_lookback=self.edit_lookback,
            horizon_days=self.poll_horizon_days,
            count_horizon_days=self.count_horizon_days,
            recount_interval=self.recount_interval,
        )
        return await poll_account(self._client, plan, cursor, time.time())

    # ---- actions -----------------------------------------------------------------------------

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Perform one action; Graph's answers become ActionResult or adapter errors."""
        if action.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            hidden = action.kind is ActionKind.HIDE
            try:
                result = await self._client.set_hidden(action.target_id, hidden)
            except ObjectMissing as exc:
                raise PermanentError(f"comment {action.target_id} is gone: {exc}") from None
            self._check_success(result, action)
            return ActionResult(ok=True, detail="hidden" if hidden else "unhidden")
        if action.kind is ActionKind.DELETE:
            try:
                result = await self._client.delete(action.target_id)
            except ObjectMissing as exc:
                return ActionResult(ok=True, already_done=True, detail=f"already gone: {exc}")
            self._check_success(result, action)
            return ActionResult(ok=True, detail="deleted")
        if action.kind is ActionKind.REPLY:
            return await self._reply(action)
        raise PermanentError(UNSUPPORTED.get(action.kind, f"unsupported action {action.kind!r}"))

    @staticmethod
    def _check_success(result: Any, action: PlatformAction) -> None:
        if isinstance(result, dict) and result.get("success") is False:
            raise PermanentError(f"Graph refused {action.kind} on {action.target_id}")

    @staticmethod
    def _on_media(action: PlatformAction) -> bool:
        """A thread-level reply: the target is the media itself (see the module docstring)."""
        return bool(action.thread_id) and action.target_id == action.thread_id

    async def _reply(self, action: PlatformAction) -> ActionResult:
        text = action.text
        if not text.strip():
            raise PermanentError("a reply needs text")
        if len(text) > self.capabilities.max_reply_chars:
            raise PermanentError(
                f"reply longer than {self.capabilities.max_reply_chars} characters"
            )

        # a lost answer can only hide a reply posted by this call, never an older identical one
        this_call = dataclasses.replace(action, since=datetime.now(UTC))

        async def already_posted() -> dict[str, str] | None:
            await asyncio.sleep(self.reconcile_delay)
            found = await self._find_reply(this_call)
            return {"id": found} if found else None

        try:
            if self._on_media(action):
                result = await self._client.comment_on_media(
                    action.target_id, text, already_posted
                )
            else:
                result = await self._client.reply(action.target_id, text, already_posted)
        except ObjectMissing as exc:
            raise PermanentError(
                f"cannot reply to {action.target_id}: it is gone ({exc})"
            ) from None
        new_id = result.get("id") if isinstance(result, dict) else None
        if not new_id:
            raise TransientError("Graph accepted the reply without returning its id")
        return ActionResult(ok=True, external_id=str(new_id), detail="replied")

    async def _find_reply(self, action: PlatformAction) -> str | None:
        """The id of the account's comment with exactly ``action.text`` where the reply goes.

        Explanation wordings repeat within a thread, so only a comment created at or after
        ``action.since`` (less clock skew) counts, and never one listed in ``exclude_ids``.
        Instagram lists in no documented order, so every page is read.
        """
        floor = action.since - CLOCK_SKEW if action.since is not None else None
        try:
            if self._on_media(action):
                pages = self._client.comment_pages(
                    action.target_id, self.comments_page_limit, fields=MATCH_FIELDS
                )
            else:
                node = await self._client.comment(action.target_id, "id,parent_id")
                parent = node.get("parent_id") if isinstance(node, dict) else None
                owner = str(parent) if parent else action.target_id  # replies join the top
                pages = self._client.reply_pages(
                    owner, self.comments_page_limit, fields=MATCH_FIELDS
                )
            async with aclosing(pages) as listing:
                async for data in listing:
                    for raw in data:
                        if self._is_this_reply(raw, action, floor):
                            return str(raw["id"])
        except ObjectMissing:
            return None
        return None

    def _is_this_reply(self, raw: Any, action: PlatformAction, floor: datetime | None) -> bool:
        if not isinstance(raw, dict) or not raw.get("id"):
            return False
        author = raw.get("from")
        if not isinstance(author, dict) or str(author.get("id")) != self.ig_user_id:
            return False
        if raw.get("text") != action.text or str(raw["id"]) in action.exclude_ids:
            return False
        if floor is None:
            return True
        try:
            return parse_graph_time(raw.get("timestamp")) >= floor
        except ValueError:
            return False  # an undated comment cannot prove it is this attempt's

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether Graph already shows the effect (checked before re-running after a crash)."""
        if action.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            try:
                node = await self._client.comment(action.target_id, "id,hidden")
            except ObjectMissing:
                return False
            hidden = node.get("hidden") is True if isinstance(node, dict) else False
            return hidden if action.kind is ActionKind.HIDE else not hidden
        if action.kind is ActionKind.DELETE:
            try:
                await self._client.comment(action.target_id, "id")
            except ObjectMissing:
                return True
            return False
        if action.kind is ActionKind.REPLY:
            return await self._find_reply(action) is not None
        return False

    # ---- webhooks ----------------------------------------------------------------------------

    def handle_webhook_get(self, params: Mapping[str, str]) -> WebhookResponse:
        """Echo ``hub.challenge`` when the mode is subscribe and the verify token matches."""
        challenge = params.get("hub.challenge")
        if (
            params.get("hub.mode") == "subscribe"
            and challenge is not None
            and verify_token_matches(self._verify_token, params.get("hub.verify_token"))
        ):
            return WebhookResponse(status=200, body=challenge)
        return WebhookResponse(status=403, body="verification failed")

    def handle_webhook_post(self, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """Verify the signature on the raw bytes, then translate; bad content becomes failures."""
        if not verify_signature(self._app_secret, body, header(headers, SIGNATURE_HEADER)):
            self.rejected_webhooks += 1
            return WebhookResponse(status=403, body="invalid signature")
        try:
            payload = json.loads(body)
        except ValueError as exc:  # includes UnicodeDecodeError
            raw = body[:MAX_FAILURE_BODY].decode("utf-8", "replace")
            return WebhookResponse(status=200, body="ok", failures=((raw, f"invalid JSON: {exc}"),))
        try:
            items, failures = webhook_to_items(
                payload, account=self.account, ig_user_id=self.ig_user_id
            )
        except Exception as exc:  # noqa: BLE001 - a webhook must never crash the endpoint
            return WebhookResponse(status=200, body="ok", failures=((dump(payload), repr(exc)),))
        return WebhookResponse(status=200, body="ok", items=tuple(items), failures=tuple(failures))
