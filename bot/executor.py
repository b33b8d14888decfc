"""Run outbox actions on the platforms: leased, checked, retried and recorded.

An action is leased (and its attempt counted) in one transaction, executed, and recorded in a
second.  If the process dies in between, the lease runs out and the next attempt first asks the
platform whether the effect is already there (``is_applied``), so nothing is applied twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.base import (
    AdapterError,
    AuthExpired,
    PermanentError,
    PlatformAdapter,
    RateLimited,
)
from bot.alerts import raise_alert
from bot.domain import ActionKind, PlatformAction
from bot.outbox import bucket_full, claim_due
from bot.settings import Settings
from bot.store.models import ActionRow, ItemRow
from bot.store.repository import audit, health_row
from moderation_rules.explain import batch_explanation

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """Wait before retry ``attempts`` + 1: 5 s doubling, capped at 30 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


def render_text(row: ActionRow) -> str:
    """The reply text of an action; explanations are rendered from their batched labels.

    Deterministic (the wording variant is the thread's explanation sequence number), so a
    retried explanation has exactly the text the platform check looks for.
    """
    payload = row.payload
    if payload.get("explanation"):
        labels = list(dict.fromkeys(payload.get("labels", [])))
        return batch_explanation(labels, row.platform, int(payload.get("seq", 0)))
    return str(payload.get("text", ""))


class Executor:
    """Drains the outbox through the adapters."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        adapters: Mapping[str, PlatformAdapter],
        settings: Settings,
        max_attempts: int = 8,
        lease: timedelta = LEASE,
    ) -> None:
        self._sessions = sessions
        self._adapters = adapters
        self._settings = settings
        self._max_attempts = max_attempts
        self._lease = lease

    async def run_once(self, now: datetime, limit: int = 20) -> int:
        """Execute up to ``limit`` due actions; returns how many were attempted."""
        async with self._sessions.begin() as session:
            rows = await claim_due(session, now, self._lease, limit)
            for row in rows:
                if row.payload.get("explanation") and "text" not in row.payload:
                    row.payload = {**row.payload, "text": render_text(row)}
        for row in rows:
            await self._execute(row, now)
        return len(rows)

    async def _execute(self, row: ActionRow, now: datetime) -> None:
        adapter = self._adapters.get(row.account)
        async with self._sessions.begin() as session:
            fresh = await session.get(ActionRow, row.id)
            if fresh is None or fresh.status != "running":
                return
            if adapter is None:
                _retry_later(fresh, now + timedelta(minutes=1), "adapter not running", count=False)
                return
            until = await bucket_full(session, fresh.rate_bucket, now)
            if until is not None:
                _retry_later(fresh, until, "rate bucket full", count=False)
                return
        action = PlatformAction(
            key=row.idempotency_key, kind=ActionKind(row.kind), target_id=row.target_id,
            thread_id=row.thread_id, text=str(row.payload.get("text", "")),
            author_id=str(row.payload.get("author_id", "")),
        )
        try:
            if row.attempts > 1 and await adapter.is_applied(action):
                await self._record_done(row.id, now, "", already=True)
                return
            result = await adapter.apply(action)
        except RateLimited as exc:
            await self._record_retry(row.id, now + timedelta(seconds=exc.retry_after),
                                     f"rate limited: {exc}", count=False)
        except AuthExpired as exc:
            await self._auth_expired(row, now, str(exc))
        except PermanentError as exc:
            await self._record_failed(row.id, now, f"refused: {exc}")
        except AdapterError as exc:
            await self._record_retry(row.id, now + backoff(row.attempts), str(exc))
        except Exception as exc:  # a bug must not stop the outbox
            log.exception("action %s failed unexpectedly", row.idempotency_key)
            await self._record_retry(row.id, now + backoff(row.attempts), repr(exc))
        else:
            await self._record_done(row.id, now, result.external_id, result.already_done)

    async def _record_done(self, action_id: int, now: datetime, result_id: str,
                           already: bool) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ActionRow, action_id)
            if row is None:
                return
            row.status, row.done_at, row.lease_until = "done", now, None
            row.result_id = result_id
            if row.item_id is not None and row.kind in ("hide", "delete", "unhide"):
                item = await session.get(ItemRow, row.item_id)
                if item is not None:
                    item.visibility = {"hide": "hidden", "delete": "deleted"}.get(
                        row.kind, "visible")
            audit(session, now, "modbot", "action_applied", row.item_id, kind=row.kind,
                  key=row.idempotency_key, result_id=result_id, already_done=already)

    async def _record_retry(self, action_id: int, when: datetime, error: str,
                            count: bool = True) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ActionRow, action_id)
            if row is None:
                return
            if count and row.attempts >= self._max_attempts:
                row.status, row.last_error, row.lease_until = "failed", error[:2000], None
                audit(session, when, "modbot", "action_failed", row.item_id,
                      key=row.idempotency_key, error=error[:500])
                return
            _retry_later(row, when, error, count)

    async def _record_failed(self, action_id: int, now: datetime, error: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ActionRow, action_id)
            if row is not None:
                row.status, row.last_error, row.lease_until = "failed", error[:2000], None
                audit(session, now, "modbot", "action_failed", row.item_id,
                      key=row.idempotency_key, error=error[:500])

    async def _auth_expired(self, row: ActionRow, now: datetime, error: str) -> None:
        """Tell the trust's admins once a day and park the account's actions; no crash loop."""
        await self._record_retry(row.id, now + timedelta(minutes=15), f"auth expired: {error}",
                                 count=False)
        await report_auth_expired(self._sessions, self._settings, row.account, now, error)


def _retry_later(row: ActionRow, when: datetime, error: str, count: bool = True) -> None:
    row.status, row.not_before, row.lease_until = "pending", when, None
    row.last_error = error[:2000]
    if not count:
        row.attempts = max(row.attempts - 1, 0)


async def report_auth_expired(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, account: str,
    now: datetime, error: str,
) -> None:
    """Mark the account's token as expired and alert the trust's admins (once per day)."""
    academy_key, _ = settings.academy_of(account)
    async with sessions.begin() as session:
        health = await health_row(session, account)
        health.auth_expired, health.last_error, health.last_error_at = True, error[:2000], now
        await raise_alert(
            session, settings, now, kind="token_expired", role="admins",
            academy_key=academy_key, account_key=account,
            summary=f"The access token of {account} was refused; renew it so moderation resumes.",
            dedupe_key=f"token_expired:{account}:{now.date().isoformat()}",
        )
