"""Tests for the SLA rule of DESIGN §4: due times and the at-risk instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import REGIONS, WorkingCalendar
from bot.sla import at_risk_at, due_at

DEFAULT = WorkingCalendar()
EVERY_DAY = frozenset(range(7))


def local(text: str, zone: str = "Europe/London") -> datetime:
    """A wall-clock time in ``zone`` as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def due(received: str, cal: WorkingCalendar = DEFAULT) -> datetime:
    """The due time for an item received at local wall-clock ``received`` in ``cal``'s zone."""
    return due_at(local(received, cal.timezone), cal)


class TestContractExamples:
    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2026-11-23T10:00", "2026-11-24T10:00"),  # Monday 10:00 -> Tuesday 10:00
            ("2026-11-27T10:00", "2026-11-30T17:00"),  # Friday 10:00 -> Monday 17:00
            ("2026-11-23T18:00", "2026-11-24T17:00"),  # Monday 18:00 -> Tuesday 17:00
            ("2026-11-23T07:00", "2026-11-23T17:00"),  # Monday 07:00 -> Monday 17:00
            ("2026-12-24T12:00", "2026-12-29T17:00"),  # Christmas Eve -> after 25, 26, 28 Dec
        ],
    )
    def test_section_four_examples(self, received: str, expected: str) -> None:
        """The worked examples of DESIGN §4 hold in London with the default calendar."""
        assert due(received) == local(expected)

    def test_result_is_in_the_academy_zone(self) -> None:
        """A due time is shown in the academy's zone whatever offset the item arrived with."""
        result = due_at(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), DEFAULT)
        assert result.tzinfo == ZoneInfo("Europe/London")
        assert result.isoformat() == "2026-06-02T10:00:00+01:00"

    def test_naive_received_is_refused(self) -> None:
        """A received time without an offset is ambiguous, so it raises ValueError."""
        with pytest.raises(ValueError, match="naive"):
            due_at(datetime(2026, 11, 23, 10), DEFAULT)


class TestWindowEdges:
    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2026-11-23T08:00", "2026-11-24T08:00"),  # at opening: in the window
            ("2026-11-23T07:59:59", "2026-11-23T17:00"),  # a second before opening
            ("2026-11-23T17:00", "2026-11-24T17:00"),  # at closing: in the window
            ("2026-11-23T17:00:01", "2026-11-24T17:00"),  # a second after closing
            ("2026-11-26T16:59", "2026-11-27T16:59"),  # Thursday afternoon
            ("2026-11-27T08:00", "2026-11-30T17:00"),  # Friday's own opening is not later
        ],
    )
    def test_bounds(self, received: str, expected: str) -> None:
        """Both window bounds count as inside, and 'strictly later' skips the current opening."""
        assert due(received) == local(expected)


class TestEveningsAndWeekends:
    @pytest.mark.parametrize(
        "received",
        [
            "2026-11-27T16:00",  # Friday afternoon: + 24 h is Saturday
            "2026-11-27T18:00",  # Friday evening
            "2026-11-27T23:59:59",
            "2026-11-28T00:00",  # Saturday midnight
            "2026-11-28T12:00",
            "2026-11-29T23:59",  # Sunday night
            "2026-11-30T07:00",  # Monday before opening
        ],
    )
    def test_friday_evening_and_weekend_are_due_monday_close(self, received: str) -> None:
        """Anything from Friday afternoon to Monday's opening is due at Monday's close."""
        assert due(received) == local("2026-11-30T17:00")


