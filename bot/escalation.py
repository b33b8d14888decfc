"""Escalation ladders (DESIGN §5): deliver each alert step once, climb until acknowledged.

An alert row's ``level`` counts the steps already taken and ``next_step_at`` says when the next
one is due.  A sweep takes a due step in one transaction: it moves ``level`` on only if nobody
else did (a conditional UPDATE, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and writes one
delivery row per person and channel under a unique key.  Delivery rows are then leased, sent and
recorded, and retried with back-off on failure.  So several processes sharing a database send
each step exactly once, and a restart in the middle of a wait simply finds the step due later.

Ladders: ordinary alerts start with their audience and climb the account's ladder; "at risk"
starts at level 1 and "breached" at level 2; safeguarding starts at the DSL level (or the rota
out of hours) with a short wait and adds the headteacher (never when the chair was told, which
means the allegation is about the head).  The last level repeats until acknowledged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ack import AckLinks
from bot.calendar_config import CalendarBook
from bot.coverage import resolve_people, safeguarding_people
from bot.notify import DeliveryError, Notifier
from bot.notify.render import AlertView, render_alert
from bot.settings import Settings
from bot.store.models import (
    AcknowledgementRow,
    AlertDeliveryRow,
    AlertRow,
    ItemRow,
    TicketRow,
)
from bot.store.repository import audit, for_update, insert_ignore

log = logging.getLogger(__name__)
ADMIN_KINDS = frozenset({"token_expired", "coverage", "credentials_rotation"})
SEND_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Rung:
    """One level of an alert's ladder: who (config keys, before delegation) and the wait."""

    people: tuple[str, ...]
    wait: timedelta


