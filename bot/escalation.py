"""Escalation ladders (DESIGN §5): deliver each alert step once, climb until acknowledged.

An alert row's ``level`` counts the steps already taken and ``next_step_at`` says when the next
one is due.  A sweep takes a due step in one transaction: it moves ``level`` on only if nobody
else did (a conditional UPDATE, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and writes one
delivery row per person and channel under a unique key.  Delivery rows are then leased, sent and
recorded, and retried with back-off on failure.  So several processes sharing a database send
each step exactly once, and a restart in the middle of a wait simply finds the step due later.

Ladders: ordinary alerts start with their audience and climb the account's ladder; "at risk"
starts at level 1 and "breached" at level 2; safeguarding starts at the DSL level (or the rota
out of hours) with a short wait and adds the headteacher.  When the item is an allegation about
the head (its assessment is tagged ``about_head``) the head is taken out of every rung, even as a
delegate, and the chair of governors (then the trust's admins) stands in.  The last level repeats
until acknowledged.

Sending claims one delivery at a time, most urgent first, with a lease longer than one send can
take, and records the outcome only if the claim (its attempt counter) is still the current one.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ack import AckLinks
from bot.alerts import Rung, about_head, build_ladder, cover, retry_backoff, without_head
from bot.calendar_config import CalendarBook
from bot.coverage import safeguarding_people
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
SEND_LEASE = timedelta(minutes=5)  # at least this; longer when the mail timeout is long
# An SMTP send is connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA: each may take the timeout.
SMTP_ROUND_TRIPS = 8
URGENCY = {"urgent": 0, "high": 1}



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
        timeout = getattr(getattr(settings.service, "mail", None), "timeout_seconds", 30)
        self.lease = max(SEND_LEASE, timedelta(seconds=SMTP_ROUND_TRIPS * float(timeout) + 60))

    # ---- ladders -----------------------------------------------------------------------------

    def ladder(self, alert: AlertRow, now: datetime, barred: bool = False) -> list[Rung]:
        """The rungs this alert climbs; the last one repeats.  ``barred``: about the head."""
        return build_ladder(self._settings, alert, barred, lambda: safeguarding_people(
            self._settings, alert.academy, self._calendars.get(alert.academy), now))

    def rung(self, alert: AlertRow, step: int, now: datetime, barred: bool = False) -> Rung:
        """The rung of step ``step`` (0-based; past the top the last rung repeats)."""
        ladder = self.ladder(alert, now, barred)
        return ladder[min(step, len(ladder) - 1)]

    def _resolve(self, alert: AlertRow, keys: tuple[str, ...], now: datetime, barred: bool
                 ) -> tuple[list[str], list[str]]:
        return cover(self._settings, alert.academy, keys, self._day(alert, now), barred)


    def _day(self, alert: AlertRow, now: datetime) -> date:
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
                barred = await about_head(session, alert.item_id, alert.ticket_id)
                rung = self.rung(alert, step, now, barred)
                moved = await session.execute(
                    update(AlertRow)
                    .where(AlertRow.id == alert.id, AlertRow.level == step,
                           AlertRow.state == "open")
                    .values(level=step + 1, next_step_at=now + rung.wait)
                    .execution_options(synchronize_session=False))
                if moved.rowcount != 1:
                    continue  # another worker took this step
                reached = await self._queue_step(session, alert, step, rung, now, barred)
                if not reached:  # nobody at this level can be reached: climb at once
                    await session.execute(update(AlertRow).where(AlertRow.id == alert.id)
                                          .values(next_step_at=now)
                                          .execution_options(synchronize_session=False))
                taken += 1
        return taken

    async def _queue_step(self, session: AsyncSession, alert: AlertRow, step: int, rung: Rung,
                          now: datetime, barred: bool) -> int:
        people, uncovered = self._resolve(alert, rung.people, now, barred)
        reachable = 0
        unreachable = list(uncovered)
        for key in people:
            channels = self._notifier.channels(self._settings.people[key], alert.academy)
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
            await self._queue_notice(session, alert, step, now, barred)
        return reachable

    async def _queue_notice(self, session: AsyncSession, alert: AlertRow, step: int,
                            now: datetime, barred: bool) -> None:
        """Tell the next level that somebody at ``step`` could not be reached."""
        rung = self.rung(alert, step + 1, now, barred)
        people, _ = self._resolve(alert, rung.people, now, barred)
        told_now = {d.person for d in (await session.scalars(select(AlertDeliveryRow).where(
            AlertDeliveryRow.alert_id == alert.id, AlertDeliveryRow.step == step))).all()}
        targets = [p for p in people if p not in told_now] or list(self._settings.trust.admins)
        if barred:
            targets = without_head(self._settings, alert.academy, targets)
        for key in targets:
            for channel in self._notifier.channels(self._settings.people[key], alert.academy):
                await session.execute(insert_ignore(session, AlertDeliveryRow).values(
                    alert_id=alert.id, step=-(step + 1), person=key, channel=channel,
                    status="pending", attempts=0, error="", created_at=now,
                    next_attempt_at=now))

    async def _deliver(self, now: datetime, limit: int = 50) -> int:
        """Send up to ``limit`` due deliveries, claiming each just before it is sent."""
        started = time.monotonic()
        attempted = 0
        while attempted < limit:
            claim = await self._claim_next(now, self._lease_start(now, started))
            if claim is None:
                return attempted
            attempted += 1
            row_id, person, channel, version, view = claim
            try:
                await self._notifier.send(channel, self._settings.people[person],
                                          render_alert(view))
            except (DeliveryError, KeyError) as exc:
                final = getattr(exc, "permanent", True) or version >= self._max_attempts
                await self._record_failure(row_id, version, now, str(exc), final)
            except Exception as exc:  # noqa: BLE001 - one bad delivery must not stop the rest
                # The message may quote the comment: log only what failed, never the text.
                log.warning("alert delivery %s on %s failed: %s", row_id, channel,
                            type(exc).__name__)
                await self._record_failure(row_id, version, now, type(exc).__name__,
                                           version >= self._max_attempts)
            else:
                await self._record_sent(row_id, version, now)
        return attempted

    def _lease_start(self, now: datetime, started: float) -> datetime:
        """``now`` moved on by the time this sweep has spent, or the clock's time if later."""
        at = now + timedelta(seconds=time.monotonic() - started)
        clock_now = getattr(self._clock, "now", None)
        later = clock_now() if callable(clock_now) else None
        return max(at, later) if isinstance(later, datetime) else at

    async def _claim_next(self, now: datetime, lease_from: datetime
                          ) -> tuple[int, str, str, int, AlertView] | None:
        """Claim the most urgent due delivery; None when nothing is due."""
        for _ in range(20):  # skip rows another worker claimed first
            async with self._sessions.begin() as session:
                stmt = (select(AlertDeliveryRow)
                        .join(AlertRow, AlertRow.id == AlertDeliveryRow.alert_id)
                        .where(AlertDeliveryRow.status.in_(("pending", "sending")),
                               AlertDeliveryRow.next_attempt_at <= now,
                               or_(AlertDeliveryRow.lease_until.is_(None),
                                   AlertDeliveryRow.lease_until <= lease_from))
                        .order_by(case(URGENCY, value=AlertRow.severity, else_=2),
                                  AlertDeliveryRow.id).limit(1))
                if session.bind is not None and session.bind.dialect.name == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True, of=AlertDeliveryRow)
                row = (await session.scalars(stmt)).first()
                if row is None:
                    return None
                alert = await session.get(AlertRow, row.alert_id)
                if alert is None or alert.state != "open":
                    await session.execute(
                        update(AlertDeliveryRow).where(AlertDeliveryRow.id == row.id,
                                                       AlertDeliveryRow.status == row.status)
                        .values(status="cancelled").execution_options(synchronize_session=False))
                    continue
                # A conditional claim: the attempt counter is the row's version, so two
                # workers (even on SQLite, whose driver reads outside the transaction)
                # never both send it, and a late sender cannot overwrite a newer claim.
                claimed = await session.execute(
                    update(AlertDeliveryRow)
                    .where(AlertDeliveryRow.id == row.id,
                           AlertDeliveryRow.attempts == row.attempts,
                           AlertDeliveryRow.status.in_(("pending", "sending")))
                    .values(status="sending", attempts=row.attempts + 1,
                            lease_until=lease_from + self.lease)
                    .execution_options(synchronize_session=False))
                if claimed.rowcount != 1:
                    continue
                view = await self._view(session, alert, row, now)
                return row.id, row.person, row.channel, row.attempts + 1, view
        return None

    async def _current(self, session: AsyncSession, row_id: int, version: int
                       ) -> AlertDeliveryRow | None:
        """The row if our claim is still the current one (no other worker took it over)."""
        stmt = for_update(session, select(AlertDeliveryRow).where(
            AlertDeliveryRow.id == row_id, AlertDeliveryRow.attempts == version,
            AlertDeliveryRow.status == "sending"))
        row = (await session.scalars(stmt)).first()
        if row is None:
            log.warning("alert delivery %s was taken over by another worker; not recorded",
                        row_id)
        return row

    async def _record_sent(self, row_id: int, version: int, now: datetime) -> None:
        async with self._sessions.begin() as session:
            row = await self._current(session, row_id, version)
            if row is not None:
                row.status, row.sent_at, row.lease_until, row.error = "sent", now, None, ""
                audit(session, now, "modbot", "alert_sent", None, alert_id=row.alert_id,
                      step=row.step, person=row.person, channel=row.channel)

    async def _record_failure(self, row_id: int, version: int, now: datetime, error: str,
                              final: bool) -> None:
        async with self._sessions.begin() as session:
            row = await self._current(session, row_id, version)
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
            barred = await about_head(session, alert.item_id, alert.ticket_id)
            await self._queue_notice(session, alert, row.step, now, barred)

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
        ladder = self.ladder(alert, now, await about_head(session, alert.item_id, alert.ticket_id))
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

    @property
    def settings(self) -> Settings:
        """The settings this escalator routes by (names and zones for display)."""
        return self._settings

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