class TestBankHolidays:
    def test_arrival_on_a_substitute_bank_holiday(self) -> None:
        """An item received on the Boxing Day substitute Monday is due at Tuesday's close."""
        assert due("2026-12-28T10:00") == local("2026-12-29T17:00")

    def test_easter_in_england_and_scotland(self) -> None:
        """Easter Monday is a bank holiday in England but not in Scotland."""
        assert due("2026-04-02T10:00") == local("2026-04-07T17:00")
        assert due("2026-04-02T10:00", WorkingCalendar(region="SCT")) == local("2026-04-06T17:00")

    def test_wales_keeps_the_english_christmas(self) -> None:
        """Wales has the same Christmas bank holidays as England."""
        assert due("2026-12-24T12:00", WorkingCalendar(region="WLS")) == local("2026-12-29T17:00")

    def test_scotland_second_of_january(self) -> None:
        """In Scotland 2 January is a bank holiday, so New Year's Eve is due the next Monday."""
        assert due("2025-12-31T10:00", WorkingCalendar(region="SCT")) == local("2026-01-05T17:00")
        assert due("2025-12-31T10:00") == local("2026-01-02T17:00")

    def test_scotland_st_andrews_day_substitute(self) -> None:
        """St Andrew's Day on Sunday 30 Nov 2025 moves to Monday 1 Dec in Scotland only."""
        assert due("2025-11-28T10:00", WorkingCalendar(region="SCT")) == local("2025-12-02T17:00")
        assert due("2025-11-28T10:00") == local("2025-12-01T17:00")

    def test_scotland_st_andrews_day_on_a_monday(self) -> None:
        """St Andrew's Day on Monday 30 Nov 2026 pushes a Friday item to Tuesday in Scotland."""
        assert due("2026-11-27T10:00", WorkingCalendar(region="SCT")) == local("2026-12-01T17:00")

    def test_northern_ireland_st_patricks_day(self) -> None:
        """St Patrick's Day is a day off in Northern Ireland, so Monday 10:00 is due Wednesday."""
        nir = WorkingCalendar(region="NIR")
        assert due("2026-03-16T10:00", nir) == local("2026-03-18T17:00")
        assert due("2026-03-16T10:00") == local("2026-03-17T10:00")

    def test_northern_ireland_twelfth_of_july(self) -> None:
        """The Twelfth (and its Monday substitute in 2026) is a day off in Northern Ireland."""
        nir = WorkingCalendar(region="NIR")
        assert due("2026-07-10T10:00", nir) == local("2026-07-14T17:00")
        assert due("2026-07-10T10:00") == local("2026-07-13T17:00")
        assert due("2027-07-09T10:00", nir) == local("2027-07-13T17:00")


class TestClosures:
    HALF_TERM = WorkingCalendar(closures=((date(2026, 10, 26), date(2026, 10, 30)),))

    def test_friday_before_half_term(self) -> None:
        """An item on the Friday before half term is due at the close of the Monday after."""
        assert due("2026-10-23T10:00", self.HALF_TERM) == local("2026-11-02T17:00")

    def test_arrival_during_half_term(self) -> None:
        """An item received during a closure is due at the close of the first day back."""
        assert due("2026-10-28T10:00", self.HALF_TERM) == local("2026-11-02T17:00")

    def test_closure_after_the_window_does_not_matter(self) -> None:
        """When r + 24 h is still a working window, a later closure changes nothing."""
        assert due("2026-10-22T10:00", self.HALF_TERM) == local("2026-10-23T10:00")

    def test_single_inset_day(self) -> None:
        """A one-day closure on Tuesday makes a Monday item due at Wednesday's close."""
        cal = WorkingCalendar(closures=((date(2026, 11, 24), date(2026, 11, 24)),))
        assert due("2026-11-23T10:00", cal) == local("2026-11-25T17:00")