def retry_backoff(attempts: int) -> timedelta:
    """Wait before resending after ``attempts`` failures: 1, 2, 4... minutes, at most 15."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 15))


class Escalator:
    """Delivers due alert steps, climbs ladders and records acknowledgements."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        notifier: Notifier,
        clock: object,
        ack_links: AckLinks,
        calendars: CalendarBook | None = None,
        max_attempts: int = 5,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier
        self._clock = clock
        self._links = ack_links
        self._calendars = calendars or CalendarBook(settings)
        self._max_attempts = max_attempts

    # ---- ladders -----------------------------------------------------------------------------

    def ladder(self, alert: AlertRow, now: datetime) -> list[Rung]:
        """The rungs this alert climbs; the last one repeats."""
        s = self._settings
        academy = s.academies.get(alert.academy)
        if academy is None:
            return [Rung(tuple(s.trust.admins), timedelta(hours=4))]
        audience = tuple(str(p) for p in alert.audience)
        if alert.kind in ADMIN_KINDS:
            return [Rung(audience or tuple(s.trust.admins), timedelta(hours=4))]
        if alert.kind == "safeguarding":
            wait = timedelta(minutes=academy.safeguarding_wait_minutes)
            first = audience
            if set(audience) == set(academy.dsl):
                first = tuple(safeguarding_people(
                    s, alert.academy, self._calendars.get(alert.academy), now))
            second = list(dict.fromkeys([*first, *academy.dsl]))
            head = academy.headteacher
            if head and academy.chair_of_governors not in audience:
                second.append(head)
            return [Rung(first, wait), Rung(tuple(dict.fromkeys(second)), wait)]
        account = academy.accounts.get(alert.account)
        levels = [Rung(tuple(lv.people), timedelta(minutes=lv.wait_minutes))
                  for lv in (account.levels() if account else ())]
        if not levels:
            return [Rung(audience or tuple(s.trust.admins), timedelta(minutes=30))]
        if alert.kind == "sla_at_risk":
            return levels
        if alert.kind == "sla_breached":
            return levels[min(1, len(levels) - 1):]
        return [Rung(audience or levels[0].people, levels[0].wait), *levels[1:]]

    def rung(self, alert: AlertRow, step: int, now: datetime) -> Rung:
        """The rung of step ``step`` (0-based; past the top the last rung repeats)."""
        ladder = self.ladder(alert, now)
        return ladder[min(step, len(ladder) - 1)]

    def _day(self, alert: AlertRow, now: datetime):  # noqa: ANN202 - a date
        academy = self._settings.academies.get(alert.academy)
        zone = ZoneInfo(academy.calendar.timezone if academy else "Europe/London")
        return now.astimezone(zone).date()

    # ---- sweep -------------------------------------------------------------------------------

    async def sweep(self, now: datetime) -> int:
        """Take due steps and send due deliveries; returns how many messages were attempted."""
        try:
            await self._take_steps(now)
        except DBAPIError:
            log.warning("another worker is taking alert steps; trying again next sweep")
        try:
            return await self._deliver(now)
        except DBAPIError:
            log.warning("another worker is sending; trying again next sweep")
            return 0

    async def _take_steps(self, now: datetime, limit: int = 50) -> int:
        taken = 0
        async with self._sessions.begin() as session:
            stmt = (select(AlertRow)
                    .where(AlertRow.state == "open", AlertRow.next_step_at <= now)
                    .order_by(AlertRow.next_step_at, AlertRow.id).limit(limit))
            for alert in (await session.scalars(for_update(session, stmt))).all():
                step = alert.level
                rung = self.rung(alert, step, now)
                moved = await session.execute(
                    update(AlertRow)
                    .where(AlertRow.id == alert.id, AlertRow.level == step,
                           AlertRow.state == "open")
                    .values(level=step + 1, next_step_at=now + rung.wait)
                    .execution_options(synchronize_session=False))
                if moved.rowcount != 1:
                    continue  # another worker took this step
                reached = await self._queue_step(session, alert, step, rung, now)
                if not reached:  # nobody at this level can be reached: climb at once
                    await session.execute(update(AlertRow).where(AlertRow.id == alert.id)
                                          .values(next_step_at=now)
                                          .execution_options(synchronize_session=False))
                taken += 1
        return taken

    async def _queue_step(self, session: AsyncSession, alert: AlertRow, step: int, rung: Rung,
                          now: datetime) -> int:
        people, uncovered = resolve_people(self._settings, rung.people, self._day(alert, now))
        reachable = 0
        unreachable = list(uncovered)
        for key in people:
            channels = self._notifier.channels(self._settings.people[key])
            if not channels:
                unreachable.append(key)
            for channel in channels or ["none"]:
                failed = channel == "none"
                await session.execute(insert_ignore(session, AlertDeliveryRow).values(
                    alert_id=alert.id, step=step, person=key, channel=channel,
                    status="failed" if failed else "pending", attempts=0,
                    error="no working channel" if failed else "", created_at=now,
                    next_attempt_at=None if failed else now))
            reachable += bool(channels)
        audit(session, now, "modbot", "alert_step", alert.item_id, alert_id=alert.id, step=step,
              people=people, unreachable=unreachable)
        if unreachable and reachable:
            await self._queue_notice(session, alert, step, now)
        return reachable

    async def _queue_notice(self, session: AsyncSession, alert: AlertRow, step: int,
                            now: datetime) -> None:
        """Tell the next level that somebody at ``step`` could not be reached."""
        rung = self.rung(alert, step + 1, now)
        people, _ = resolve_people(self._settings, rung.people, self._day(alert, now))
        told_now = {d.person for d in (await session.scalars(select(AlertDeliveryRow).where(
            AlertDeliveryRow.alert_id == alert.id, AlertDeliveryRow.step == step))).all()}
        targets = [p for p in people if p not in told_now] or list(self._settings.trust.admins)
        for key in targets:
            for channel in self._notifier.channels(self._settings.people[key]):
                await session.execute(insert_ignore(session, AlertDeliveryRow).values(
                    alert_id=alert.id, step=-(step + 1), person=key, channel=channel,
                    status="pending", attempts=0, error="", created_at=now,
                    next_attempt_at=now))

    async def _deliver(self, now: datetime, limit: int = 50) -> int:
        async with self._sessions.begin() as session:
            stmt = (select(AlertDeliveryRow)
                    .where(AlertDeliveryRow.status.in_(("pending", "sending")),
                           AlertDeliveryRow.next_attempt_at <= now,
                           or_(AlertDeliveryRow.lease_until.is_(None),
                               AlertDeliveryRow.lease_until <= now))
                    .order_by(AlertDeliveryRow.id).limit(limit))
            rows = list((await session.scalars(for_update(session, stmt))).all())
            work = []
            for row in rows:
                alert = await session.get(AlertRow, row.alert_id)
                if alert is None or alert.state != "open":
                    await session.execute(
                        update(AlertDeliveryRow).where(AlertDeliveryRow.id == row.id,
                                                       AlertDeliveryRow.status == row.status)
                        .values(status="cancelled").execution_options(synchronize_session=False))
                    continue
                # A conditional claim: the attempt counter is the row's version, so two
                # workers (even on SQLite, whose driver reads outside the transaction)
                # never both send it.
                claimed = await session.execute(
                    update(AlertDeliveryRow)
                    .where(AlertDeliveryRow.id == row.id,
                           AlertDeliveryRow.attempts == row.attempts,
                           AlertDeliveryRow.status.in_(("pending", "sending")))
                    .values(status="sending", attempts=row.attempts + 1,
                            lease_until=now + SEND_LEASE)
                    .execution_options(synchronize_session=False))
                if claimed.rowcount != 1:
                    continue
                work.append((row.id, row.person, row.channel, row.attempts + 1,
                             await self._view(session, alert, row, now)))
        for row_id, person, channel, attempts, view in work:
            try:
                await self._notifier.send(channel, self._settings.people[person],
                                          render_alert(view))
            except (DeliveryError, KeyError) as exc:
                permanent = getattr(exc, "permanent", True)
                await self._record_failure(row_id, now, str(exc), permanent
                                           or attempts >= self._max_attempts)
            else:
                await self._record_sent(row_id, now)
        return len(work)

    async def _record_sent(self, row_id: int, now: datetime) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AlertDeliveryRow, row_id)
            if row is not None:
                row.status, row.sent_at, row.lease_until, row.error = "sent", now, None, ""
                audit(session, now, "modbot", "alert_sent", None, alert_id=row.alert_id,
                      step=row.step, person=row.person, channel=row.channel)

    async def _record_failure(self, row_id: int, now: datetime, error: str, final: bool) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AlertDeliveryRow, row_id)
            if row is None:
                return
            row.error, row.lease_until = error[:2000], None
            if not final:
                row.status, row.next_attempt_at = "pending", now + retry_backoff(row.attempts)
                return
            row.status = "failed"
            audit(session, now, "modbot", "alert_delivery_failed", None, alert_id=row.alert_id,
                  step=row.step, person=row.person, channel=row.channel, error=error[:300])
            await session.flush()
            await self._after_final_failure(session, row, now)

    async def _after_final_failure(self, session: AsyncSession, row: AlertDeliveryRow,
                                   now: datetime) -> None:
        if row.step < 0:
            return
        same_step = (await session.scalars(select(AlertDeliveryRow).where(
            AlertDeliveryRow.alert_id == row.alert_id, AlertDeliveryRow.step == row.step))).all()
        mine = [d for d in same_step if d.person == row.person]
        if any(d.status != "failed" for d in mine):
            return  # another channel may still reach this person
        alert = await session.get(AlertRow, row.alert_id)
        if alert is None or alert.state != "open":
            return
        if all(d.status == "failed" for d in same_step):
            alert.next_step_at = now  # nobody at this level was reached: climb now
        else:
            await self._queue_notice(session, alert, row.step, now)

    # ---- views -------------------------------------------------------------------------------

    async def _view(self, session: AsyncSession, alert: AlertRow, row: AlertDeliveryRow,
                    now: datetime) -> AlertView:
        s = self._settings
        academy = s.academies.get(alert.academy)
        zone = ZoneInfo(academy.calendar.timezone if academy else "Europe/London")
        fmt = "%a %d %b %Y %H:%M %Z"
        item = await session.get(ItemRow, alert.item_id) if alert.item_id else None
        ticket = await session.get(TicketRow, alert.ticket_id) if alert.ticket_id else None
        step = row.step if row.step >= 0 else -row.step - 1
        before = (await session.scalars(select(AlertDeliveryRow).where(
            AlertDeliveryRow.alert_id == alert.id,
            AlertDeliveryRow.step == (step if row.step < 0 else step - 1)))).all()
        by_person: dict[str, list[str]] = {}
        for d in before:
            by_person.setdefault(d.person, []).append(d.status)
        unreachable = tuple(s.people[p].name if p in s.people else p
                            for p, st in by_person.items() if all(x == "failed" for x in st))
        previous = tuple(s.people[p].name if p in s.people else p for p in by_person)
        ladder = self.ladder(alert, now)
        return AlertView(
            alert_id=alert.id, kind=alert.kind, severity=alert.severity, summary=alert.summary,
            academy=academy.name if academy else alert.academy, account=alert.account,
            ack_url=self._links.url(alert.id, row.person),
            recipient=s.people[row.person].name if row.person in s.people else row.person,
            level=min(step, len(ladder) - 1) + 1 + self._start_offset(alert),
            raised_at=alert.created_at.astimezone(zone).strftime(fmt),
            item_text=item.text if item else "", item_author=item.author_name if item else "",
            item_link=item.permalink if item else "",
            item_time=item.created_at.astimezone(zone).strftime(fmt) if item else "",
            due_at=ticket.due_at.astimezone(zone).strftime(fmt) if ticket else "",
            unreachable=unreachable if (row.step < 0 or unreachable) else (),
            escalated_from=previous if step > 0 else (),
        )

    def _start_offset(self, alert: AlertRow) -> int:
        return 1 if alert.kind == "sla_breached" else 0

    # ---- acknowledgement ---------------------------------------------------------------------

    async def acknowledge(self, alert_id: int, person: str, via: str, now: datetime) -> bool:
        """Record who acknowledged and stop the climb for everyone; False if already done."""
        async with self._sessions.begin() as session:
            alert = await session.get(AlertRow, alert_id)
            if alert is None:
                return False
            inserted = (await session.execute(
                insert_ignore(session, AcknowledgementRow)
                .values(alert_id=alert_id, person=person, via=via, at=now)
                .returning(AcknowledgementRow.__table__.c.id))).first()
            if inserted is None:
                return False
            await session.execute(
                update(AlertRow).where(AlertRow.id == alert_id)
                .values(state="acknowledged", acknowledged_at=now, next_step_at=None)
                .execution_options(synchronize_session=False))
            await session.execute(
                update(AlertDeliveryRow)
                .where(AlertDeliveryRow.alert_id == alert_id,
                       AlertDeliveryRow.status == "pending")
                .values(status="cancelled").execution_options(synchronize_session=False))
            audit(session, now, person, "alert_acknowledged", alert.item_id, alert_id=alert_id,
                  via=via, kind=alert.kind, level=alert.level)
        return True

    async def status(self, alert_id: int) -> tuple[AlertRow, AcknowledgementRow | None,
                                                    ItemRow | None] | None:
        """The alert, its acknowledgement and its item, for the acknowledge page."""
        async with self._sessions() as session:
            alert = await session.get(AlertRow, alert_id)
            if alert is None:
                return None
            ack = (await session.scalars(select(AcknowledgementRow).where(
                AcknowledgementRow.alert_id == alert_id))).first()
            item = await session.get(ItemRow, alert.item_id) if alert.item_id else None
            return alert, ack, item

    async def next_wakeup(self) -> datetime | None:
        """The earliest time a step or a retry is due (to arm a one-off timer at start-up)."""
        async with self._sessions() as session:
            a = (await session.scalars(select(AlertRow.next_step_at).where(
                AlertRow.state == "open", AlertRow.next_step_at.is_not(None))
                .order_by(AlertRow.next_step_at).limit(1))).first()
            d = (await session.scalars(select(AlertDeliveryRow.next_attempt_at).where(
                AlertDeliveryRow.status == "pending").order_by(
                AlertDeliveryRow.next_attempt_at).limit(1))).first()
        found = [t for t in (a, d) if t is not None]
        return min(found) if found else None

