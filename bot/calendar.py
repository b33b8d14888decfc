"""An academy's working calendar: the working windows that the SLA rule (DESIGN §4) counts in.

A working window is [open, close] on a working day in the academy's local time, both bounds
included.  A day is a working day when it is one of the configured weekdays, not a UK bank
holiday of the academy's region (from the ``holidays`` package) and not one of the academy's
own closures (school holidays, INSET days).

Every comparison between instants is made in UTC: Python compares two datetimes that share a
``tzinfo`` object by wall-clock time, which is wrong across a daylight-saving change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import icalendar

#: The UK regions an academy may sit in; the ``holidays`` package uses the same ISO 3166-2
#: subdivision codes for ``GB``/``UK`` (England, Wales, Scotland, Northern Ireland).
REGIONS: tuple[str, ...] = ("ENG", "WLS", "SCT", "NIR")

#: Case-insensitive fragments of an iCalendar SUMMARY that mark a closure.
DEFAULT_CLOSURE_KEYWORDS: tuple[str, ...] = (
    "holiday",
    "half term",
    "half-term",
    "inset",
    "closed",
    "closure",
)

#: How far ahead to look for the next working window before deciding there is none.
_SEARCH_HORIZON_DAYS = 3660

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class WorkingCalendar:
    """One academy's working days and hours; immutable so it can be shared between tasks."""

    timezone: str = "Europe/London"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    region: str = "ENG"
    closures: tuple[tuple[date, date], ...] = ()
    response_hours: float = 24.0
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    # Per-instance cache of bank holidays by year: the lookup is slow and the calendar is fixed.
    _holidays: dict[int, frozenset[date]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        """Validate and normalise settings so that a bad calendar fails when it is built."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        object.__setattr__(self, "_zone", zone)

        region = str(self.region).upper()
        if region not in REGIONS:
            raise ValueError(
                f"unknown region {self.region!r}; expected one of {', '.join(REGIONS)}"
            )
        object.__setattr__(self, "region", region)

        days = frozenset(self.working_days)
        if not days:
            raise ValueError("working_days must name at least one day")
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValueError("working_days must be integers from 0 (Monday) to 6 (Sunday)")
        object.__setattr__(self, "working_days", days)

        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local wall-clock times without a zone")
        if not self.opens < self.closes:
            raise ValueError(
                f"opening time {self.opens:%H:%M} must be before closing time {self.closes:%H:%M}"
            )

        closures = tuple((start, end) for start, end in self.closures)
        for start, end in closures:
            if isinstance(start, datetime) or isinstance(end, datetime):
                raise ValueError("closures are ranges of dates, not datetimes")
            if end < start:
                raise ValueError(f"closure {start}..{end} ends before it starts")
        object.__setattr__(self, "closures", closures)

        hours = float(self.response_hours)
        if not math.isfinite(hours) or hours <= 0:
            raise ValueError(f"response_hours must be positive, not {self.response_hours!r}")
        object.__setattr__(self, "response_hours", hours)

    @property
    def zone(self) -> ZoneInfo:
        """The academy's time zone, in which windows are laid out and due times shown."""
        return self._zone

    def bank_holidays(self, year: int) -> frozenset[date]:
        """The region's bank holidays (substitute days included) in ``year``."""
        cached = self._holidays.get(year)
        if cached is None:
            found = holidays.country_holidays("GB", subdiv=self.region, years=year)
            cached = frozenset(found.keys())
            self._holidays[year] = cached
        return cached

    def is_closed(self, d: date) -> bool:
        """Whether ``d`` falls in one of the academy's own closures."""
        return any(start <= d <= end for start, end in self.closures)

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working weekday that is neither a bank holiday nor a closure."""
        return (
            d.weekday() in self.working_days
            and d not in self.bank_holidays(d.year)
            and not self.is_closed(d)
        )

    def window(self, d: date) -> tuple[datetime, datetime] | None:
        """The working window on local date ``d`` as aware datetimes, or None on a day off.

        A wall-clock time skipped by a spring-forward change is moved on by the gap, and an
        ambiguous one during fall-back is taken at its first occurrence (zoneinfo's ``fold=0``).
        """
        if not self.is_working_day(d):
            return None
        return self._local(d, self.opens), self._local(d, self.closes)

    def in_window(self, t: datetime) -> bool:
        """Whether instant ``t`` lies in a working window, both bounds included."""
        t_utc = _as_utc(t)
        bounds = self.window(t_utc.astimezone(self._zone).date())
        if bounds is None:
            return False
        opens, closes = bounds
        return _as_utc(opens) <= t_utc <= _as_utc(closes)

    def next_window_opening_after(self, t: datetime) -> tuple[datetime, datetime]:
        """The first working window whose opening is strictly later than instant ``t``."""
        t_utc = _as_utc(t)
        day = t_utc.astimezone(self._zone).date()
        for _ in range(_SEARCH_HORIZON_DAYS):
            bounds = self.window(day)
            if bounds is not None and _as_utc(bounds[0]) > t_utc:
                return bounds
            day += timedelta(days=1)
        raise ValueError(
            f"no working window within {_SEARCH_HORIZON_DAYS} days after {t.isoformat()}"
        )

    def _local(self, d: date, wall: time) -> datetime:
        """``d`` at wall-clock ``wall`` in the zone as a real instant.

        An ambiguous time (clocks going back) is taken at its first occurrence.  A time that
        does not exist (clocks going forward) becomes the instant the clocks jump, so that a
        window's opening never comes after its closing.
        """
        first = datetime.combine(d, wall, tzinfo=self._zone)
        if first.astimezone(UTC).astimezone(self._zone).replace(tzinfo=None) == first.replace(
            tzinfo=None
        ):
            return first.astimezone(UTC).astimezone(self._zone)
        return _gap_end(first, self._zone)


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant a spring-forward gap containing the nonexistent local time ``wall`` ends.

    Read with the offset before the gap (``fold=0``) the wall time falls after the jump, read
    with the offset after it (``fold=1``) before; the jump is found between them by bisection
    to the second, at which all real transitions occur.
    """
    before = wall.replace(fold=1).astimezone(UTC)
    after = wall.replace(fold=0).astimezone(UTC)
    if after < before:
        before, after = after, before
    old_offset = before.astimezone(zone).utcoffset()
    one_second = timedelta(seconds=1)
    while after - before > one_second:
        mid = before + (after - before) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).utcoffset() == old_offset:
            before = mid
        else:
            after = mid
    return after.astimezone(zone)


def _as_utc(t: datetime) -> datetime:
    """``t`` in UTC, refusing naive datetimes whose instant would be a guess."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"datetime {t.isoformat()} has no time zone; give an aware datetime")
    return t.astimezone(UTC)


def parse_closure(text: str) -> tuple[date, date]:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` into an inclusive date range."""
    raw = text.strip()
    parts = raw.split("..")
    if len(parts) > 2 or not all(_ISO_DATE.fullmatch(p.strip()) for p in parts):
        raise ValueError(f"invalid closure {text!r}: expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")
    try:
        days = [date.fromisoformat(p.strip()) for p in parts]
    except ValueError as exc:
        raise ValueError(f"invalid closure {text!r}: {exc}") from exc
    start, end = days[0], days[-1]
    if end < start:
        raise ValueError(f"invalid closure {text!r}: it ends before it starts")
    return start, end


def closures_from_ics(
    path: str | Path,
    keywords: Iterable[str] | None = DEFAULT_CLOSURE_KEYWORDS,
    timezone_name: str = "Europe/London",
) -> tuple[tuple[date, date], ...]:
    """Import closures from the events of an iCalendar file, such as a school's term dates.

    Only events whose SUMMARY contains one of ``keywords`` (case-insensitive) are kept;
    ``None`` keeps every event.  All-day events end the day before their exclusive DTEND;
    timed events cover the local dates (in ``timezone_name``) they touch, an end at exactly
    midnight not counting the day it starts.  Cancelled events are skipped and recurrence
    rules are not expanded (only the first occurrence counts).  Ranges come back sorted.
    """
    zone = ZoneInfo(timezone_name)
    wanted = None if keywords is None else tuple(k.casefold() for k in keywords)
    try:
        cal = icalendar.Calendar.from_ical(Path(path).read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path}: not a valid iCalendar file: {exc}") from exc
    found: set[tuple[date, date]] = set()
    for event in cal.walk("VEVENT"):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        summary = str(event.get("SUMMARY", "")).casefold()
        if wanted is not None and not any(k in summary for k in wanted):
            continue
        span = _event_dates(event, zone)
        if span is not None:
            found.add(span)
    return tuple(sorted(found))


def _event_dates(event: icalendar.Component, zone: ZoneInfo) -> tuple[date, date] | None:
    """The inclusive local dates one VEVENT covers, or None when it has no usable start."""
    if "DTSTART" not in event:
        return None
    start = event.decoded("DTSTART")
    if "DTEND" in event:
        end = event.decoded("DTEND")
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    else:
        end = None

    if not isinstance(start, datetime):
        # All-day event: DTEND is exclusive; with no end it lasts one day (RFC 5545 §3.6.1).
        last = start if end is None else _to_date(end, zone) - timedelta(days=1)
        return start, max(start, last)

    first_dt = _localise(start, zone)
    if end is None:
        return first_dt.date(), first_dt.date()
    last_dt = _localise(end, zone) if isinstance(end, datetime) else None
    if last_dt is None:
        last = end - timedelta(days=1)
    elif last_dt > first_dt and last_dt.time() == time(0, 0):
        last = last_dt.date() - timedelta(days=1)
    else:
        last = last_dt.date()
    return first_dt.date(), max(first_dt.date(), last)


def _localise(t: datetime, zone: ZoneInfo) -> datetime:
    """An event time in the academy's zone; floating (naive) times are already local."""
    if t.tzinfo is None:
        return t.replace(tzinfo=zone)
    return t.astimezone(zone)


def _to_date(value: date | datetime, zone: ZoneInfo) -> date:
    """The local date of a DTEND that may, in sloppy files, be a datetime."""
    if isinstance(value, datetime):
        return _localise(value, zone).date()
    return value
