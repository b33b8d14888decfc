"""The weekly SLA summary: numbers per account, academy and trust for one ISO week.

Weeks are ISO weeks (Monday to Sunday) in the academy's local time, so a week across a clock
change has 167 or 169 hours.  Tickets are counted in the week they were received; a breach is
listed in the week the item was received and in the week its due time fell, so a Friday
complaint breached on Monday shows in both summaries.  Everything is plain JSON-safe data with
finite numbers; rendering is in :mod:`bot.reports.render`.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import (
    ActionRow,
    AlertRow,
    AuditRow,
    IngestFailureRow,
    ItemRow,
    TicketRow,
)

TRUST = "trust"
LIVE = ("open", "at_risk", "breached")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> tuple[int, int]:
    """``2026-W48`` -> (2026, 48); raises ValueError for anything else."""
    m = _WEEK.match(text.strip())
    if not m:
        raise ValueError(f"week must look like 2026-W48, not {text!r}")
    year, week = int(m.group(1)), int(m.group(2))
    date.fromisocalendar(year, week, 1)  # raises for week 53 of a 52-week year
    return year, week


def week_bounds(week: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) local, in UTC (so subtraction counts real hours)."""
    year, num = parse_week(week)
    monday = date.fromisocalendar(year, num, 1)
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def iso_week(d: date) -> str:
    """The ISO week containing ``d``."""
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if q == 0.5:
        return round(statistics.median(values), 2)
    ordered = sorted(values)
    return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 2)  # nearest rank


def metrics(tickets: list[TicketRow], now: datetime) -> dict[str, Any]:
    """SLA numbers for a set of tickets received in the week."""
    answered = [t for t in tickets if t.answered_at is not None]
    within = [t for t in answered if t.answered_at is not None and t.answered_at <= t.due_at]
    hours = [(t.answered_at - t.received_at).total_seconds() / 3600 for t in answered
             if t.answered_at is not None]
    breached = [t for t in tickets if _is_breach(t, now)]
    return {
        "needing_response": len(tickets),
        "answered": len(answered),
        "answered_within_sla": len(within),
        "within_sla_percent": _pct(len(within), len(tickets)),
        "median_hours_to_answer": _hours(hours, 0.5),
        "p90_hours_to_answer": _hours(hours, 0.9),
        "breached": len(breached),
        "still_open": sum(1 for t in tickets if t.state in LIVE),
        "closed_without_answer": sum(1 for t in tickets if t.state == "closed"),
    }


def _is_breach(t: TicketRow, now: datetime) -> bool:
    if t.answered_at is not None:
        return t.answered_at > t.due_at
    return t.state in LIVE and t.due_at <= now


def _local(t: datetime | None, zone: ZoneInfo) -> str | None:
    return t.astimezone(zone).isoformat() if t else None


