"""Weekly SLA summaries: sent Monday 07:00 local, exactly once per academy-week.

The database decides who sends: a row per (scope, week) with a unique key is claimed before
sending, with a lease, so two processes never both send it and a process that died mid-send
lets another retry once the lease has run out.  A service that was down at 07:00 sends later
that week rather than never.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notify import DeliveryError, Notifier
from bot.reports.render import render_csv, render_html, render_json, report_message
from bot.reports.weekly import TRUST, iso_week, week_bounds, weekly_summary
from bot.settings import Settings
from bot.store.models import WeeklyReportRow
from bot.store.repository import audit, insert_ignore

log = logging.getLogger(__name__)
SEND_AT = time(7, 0)
LEASE = timedelta(minutes=10)
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
        """Send whatever is due; returns how many reports were sent."""
        sent = 0
        for scope, zone, recipients in self.scopes():
            week = due_week(now, zone)
            if week is None or not recipients:
                continue
            if await self._claim(scope, week, now):
                sent += await self._send(scope, week, recipients, now)
        return sent

    async def _claim(self, scope: str, week: str, now: datetime) -> bool:
        async with self._sessions.begin() as session:
            new = (await session.execute(insert_ignore(session, WeeklyReportRow).values(
                scope=scope, week=week, status="sending", attempts=1, lease_until=now + LEASE,
                error="", created_at=now).returning(WeeklyReportRow.__table__.c.id))).first()
            if new is not None:
                return True
            row = (await session.scalars(select(WeeklyReportRow).where(
                WeeklyReportRow.scope == scope, WeeklyReportRow.week == week))).one()
            if row.status != "sending" or (row.lease_until and row.lease_until > now):
                return False
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                return False
            taken = await session.execute(
                update(WeeklyReportRow).where(WeeklyReportRow.id == row.id,
                                              WeeklyReportRow.attempts == row.attempts)
                .values(attempts=row.attempts + 1, lease_until=now + LEASE)
                .execution_options(synchronize_session=False))
            return taken.rowcount == 1

    async def _send(self, scope: str, week: str, recipients: list[str], now: datetime) -> int:
        async with self._sessions() as session:
            summary = await weekly_summary(session, self._settings, scope, week, now,
                                           self._settings.service.web.public_url)
        message = report_message(summary)
        errors = []
        for key in recipients:
            person = self._settings.people[key]
            if not person.email:
                errors.append(f"{key}: no email address")
                continue
            try:
                await self._notifier.send("email", person, message)
            except DeliveryError as exc:
                errors.append(f"{key}: {exc}")
        delivered = len(errors) < len(recipients)
        async with self._sessions.begin() as session:
            row = (await session.scalars(select(WeeklyReportRow).where(
                WeeklyReportRow.scope == scope, WeeklyReportRow.week == week))).one()
            row.error = "; ".join(errors)[:2000]
            if delivered:
                row.status, row.sent_at, row.lease_until = "sent", now, None
            else:
                row.lease_until = now + timedelta(minutes=5)  # retried by a later sweep
            audit(session, now, "modbot", "weekly_report", None, scope=scope, week=week,
                  sent=delivered, errors=errors)
        return int(delivered)

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
