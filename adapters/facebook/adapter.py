"""``FacebookAdapter``: a Facebook Page's comments in, hides / replies / deletes / blocks out.

Polling pages back through the posts of the last ``poll_horizon_days`` (and older posts whose
comment count changed) and re-reads a short overlap (and the ``edit_lookback``) on every post so
nothing slips between polls and edits are seen (the core dedupes on platform + id, see
:mod:`.polling`); webhooks are verified on the raw
bytes and only translated, author deletions ("remove") included; every action has
a matching ``is_applied`` check so that a crash between the Graph call and the database commit
never applies an action twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import (
    AuthExpired,
    Capabilities,
    Finding,
    PermanentError,
    TransientError,
    WebhookResponse,
)
from bot.domain import ActionKind, ActionResult, FetchResult, PlatformAction

from .client import GRAPH_URL, GraphClient
from .errors import ObjectMissing
from .polling import COMMENT_FIELDS, PollPlan, poll_page, read_cursor
from .signature import SIGNATURE_HEADER, header, verify_signature, verify_token_matches
from .translate import dump, parse_graph_time, webhook_removals, webhook_to_items
from .verify import verify_page

__all__ = ["COMMENT_FIELDS", "FacebookAdapter", "read_cursor"]

MAX_FAILURE_BODY = 20_000
CLOCK_SKEW = timedelta(seconds=5)  # Graph's clock against ours when matching a reply's time
OWN_DELETES_KEPT = 10_000


class FacebookAdapter:
    """One Facebook Page, through facebook-sdk, for the moderation core."""

    platform = "facebook"

    def __init__(
        self,
        account: str,
        page_id: str,
        page_token: str,
        app_secret: str,
        verify_token: str,
        graph_version: str = "v21.0",
        base_url: str = GRAPH_URL,
        poll_posts_limit: int = 25,
        timeout: float = 10.0,
        *,
        comments_page_limit: int = 100,
        poll_overlap: float = 300.0,
        retry_attempts: int = 4,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        slowdown_delay: float = 1.0,
        max_workers: int = 4,
        reconcile_delay: float | None = None,
        poll_horizon_days: float = 30.0,
        edit_lookback: float = 6 * 3600.0,
        count_horizon_days: float = 365.0,
        recount_interval: float = 900.0,
    ) -> None:
        """Keyword-only knobs tune paging, the poll overlap and retries (tests make them tiny).

        ``rate_limit_wait`` is the pause when Graph throttles without a regain estimate;
        ``reconcile_delay`` (default: ``timeout``) is how long to wait before checking whether
        a reply whose answer was lost was posted after all, instead of posting it twice.
        ``poll_horizon_days`` is how far back posts are polled on every poll (by their
        ``created_time``), and older posts back to ``count_horizon_days`` are read when their
        comment count changed, compared every ``recount_interval`` seconds (see :mod:`.polling`);
        ``edit_lookback`` (seconds) is how far back every poll re-reads comments so that edits
        to them are seen (``poll_posts_limit`` is the page size of the post listing).
        """
        self.account = account
        self.page_id = page_id
        self.capabilities = Capabilities(
            hide=True, delete=True, reply=True, block=True, webhooks=True, max_reply_chars=8000
        )
        self._app_secret = app_secret
        self._verify_token = verify_token
        self.poll_posts_limit = poll_posts_limit
        self.comments_page_limit = comments_page_limit
        self.poll_overlap = poll_overlap
        self.poll_horizon_days = poll_horizon_days
        self.edit_lookback = edit_lookback
        self.count_horizon_days = count_horizon_days
        self.recount_interval = recount_interval
        # comments this adapter deleted: their "remove" webhooks are not author deletions
        self._own_deletes: OrderedDict[str, None] = OrderedDict()
        self.page_name = ""
        self.rejected_webhooks = 0
        # before re-sending a reply whose answer was lost, give Graph time to finish the first one
        self.reconcile_delay = timeout if reconcile_delay is None else reconcile_delay
        self._client = GraphClient(
            page_token,
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
        return {
            "calls": self._client.calls,
            "retries": self._client.retries,
            "slowdowns": self._client.gate.slowdowns,
            "rejected_webhooks": self.rejected_webhooks,
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token by asking who it belongs to (AuthExpired if refused)."""
        me = await self._client.request("me", args={"fields": "id,name"})
        owner = str(me.get("id")) if isinstance(me, dict) else "?"
        if owner != self.page_id:
            raise AuthExpired(f"the page token belongs to {owner}, not page {self.page_id}")
        self.page_name = str(me.get("name", ""))

    async def close(self) -> None:
        """Release the worker threads and the HTTP session."""
        await self._client.close()

    async def verify(self) -> list[Finding]:
        """Page token, permissions and the ``feed`` webhook subscription, in plain words."""
        return await verify_page(self._client, self.page_id)

    # ---- polling -----------------------------------------------------------------------------

    async def poll(self, cursor: Mapping[str, Any]) -> FetchResult:
        """Comments since the cursor on posts back to the horizon, and on older posts still
        talked about or whose comment count changed (see :mod:`.polling`).

        ``FetchResult.deleted`` stays empty: Graph cannot list deleted comments, so author
        deletions are only reported by webhook.
        """
        plan = PollPlan(
            account=self.account,
            page_id=self.page_id,
            posts_page_limit=self.poll_posts_limit,
            comments_page_limit=self.comments_page_limit,
            overlap=self.poll_overlap,
            edit_lookback=self.edit_lookback,
            horizon_days=self.poll_horizon_days,
            count_horizon_days=self.count_horizon_days,
            recount_interval=self.recount_interval,
        )
        return await poll_page(self._client, plan, cursor, time.time())

    # ---- actions -----------------------------------------------------------------------------

    async def apply(self, action: PlatformAction) -> ActionResult:
        """Perform one action; Graph's answers become ActionResult or adapter errors."""
        if action.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            hidden = action.kind is ActionKind.HIDE
            try:
                result = await self._client.request(
                    action.target_id, post_args={"is_hidden": "true" if hidden else "false"}
                )
            except ObjectMissing as exc:
                raise PermanentError(f"comment {action.target_id} is gone: {exc}") from None
            self._check_success(result, action)
            return ActionResult(ok=True, detail="hidden" if hidden else "unhidden")
        if action.kind is ActionKind.DELETE:
            self._remember_delete(action.target_id)  # before the call: its webhook may be first
            try:
                result = await self._client.request(action.target_id, method="DELETE")
            except ObjectMissing as exc:
                return ActionResult(ok=True, already_done=True, detail=f"already gone: {exc}")
            self._check_success(result, action)
            return ActionResult(ok=True, detail="deleted")
        if action.kind is ActionKind.REPLY:
            return await self._reply(action)
        if action.kind is ActionKind.BLOCK:
            if not action.author_id:
                raise PermanentError("a block needs the author's id")
            result = await self._client.request(
                f"{self.page_id}/blocked", post_args={"user": action.author_id}
            )
            if isinstance(result, dict) and result.get(action.author_id) is False:
                raise PermanentError(f"Graph refused to block {action.author_id}")
            return ActionResult(ok=True, detail="blocked")
        raise PermanentError(f"unsupported action {action.kind!r}")

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
            result = await self._client.request(
                f"{action.target_id}/comments",
                post_args={"message": text},
                reconcile=already_posted,
            )
        except ObjectMissing as exc:
            raise PermanentError(
                f"cannot reply to {action.target_id}: it is gone ({exc})"
            ) from None
        new_id = result.get("id") if isinstance(result, dict) else None
        if not new_id:
            raise TransientError("Graph accepted the reply without returning its id")
        return ActionResult(ok=True, external_id=str(new_id), detail="replied")

    @staticmethod
    def _check_success(result: Any, action: PlatformAction) -> None:
        if isinstance(result, dict) and result.get("success") is False:
            raise PermanentError(f"Graph refused {action.kind} on {action.target_id}")

    def _is_post(self, object_id: str, action: PlatformAction) -> bool:
        return object_id.startswith(f"{self.page_id}_") or (
            bool(action.thread_id) and object_id == action.thread_id
        )

    async def _find_reply(self, action: PlatformAction) -> str | None:
        """The id of a page comment with exactly ``action.text`` in the target's thread, if any.

        Explanation wordings repeat within a thread, so only a comment created at or after
        ``action.since`` (less clock skew) counts, and never one listed in ``exclude_ids``.
        """
        target = action.target_id
        owners = [target]
        if not self._is_post(target, action):
            try:
                node = await self._client.request(target, args={"fields": "id,parent{id}"})
            except ObjectMissing:
                return None
            parent = node.get("parent") if isinstance(node, dict) else None
            if isinstance(parent, dict) and parent.get("id"):
                owners.append(str(parent["id"]))  # Graph files replies to replies under the top
        floor = action.since - CLOCK_SKEW if action.since is not None else None
        args = {
            "fields": "id,message,from,created_time",
            "order": "reverse_chronological",
            "limit": "100",
            "filter": "stream",
        }
        if floor is not None:
            args["since"] = str(max(0, int(floor.timestamp())))
        for owner in owners:
            try:
                found = await self._find_in(owner, args, action, floor)
            except ObjectMissing:
                continue
            if found is not None:
                return found
        return None

    async def _find_in(
        self,
        owner: str,
        args: dict[str, str],
        action: PlatformAction,
        floor: datetime | None,
    ) -> str | None:
        """Scan one thread newest first, stopping at comments older than ``floor``."""
        async with aclosing(self._client.iter_edge(owner, "comments", args)) as pages:
            async for data in pages:
                for raw in data:
                    if not isinstance(raw, dict):
                        continue
                    if floor is not None:
                        try:
                            created = parse_graph_time(raw.get("created_time"))
                        except ValueError:
                            continue  # an undated comment cannot prove it is this attempt's
                        if created < floor:
                            return None  # newest first: everything after is older still
                    author = raw.get("from")
                    comment_id = str(raw.get("id", ""))
                    if (
                        isinstance(author, dict)
                        and str(author.get("id")) == self.page_id
                        and raw.get("message") == action.text
                        and comment_id
                        and comment_id not in action.exclude_ids
                    ):
                        return comment_id
        return None

    async def is_applied(self, action: PlatformAction) -> bool:
        """Whether Graph already shows the effect (checked before re-running after a crash)."""
        if action.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            try:
                node = await self._client.request(action.target_id, args={"fields": "id,is_hidden"})
            except ObjectMissing:
                return False
            hidden = bool(node.get("is_hidden")) if isinstance(node, dict) else False
            return hidden if action.kind is ActionKind.HIDE else not hidden
        if action.kind is ActionKind.DELETE:
            try:
                await self._client.request(action.target_id, args={"fields": "id"})
            except ObjectMissing:
                return True
            return False
        if action.kind is ActionKind.REPLY:
            return await self._find_reply(action) is not None
        if action.kind is ActionKind.BLOCK:
            listing = await self._client.request(
                f"{self.page_id}/blocked", args={"user": action.author_id}
            )
            rows = listing.get("data") if isinstance(listing, dict) else None
            return any(
                isinstance(r, dict) and str(r.get("id")) == action.author_id for r in rows or []
            )
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
        """Verify the signature on the raw bytes, then translate; bad content becomes failures.

        ``deleted`` lists comments removed on the platform, except those this adapter deleted.
        """
        if not verify_signature(self._app_secret, body, header(headers, SIGNATURE_HEADER)):
            self.rejected_webhooks += 1
            return WebhookResponse(status=403, body="invalid signature")
        try:
            payload = json.loads(body)
        except ValueError as exc:  # includes UnicodeDecodeError
            raw = body[:MAX_FAILURE_BODY].decode("utf-8", "replace")
            return WebhookResponse(status=200, body="ok", failures=((raw, f"invalid JSON: {exc}"),))
        try:
            items, failures = webhook_to_items(payload, account=self.account, page_id=self.page_id)
            removed = webhook_removals(payload, page_id=self.page_id)
        except Exception as exc:  # noqa: BLE001 - a webhook must never crash the endpoint
            return WebhookResponse(status=200, body="ok", failures=((dump(payload), repr(exc)),))
        deleted = tuple(r for r in removed if r not in self._own_deletes)
        return WebhookResponse(
            status=200, body="ok", items=tuple(items), failures=tuple(failures), deleted=deleted
        )

    def _remember_delete(self, comment_id: str) -> None:
        """Note a deletion by this adapter, so its own "remove" webhook is not reported."""
        self._own_deletes[comment_id] = None
        self._own_deletes.move_to_end(comment_id)
        while len(self._own_deletes) > OWN_DELETES_KEPT:
            self._own_deletes.popitem(last=False)
