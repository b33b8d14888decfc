"""The SLA clock of DESIGN §4: when a response to an item falls due, and when it becomes at risk.

The rule is a contract, so this module implements it literally and nothing more:

- if ``r`` lies in a working window and so does ``r + response_hours`` (elapsed hours, so
  computed in UTC) the item is due at ``r + response_hours``;
- otherwise it is due at the close of the first working window whose opening is strictly
  later than ``r``.

All arithmetic is done in UTC because adding hours to a datetime in a zone with
daylight saving adds wall-clock hours, not elapsed ones.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from bot.calendar import WorkingCalendar

#: Default lead time before due at which a ticket counts as at risk (DESIGN §4).
DEFAULT_AT_RISK_HOURS = 4.0


def due_at(received: datetime, cal: WorkingCalendar) -> datetime:
    """When a response to an item received at ``received`` is due, in the academy's zone."""
    r_utc = _require_aware(received, "received")
    later = r_utc + timedelta(hours=cal.response_hours)
    if cal.in_window(r_utc) and cal.in_window(later):
        return later.astimezone(cal.zone)
    _, closes = cal.next_window_opening_after(r_utc)
    return closes.astimezone(cal.zone)


def at_risk_at(due: datetime, at_risk_hours: float = DEFAULT_AT_RISK_HOURS) -> datetime:
    """The instant ``at_risk_hours`` elapsed hours before ``due``, shown in ``due``'s zone."""
    due_utc = _require_aware(due, "due")
    hours = float(at_risk_hours)
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"at_risk_hours must be a non-negative number, not {at_risk_hours!r}")
    return (due_utc - timedelta(hours=hours)).astimezone(due.tzinfo)


def _require_aware(t: datetime, name: str) -> datetime:
    """``t`` in UTC; a naive time has no defined instant, so it is refused."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} {t.isoformat()} is naive; give a datetime with a UTC offset")
    return t.astimezone(UTC)
