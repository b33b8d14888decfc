"""Run outbox actions on the platforms: leased, checked, retried and recorded.

An action is leased (and its attempt counted) in one transaction, executed, and recorded in a
second.  If the process dies in between, the lease runs out and the next attempt first asks the
platform whether the effect is already there (``is_applied``), so nothing is applied twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
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
LEASE = timedelta(minutes=5)


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
        """Execute up to ``limit`` due actions, one lease at a time; returns how many ran.

        Leasing one action at a time keeps each lease far longer than the platform call it
        covers, so another worker never takes over an action that is still in flight.
        """
        done = 0
        for _ in range(limit):
            async with self._sessions.begin() as session:
                rows = await claim_due(session, now, self._lease, 1)
                if not rows:
                    break
                row = rows[0]
                if row.payload.get("explanation") and "text" not in row.payload:
                    row.payload = {**row.payload, "text": render_text(row)}
            await self._execute(row, now)
            done += 1
        return done

    async def _execute(self, row: ActionRow, now: datetime) -> None:
        adapter = self._adapters.get(row.account)
        claim = row.attempts  # our claim's version; a later claim by another worker bumps it
        async with self._sessions.begin() as session:
            fresh = await _claimed(session, row.id, claim)
            if fresh is None:
                return
            if adapter is None:
                _retry_later(fresh, now + timedelta(minutes=1), "adapter not running")
                return
            until = await bucket_full(session, fresh.rate_bucket, now)
            if until is not None:
                _retry_later(fresh, until, "rate bucket full")
                return
            exclude = await _other_reply_ids(session, fresh) if fresh.kind == "reply" else ()
        action = PlatformAction(
            key=row.idempotency_key, kind=ActionKind(row.kind), target_id=row.target_id,
            thread_id=row.thread_id, text=str(row.payload.get("text", "")),
            author_id=str(row.payload.get("author_id", "")),
            since=row.created_at, exclude_ids=exclude,
            duration_seconds=float(row.payload.get("duration_seconds", 0.0) or 0.0),
        )
        try:
            # An earlier claim may have reached the platform before its process died.
            if claim > 1 and await adapter.is_applied(action):
                await self._record_done(row.id, claim, now, "", already=True)
                return
            result = await adapter.apply(action)
        except RateLimited as exc:
            await self._record_retry(row.id, claim, now + timedelta(seconds=exc.retry_after),
                                     f"rate limited: {exc}", failed=False)
        except AuthExpired as exc:
            await self._record_retry(row.id, claim, now + timedelta(minutes=15),
                                     f"auth expired: {exc}", failed=False)
            await report_auth_expired(self._sessions, self._settings, row.account, now, str(exc))
        except PermanentError as exc:
            await self._record_failed(row.id, claim, now, f"refused: {exc}")
        except AdapterError as exc:
            await self._record_retry(row.id, claim, now + backoff(_failures(row) + 1), str(exc))
        except Exception as exc:  # a bug must not stop the outbox
            log.exception("action %s failed unexpectedly", row.idempotency_key)
            await self._record_retry(row.id, claim, now + backoff(_failures(row) + 1), repr(exc))
        else:
            await self._record_done(row.id, claim, now, result.external_id, result.already_done)

    async def _record_done(self, action_id: int, claim: int, now: datetime, result_id: str,
                           already: bool) -> None:
        async with self._sessions.begin() as session:
            row = await _claimed(session, action_id, claim)
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
                  platform=row.platform, account=row.account, key=row.idempotency_key,
                  result_id=result_id, already_done=already)

    async def _record_retry(self, action_id: int, claim: int, when: datetime, error: str,
                            failed: bool = True) -> None:
        """Put the action back; ``failed`` counts towards the attempt limit (throttling not)."""
        async with self._sessions.begin() as session:
            row = await _claimed(session, action_id, claim)
            if row is None:
                return
            if failed:
                row.payload = {**row.payload, "failures": _failures(row) + 1}
                if _failures(row) >= self._max_attempts:
                    row.status, row.last_error, row.lease_until = "failed", error[:2000], None
                    audit(session, when, "modbot", "action_failed", row.item_id,
                          key=row.idempotency_key, error=error[:500])
                    return
            _retry_later(row, when, error)

    async def _record_failed(self, action_id: int, claim: int, now: datetime,
                             error: str) -> None:
        async with self._sessions.begin() as session:
            row = await _claimed(session, action_id, claim)
            if row is not None:
                row.status, row.last_error, row.lease_until = "failed", error[:2000], None
                audit(session, now, "modbot", "action_failed", row.item_id,
                      key=row.idempotency_key, error=error[:500])


async def _claimed(session: AsyncSession, action_id: int, claim: int) -> ActionRow | None:
    """The action, if it is still ours: running under the claim we took."""
    row = await session.get(ActionRow, action_id, with_for_update=True)
    if row is None or row.status != "running" or row.attempts != claim:
        return None
    return row


async def _other_reply_ids(session: AsyncSession, row: ActionRow) -> tuple[str, ...]:
    """Ids of replies this account already posted in the thread for other actions."""
    stmt = select(ActionRow.result_id).where(
        ActionRow.account == row.account, ActionRow.thread_id == row.thread_id,
        ActionRow.kind == "reply", ActionRow.status == "done", ActionRow.id != row.id,
        ActionRow.result_id != "",
    )
    return tuple((await session.scalars(stmt)).all())


def _failures(row: ActionRow) -> int:
    return int(row.payload.get("failures", 0))


def _retry_later(row: ActionRow, when: datetime, error: str) -> None:
    row.status, row.not_before, row.lease_until = "pending", when, None
    row.last_error = error[:2000]


async def report_auth_expired(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, account: str,
    now: datetime, error: str,
) -> None:
    """Mark the account's token as expired and alert the trust's admins (once per day)."""
    await _report_account(
        sessions, settings, account, now, error, kind="token_expired", expired=True,
        summary=f"The access token of {account} was refused; renew it so moderation resumes.")


async def report_account_refused(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, account: str,
    now: datetime, reason: str,
) -> None:
    """The platform refuses to let the account be read at all (e.g. X's free API tier).

    Retrying cannot help, so the trust's admins are told (once per day) in the adapter's plain
    words, which name what to change; the account is polled again later in case it was fixed.
    """
    await _report_account(
        sessions, settings, account, now, reason, kind="account_refused", expired=False,
        summary=f"{account} cannot be moderated: {reason[:500]}")


async def _report_account(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, account: str,
    now: datetime, error: str, *, kind: str, expired: bool, summary: str,
) -> None:
    """Record the account's problem on its health row and alert the admins once a day."""
    academy_key, _ = settings.academy_of(account)
    async with sessions.begin() as session:
        health = await health_row(session, account)
        health.last_error, health.last_error_at = error[:2000], now
        if expired:
            health.auth_expired = True
        await raise_alert(
            session, settings, now, kind=kind, role="admins",
            academy_key=academy_key, account_key=account, summary=summary,
            dedupe_key=f"{kind}:{account}:{now.date().isoformat()}",
        )