class TestDaylightSaving:
    def test_friday_before_clocks_go_back(self) -> None:
        """Friday 10:00 BST before the October change is due Monday 17:00 GMT."""
        result = due("2026-10-23T10:00")
        assert result.isoformat() == "2026-10-26T17:00:00+00:00"

    def test_friday_before_clocks_go_forward(self) -> None:
        """Friday 10:00 GMT before the March change is due Monday 17:00 BST (16:00 UTC)."""
        result = due("2026-03-27T10:00")
        assert result.isoformat() == "2026-03-30T17:00:00+01:00"
        assert result.astimezone(UTC) == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)

    def test_twenty_four_elapsed_hours_across_autumn_change(self) -> None:
        """Across the clocks going back, 24 elapsed hours end an hour earlier by the clock."""
        cal = WorkingCalendar(working_days=EVERY_DAY)
        assert due("2026-10-24T10:00", cal).isoformat() == "2026-10-25T09:00:00+00:00"

    def test_twenty_four_elapsed_hours_across_spring_change(self) -> None:
        """Across the clocks going forward, 24 elapsed hours end an hour later by the clock."""
        cal = WorkingCalendar(working_days=EVERY_DAY)
        assert due("2026-03-28T10:00", cal).isoformat() == "2026-03-29T11:00:00+01:00"

    def test_elapsed_hours_can_leave_the_window(self) -> None:
        """Saturday 16:30 GMT + 24 h is Sunday 17:30 BST, outside, so due is Sunday's close."""
        cal = WorkingCalendar(working_days=EVERY_DAY)
        assert due("2026-03-28T16:30", cal).isoformat() == "2026-03-29T17:00:00+01:00"

    def test_new_york_fall_back(self) -> None:
        """In New York, 24 hours from Saturday 10:00 EDT is Sunday 09:00 EST."""
        cal = WorkingCalendar(timezone="America/New_York", working_days=EVERY_DAY)
        assert due("2026-10-31T10:00", cal).isoformat() == "2026-11-01T09:00:00-05:00"


class TestOtherZones:
    def test_new_york_academy(self) -> None:
        """A New York academy's windows and due times are in New York time."""
        cal = WorkingCalendar(timezone="America/New_York")
        received = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 EST
        assert due_at(received, cal).isoformat() == "2026-11-24T10:00:00-05:00"
        assert due("2026-11-27T10:00", cal).isoformat() == "2026-11-30T17:00:00-05:00"

    def test_dubai_academy_with_a_sunday_to_thursday_week(self) -> None:
        """A Gulf academy working Sunday to Thursday has Thursday items due Sunday."""
        cal = WorkingCalendar(timezone="Asia/Dubai", working_days=frozenset({6, 0, 1, 2, 3}))
        assert due("2026-11-26T10:00", cal).isoformat() == "2026-11-29T17:00:00+04:00"
        assert due("2026-11-29T10:00", cal).isoformat() == "2026-11-30T10:00:00+04:00"


class TestResponseHours:
    @pytest.mark.parametrize(
        ("hours", "received", "expected"),
        [
            (48, "2026-11-23T10:00", "2026-11-25T10:00"),
            (48, "2026-11-26T10:00", "2026-11-27T17:00"),  # Thu + 48 h is Saturday
            (72, "2026-11-27T10:00", "2026-11-30T10:00"),  # Fri + 72 h is Monday 10:00
            (4, "2026-11-23T10:00", "2026-11-23T14:00"),
            (4, "2026-11-23T14:00", "2026-11-24T17:00"),  # 18:00 is after closing
            (1.5, "2026-11-23T15:30", "2026-11-23T17:00"),  # exactly at closing
        ],
    )
    def test_response_hours_is_a_setting(self, hours: float, received: str, expected: str) -> None:
        """The 24 hours of the rule is the calendar's response_hours."""
        assert due(received, WorkingCalendar(response_hours=hours)) == local(expected)

    def test_custom_opening_hours(self) -> None:
        """The window is the calendar's own opening and closing time."""
        cal = WorkingCalendar(opens=time(7, 30), closes=time(15, 30))
        assert due("2026-11-23T07:30", cal) == local("2026-11-24T07:30")
        assert due("2026-11-23T16:00", cal) == local("2026-11-24T15:30")


