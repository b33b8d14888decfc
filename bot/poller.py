"""Poll each account's adapter and hand what it finds to the pipeline.

Polling is the source of truth (webhooks are known to miss events); a throttled platform is
polled later, an expired token alerts the trust's admins instead of looping.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.base import AdapterError, AuthExpired, PermanentError, PlatformAdapter, RateLimited
from bot.executor import report_account_refused, report_auth_expired
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.store.repository import health_row, load_cursor
from bot.tickets import TicketClock

log = logging.getLogger(__name__)
# On an account's first poll, comments older than this are history: moderated, but no tickets
# or alerts (safeguarding excepted), so switching the service on does not flood staff.
HISTORY = timedelta(hours=24)


class Poller:
    """Runs one poll of one account at a time, remembering when it may poll again."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        pipeline: Pipeline,
        settings: Settings,
        tickets: TicketClock,
    ) -> None:
        self._sessions = sessions
        self._pipeline = pipeline
        self._settings = settings
        self._tickets = tickets
        self._not_before: dict[str, datetime] = {}

    async def poll(self, adapter: PlatformAdapter, now: datetime) -> int:
        """Poll once; returns the number of new items stored."""
        account = adapter.account
        if now < self._not_before.get(account, now):
            return 0
        async with self._sessions() as session:
            cursor = await load_cursor(session, account)
        try:
            result = await adapter.poll(cursor)
        except RateLimited as exc:
            self._not_before[account] = now + timedelta(seconds=exc.retry_after)
            await self._note_error(account, now, f"rate limited: {exc}")
            return 0
        except AuthExpired as exc:
            self._not_before[account] = now + timedelta(minutes=15)
            await report_auth_expired(self._sessions, self._settings, account, now, str(exc))
            return 0
        except PermanentError as exc:
            self._not_before[account] = now + timedelta(hours=1)
            await report_account_refused(self._sessions, self._settings, account, now, str(exc))
            return 0
        except AdapterError as exc:
            log.warning("poll of %s failed: %s", account, exc)
            await self._note_error(account, now, str(exc))
            return 0
        # Author deletions are recorded before the cursor that covers them is saved (a crash
        # in between re-reads them; recording twice is harmless), and again afterwards for
        # items that this very poll stored.
        gone = [e for e in result.deleted
                if not await self._tickets.item_deleted(adapter.platform, e, now)]
        new = await self._pipeline.ingest(
            account, adapter.platform, result.items, now,
            source="poll", cursor=result.cursor, failures=result.failures,
            backfill_before=None if cursor else now - HISTORY,
        )
        for external_id in gone:
            await self._tickets.item_deleted(adapter.platform, external_id, now)
        async with self._sessions.begin() as session:
            health = await health_row(session, account)
            health.last_poll_ok, health.auth_expired = now, False
        return new

    async def _note_error(self, account: str, now: datetime, error: str) -> None:
        async with self._sessions.begin() as session:
            health = await health_row(session, account)
            health.last_error, health.last_error_at = error[:2000], now
