"""Weekly SLA summaries: sent Monday 07:00 local, exactly once per academy-week.

The database decides who sends: a row per (scope, week, recipient) with a unique key is claimed
just before that recipient's email is sent, with a lease, so two processes never both send it
and a process that died mid-send lets another retry once the lease has run out.  A recipient
whose send failed is retried alone, without resending to the others.  A service that was down
at 07:00 sends later that week rather than never.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notify import DeliveryError, Notifier
from bot.reports.render import render_csv, render_html, render_json, report_message
from bot.reports.weekly import TRUST, iso_week, week_bounds, weekly_summary
from bot.settings import Settings
from bot.store.models import WeeklyReportDeliveryRow, WeeklyReportRow
from bot.store.repository import audit, insert_ignore

log = logging.getLogger(__name__)
SEND_AT = time(7, 0)
LEASE = timedelta(minutes=10)  # one email: far longer than an SMTP send can take
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def due_week(now: datetime, zone: ZoneInfo) -> str | None:
    """The week whose report is due at ``now``: last week, once it is Monday 07:00 local."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, SEND_AT, zone):
        return None  # before 07:00 on Monday: last week's report is not due yet
    return iso_week(monday - timedelta(days=7))


class WeeklyReporter:
    """Sends each academy's (and the trust's) weekly summary once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 notifier: Notifier) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier

    def scopes(self) -> list[tuple[str, ZoneInfo, list[str]]]:
        """(scope, zone, recipients) for every academy and the trust."""
        s = self._settings
        out = []
        for key, academy in s.academies.items():
            to = list(academy.weekly_report_to) or ([academy.headteacher]
                                                    if academy.headteacher else [])
            out.append((key, ZoneInfo(academy.calendar.timezone), to))
        first = next(iter(s.academies.values()))
        out.append((TRUST, ZoneInfo(first.calendar.timezone),
                    list(s.trust.weekly_report_to or s.trust.admins)))
        return out

    async def sweep(self, now: datetime) -> int:
        """Send whatever is due; returns how many report emails were delivered."""
        started = monotonic()
        sent = 0
        for scope, zone, recipients in self.scopes():
            week = due_week(now, zone)
            if week is None or not recipients:
                continue
            due = await self._due(scope, week, recipients, now)
            if due:
                sent += await self._send(scope, week, due, now, started)
        return sent

    async def _due(self, scope: str, week: str, recipients: list[str], now: datetime
                   ) -> list[str]:
        """Recipients still owed this report: one row each, so each is sent (and retried) alone."""
        async with self._sessions.begin() as session:
            await session.execute(insert_ignore(session, WeeklyReportRow).values(
                scope=scope, week=week, status="sending", attempts=0, error="", created_at=now))
            report = (await session.scalars(select(WeeklyReportRow).where(
                WeeklyReportRow.scope == scope, WeeklyReportRow.week == week))).one()
            if report.status != "sending":
                return []  # finished (sent, or given up) by this or another process
            for key in recipients:
                await session.execute(insert_ignore(session, WeeklyReportDeliveryRow).values(
                    scope=scope, week=week, person=key, status="pending", attempts=0,
                    next_attempt_at=now, error="", created_at=now))
            rows = (await session.scalars(select(WeeklyReportDeliveryRow.person).where(
                WeeklyReportDeliveryRow.scope == scope, WeeklyReportDeliveryRow.week == week,
                WeeklyReportDeliveryRow.status.in_(("pending", "sending")),
                WeeklyReportDeliveryRow.next_attempt_at <= now,
                or_(WeeklyReportDeliveryRow.lease_until.is_(None),
                    WeeklyReportDeliveryRow.lease_until <= now)))).all()
        return [key for key in rows if key in recipients]

    async def _send(self, scope: str, week: str, due: list[str], now: datetime,
                    started: float) -> int:
        async with self._sessions() as session:
            summary = await weekly_summary(session, self._settings, scope, week, now,
                                           self._settings.service.web.public_url)
        message = report_message(summary)
        sent = 0
        for key in due:
            # Claimed one at a time, just before sending, so the lease covers one send only.
            lease_from = now + timedelta(seconds=monotonic() - started)
            version = await self._claim(scope, week, key, now, lease_from)
            if version is None:
                continue  # another process has it
            person = self._settings.people.get(key)
            error, final = "", False
            try:
                if person is None or not person.email:
                    raise DeliveryError("no email address", permanent=True)
                await self._notifier.send("email", person, message)
            except DeliveryError as exc:
                error, final = str(exc), exc.permanent
            except Exception as exc:  # noqa: BLE001 - one recipient must not stop the others
                error = type(exc).__name__
                log.warning("weekly report %s %s to %s failed: %s", scope, week, key, error)
            sent += await self._record(scope, week, key, version, now, error,
                                       final or (bool(error) and version >= MAX_ATTEMPTS))
        await self._finish(scope, week, now)
        return sent

    async def _claim(self, scope: str, week: str, key: str, now: datetime,
                     lease_from: datetime) -> int | None:
        """Take one recipient's row (the attempt counter is its version); None if taken."""
        async with self._sessions.begin() as session:
            row = (await session.scalars(select(WeeklyReportDeliveryRow).where(
                WeeklyReportDeliveryRow.scope == scope, WeeklyReportDeliveryRow.week == week,
                WeeklyReportDeliveryRow.person == key))).one()
            if (row.status not in ("pending", "sending") or row.next_attempt_at > now
                    or (row.lease_until is not None and row.lease_until > lease_from)):
                return None
            taken = await session.execute(
                update(WeeklyReportDeliveryRow)
                .where(WeeklyReportDeliveryRow.id == row.id,
                       WeeklyReportDeliveryRow.attempts == row.attempts,
                       WeeklyReportDeliveryRow.status.in_(("pending", "sending")))
                .values(status="sending", attempts=row.attempts + 1,
                        lease_until=lease_from + LEASE)
                .execution_options(synchronize_session=False))
            return row.attempts + 1 if taken.rowcount == 1 else None

    async def _record(self, scope: str, week: str, key: str, version: int, now: datetime,
                      error: str, final: bool) -> int:
        """Record one recipient's outcome, unless another process has since re-claimed it."""
        values: dict[str, object] = (
            {"status": "sent", "sent_at": now, "lease_until": None, "error": ""} if not error
            else {"status": "failed" if final else "pending", "lease_until": None,
                  "error": error[:2000], "next_attempt_at": now + RETRY_AFTER})
        async with self._sessions.begin() as session:
            done = await session.execute(
                update(WeeklyReportDeliveryRow)
                .where(WeeklyReportDeliveryRow.scope == scope,
                       WeeklyReportDeliveryRow.week == week,
                       WeeklyReportDeliveryRow.person == key,
                       WeeklyReportDeliveryRow.attempts == version,
                       WeeklyReportDeliveryRow.status == "sending")
                .values(**values).execution_options(synchronize_session=False))
            if done.rowcount != 1:
                log.warning("weekly report %s %s to %s was re-claimed; not recorded",
                            scope, week, key)
                return 0
            audit(session, now, "modbot", "weekly_report", None, scope=scope, week=week,
                  person=key, sent=not error, final=final, error=error[:300])
        return int(not error)

    async def _finish(self, scope: str, week: str, now: datetime) -> None:
        """Mark the report done once no recipient is left to try."""
        async with self._sessions.begin() as session:
            rows = (await session.scalars(select(WeeklyReportDeliveryRow).where(
                WeeklyReportDeliveryRow.scope == scope,
                WeeklyReportDeliveryRow.week == week))).all()
            if not rows or any(r.status in ("pending", "sending") for r in rows):
                return
            failed = [f"{r.person}: {r.error}" for r in rows if r.status != "sent"]
            await session.execute(
                update(WeeklyReportRow)
                .where(WeeklyReportRow.scope == scope, WeeklyReportRow.week == week,
                       WeeklyReportRow.status == "sending")
                .values(status="failed" if failed else "sent", sent_at=now, lease_until=None,
                        error="; ".join(failed)[:2000])
                .execution_options(synchronize_session=False))

    async def render(self, scope: str, week: str, now: datetime, fmt: str) -> str:
        """The same report on demand, as html, csv or json."""
        async with self._sessions() as session:
            summary = await weekly_summary(session, self._settings, scope, week, now)
        if fmt == "csv":
            return render_csv(summary)
        if fmt == "json":
            return render_json(summary)
        import base64

        from bot.reports.chart import sla_chart_png

        data = base64.b64encode(sla_chart_png(summary)).decode("ascii")
        return render_html(summary, chart_src=f"data:image/png;base64,{data}")


__all__ = ["WeeklyReporter", "due_week", "render_csv", "render_html", "render_json",
           "week_bounds", "weekly_summary"]