class TestAtRisk:
    def test_default_is_four_hours_before_due(self) -> None:
        """A ticket is at risk four hours before it is due by default."""
        assert at_risk_at(local("2026-11-24T10:00")) == local("2026-11-24T06:00")

    def test_lead_time_is_configurable(self) -> None:
        """The at-risk lead time is a parameter, and zero means at the due time."""
        assert at_risk_at(local("2026-11-24T10:00"), 1.5) == local("2026-11-24T08:30")
        assert at_risk_at(local("2026-11-24T10:00"), 0) == local("2026-11-24T10:00")

    def test_lead_time_is_elapsed_across_daylight_saving(self) -> None:
        """Four hours before 05:00 BST on the spring change day is 00:00 GMT, five by the clock."""
        result = at_risk_at(local("2026-03-29T05:00"))
        assert result.astimezone(UTC) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
        assert result.isoformat() == "2026-03-29T00:00:00+00:00"

    def test_bad_input_is_refused(self) -> None:
        """A naive due time or a negative lead time raises ValueError."""
        with pytest.raises(ValueError, match="naive"):
            at_risk_at(datetime(2026, 11, 24, 10))
        with pytest.raises(ValueError, match="non-negative"):
            at_risk_at(local("2026-11-24T10:00"), -1)


ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Asia/Beirut",
)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Arbitrary valid calendars, including odd zones, hours and closures."""
    minutes = st.integers(0, 24 * 60 - 1)
    start, end = sorted(draw(st.lists(minutes, min_size=2, max_size=2, unique=True)))
    closures = draw(
        st.lists(
            st.tuples(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(0, 20)).map(
                lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
            ),
            max_size=3,
        )
    )
    return WorkingCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        working_days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        opens=time(start // 60, start % 60),
        closes=time(end // 60, end % 60),
        region=draw(st.sampled_from(REGIONS)),
        closures=tuple(closures),
        response_hours=draw(st.one_of(st.just(24.0), st.floats(0.25, 24 * 10, allow_nan=False))),
    )


received_times = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def first_opening_after(cal: WorkingCalendar, r: datetime) -> tuple[datetime, datetime]:
    """An independent oracle: scan day by day for the first window opening after ``r``."""
    day = r.astimezone(cal.zone).date() - timedelta(days=1)
    while True:
        bounds = cal.window(day)
        if bounds is not None and bounds[0] > r:
            return bounds
        day += timedelta(days=1)


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(cal=calendars(), received=received_times)
    def test_due_follows_the_rule(self, cal: WorkingCalendar, received: datetime) -> None:
        """Due is never before receipt, always in or at the close of a window, and per §4."""
        result = due_at(received, cal)
        later = received + timedelta(hours=cal.response_hours)
        assert result > received
        assert cal.in_window(result)
        assert result.tzinfo == cal.zone
        if cal.in_window(received) and cal.in_window(later):
            assert result == later
            assert result - received <= timedelta(hours=cal.response_hours)
        else:
            assert result == first_opening_after(cal, received)[1]

    @settings(max_examples=200, deadline=None)
    @given(received=received_times)
    def test_default_calendar_is_due_within_a_working_day_or_at_a_close(
        self, received: datetime
    ) -> None:
        """With defaults, due is either exactly 24 h later or at 17:00 local on a working day."""
        result = due_at(received, DEFAULT)
        if result - received != timedelta(hours=24):
            assert result.timetz().replace(tzinfo=None) == time(17, 0)
            assert DEFAULT.is_working_day(result.date())

    @settings(max_examples=200, deadline=None)
    @given(received=received_times, offset_minutes=st.integers(-12 * 60, 14 * 60))
    def test_due_depends_on_the_instant_not_its_offset(
        self, received: datetime, offset_minutes: int
    ) -> None:
        """The same instant written with any UTC offset has the same due time."""
        shifted = received.astimezone(timezone(timedelta(minutes=offset_minutes)))
        assert due_at(shifted, DEFAULT) == due_at(received, DEFAULT)