async def weekly_summary(session: AsyncSession, settings: Settings, scope: str, week: str,
                         now: datetime, public_url: str = "") -> dict[str, Any]:
    """The summary of ``scope`` (an academy key, or ``"trust"``) for ``week``."""
    if scope == TRUST:
        academies = list(settings.academies)
        name = settings.trust.name
    elif scope in settings.academies:
        academies = [scope]
        name = settings.academies[scope].name
    else:
        raise KeyError(f"no academy {scope!r}")
    zone = ZoneInfo(settings.academies[academies[0]].calendar.timezone)
    start_l, end_l = week_bounds(week, zone)
    start, end = start_l, end_l
    accounts = [(ak, ck, acc) for ak, ck, acc in settings.accounts() if ak in academies]
    keys = [ck for _, ck, _ in accounts]

    rows = (await session.execute(select(TicketRow, ItemRow).join(
        ItemRow, ItemRow.id == TicketRow.item_id).where(
        TicketRow.account.in_(keys),
        or_(and_(TicketRow.received_at >= start, TicketRow.received_at < end),
            and_(TicketRow.due_at >= start, TicketRow.due_at < end)))
        .order_by(TicketRow.received_at))).all()
    received = [(t, i) for t, i in rows if start <= t.received_at < end]
    breaches = [(t, i) for t, i in rows if _is_breach(t, now)
                and (start <= t.received_at < end or start <= t.due_at < end)]

    actions = (await session.scalars(select(ActionRow).where(
        ActionRow.account.in_(keys), ActionRow.kind.in_(("hide", "delete")),
        ActionRow.status == "done", ActionRow.done_at >= start, ActionRow.done_at < end))).all()
    alerts = (await session.scalars(select(AlertRow).where(
        AlertRow.academy.in_(academies), AlertRow.created_at >= start,
        AlertRow.created_at < end))).all()
    audits = (await session.execute(select(AuditRow, ItemRow).join(
        ItemRow, ItemRow.id == AuditRow.item_id, isouter=True).where(
        AuditRow.at >= start, AuditRow.at < end,
        AuditRow.event.in_(("item_restored", "coverage_gap", "alert_delivery_failed"))))).all()
    failures = (await session.scalars(select(IngestFailureRow).where(
        IngestFailureRow.account.in_(keys), IngestFailureRow.at >= start,
        IngestFailureRow.at < end))).all()

    per_account = []
    for ak, ck, acc in accounts:
        mine = [t for t, _ in received if t.account == ck]
        per_account.append({
            "academy": ak, "account": ck, "platform": acc.platform, **metrics(mine, now),
            "moderation_actions": sum(1 for a in actions if a.account == ck),
            "escalations": sum(1 for a in alerts if a.account == ck),
            "restores": sum(1 for e, i in audits
                            if e.event == "item_restored" and i is not None and i.account == ck),
        })
    acked = [a for a in alerts if a.acknowledged_at is not None]
    ack_minutes = [(a.acknowledged_at - a.created_at).total_seconds() / 60 for a in acked
                   if a.acknowledged_at is not None]
    summary: dict[str, Any] = {
        "scope": "trust" if scope == TRUST else "academy",
        "key": scope, "name": name, "trust": settings.trust.name, "week": week,
        "timezone": str(zone), "from": start_l.astimezone(zone).isoformat(),
        "to": end_l.astimezone(zone).isoformat(),
        "generated_at": _local(now, zone),
        "totals": metrics([t for t, _ in received], now),
        "accounts": per_account,
        "academies": [
            {"academy": ak, "name": settings.academies[ak].name,
             **metrics([t for t, _ in received if t.academy == ak], now)} for ak in academies
        ] if scope == TRUST else [],
        "breaches": [_ticket_row(t, i, zone, public_url) for t, i in breaches],
        "still_open": [_ticket_row(t, i, zone, public_url) for t, i in received
                       if t.state in LIVE],
        "moderation_by_label": dict(Counter(str(a.payload.get("label", "unknown"))
                                            for a in actions)),
        "escalations": {
            "alerts": len(alerts),
            "by_kind": dict(Counter(a.kind for a in alerts)),
            "acknowledged": len(acked),
            "unacknowledged": sum(1 for a in alerts if a.state == "open"),
            "median_minutes_to_acknowledge": (round(statistics.median(ack_minutes), 1)
                                              if ack_minutes else None),
            "reached_level_2_or_higher": sum(1 for a in alerts if a.level >= 2),
        },
        "restores": [
            {"item_id": e.item_id, "account": i.account if i else "", "by": e.actor,
             "label": e.data.get("label", ""), "at": _local(e.at, zone)}
            for e, i in audits if e.event == "item_restored"
        ],
        "gaps": {
            "coverage_problems": sorted({str(e.data.get("problem", "")) for e, _ in audits
                                         if e.event == "coverage_gap"
                                         and e.data.get("academy") in academies}),
            "failed_alert_deliveries": sum(1 for e, _ in audits
                                           if e.event == "alert_delivery_failed"),
            "unreadable_payloads": len(failures),
            "token_expired_alerts": sum(1 for a in alerts if a.kind == "token_expired"),
        },
    }
    return summary


def _ticket_row(t: TicketRow, i: ItemRow, zone: ZoneInfo, public_url: str = "") -> dict[str, Any]:
    link = i.permalink  # the platform's own link; the service serves no item pages yet
    return {
        "ticket_id": t.id, "item_id": i.id, "account": t.account, "label": t.label,
        "author": i.author_name, "text": i.text[:200], "link": link,
        "platform_id": i.external_id, "received": _local(t.received_at, zone),
        "due": _local(t.due_at, zone), "answered": _local(t.answered_at, zone),
        "state": t.state,
        "hours_late": (round((t.answered_at - t.due_at).total_seconds() / 3600, 2)
                       if t.answered_at is not None and t.answered_at > t.due_at else None),
    }
