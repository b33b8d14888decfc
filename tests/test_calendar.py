"""Tests for the working calendar (DESIGN §4) and the ``modbot calendar due`` command (§7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.calendar import (
    DEFAULT_CLOSURE_KEYWORDS,
    REGIONS,
    WorkingCalendar,
    closures_from_ics,
    parse_closure,
)
from bot.cli_calendar import build_calendar_app

LONDON = ZoneInfo("Europe/London")
OK = "2026-11-23T10:00:00Z"  # a well-formed RECEIVED


def local(text: str, zone: str = "Europe/London") -> datetime:
    """A wall-clock time in ``zone`` as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


class TestConstruction:
    def test_defaults_follow_section_four(self) -> None:
        """A calendar built with no arguments is London, Mon-Fri, 08:00-17:00, England, 24 h."""
        cal = WorkingCalendar()
        assert cal.timezone == "Europe/London"
        assert cal.working_days == frozenset({0, 1, 2, 3, 4})
        assert (cal.opens, cal.closes) == (time(8), time(17))
        assert cal.region == "ENG"
        assert cal.closures == ()
        assert cal.response_hours == 24

    def test_calendar_is_hashable_and_compares_by_settings(self) -> None:
        """Two calendars with the same settings are equal and hash alike, caches aside."""
        a, b = WorkingCalendar(), WorkingCalendar()
        a.bank_holidays(2026)
        assert a == b and hash(a) == hash(b)

    def test_inputs_are_normalised(self) -> None:
        """A list of days, lower-case region and list closures become frozen canonical values."""
        cal = WorkingCalendar(
            working_days=[0, 1],  # type: ignore[arg-type]
            region="sct",
            closures=[[date(2026, 1, 5), date(2026, 1, 6)]],  # type: ignore[arg-type]
        )
        assert cal.working_days == frozenset({0, 1})
        assert cal.region == "SCT"
        assert cal.closures == ((date(2026, 1, 5), date(2026, 1, 6)),)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone"),
            ({"region": "UK"}, "unknown region"),
            ({"working_days": frozenset()}, "at least one day"),
            ({"working_days": frozenset({7})}, "0 \\(Monday\\) to 6"),
            ({"opens": time(17), "closes": time(8)}, "must be before"),
            ({"opens": time(9), "closes": time(9)}, "must be before"),
            ({"closures": ((date(2026, 2, 2), date(2026, 2, 1)),)}, "ends before it starts"),
            ({"response_hours": 0}, "positive"),
            ({"response_hours": float("nan")}, "positive"),
        ],
    )
    def test_bad_settings_are_rejected(self, kwargs: dict[str, object], message: str) -> None:
        """An impossible setting fails when the calendar is built, with a message naming it."""
        with pytest.raises(ValueError, match=message):
            WorkingCalendar(**kwargs)  # type: ignore[arg-type]


class TestWorkingDays:
    def test_weekdays_work_and_weekends_do_not(self) -> None:
        """Monday to Friday are working days by default; Saturday and Sunday are not."""
        cal = WorkingCalendar()
        week = [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
        assert [cal.is_working_day(d) for d in week] == [True] * 5 + [False] * 2

    def test_custom_working_days(self) -> None:
        """A calendar that works Sunday to Thursday treats Friday as a day off."""
        cal = WorkingCalendar(working_days=frozenset({6, 0, 1, 2, 3}))
        assert cal.is_working_day(date(2026, 11, 29))  # Sunday
        assert not cal.is_working_day(date(2026, 11, 27))  # Friday

    def test_christmas_and_substitute_boxing_day_are_off_in_england(self) -> None:
        """Christmas Day, Boxing Day and the Monday substitute of 2026 are not working days."""
        cal = WorkingCalendar()
        assert not cal.is_working_day(date(2026, 12, 25))
        assert not cal.is_working_day(date(2026, 12, 28))
        assert cal.is_working_day(date(2026, 12, 29))

    @pytest.mark.parametrize(
        ("day", "off_in"),
        [
            (date(2026, 1, 2), {"SCT"}),  # 2 January
            (date(2025, 12, 1), {"SCT"}),  # St Andrew's Day (Sun 30 Nov) substitute
            (date(2026, 11, 30), {"SCT"}),  # St Andrew's Day on a Monday
            (date(2026, 3, 17), {"NIR"}),  # St Patrick's Day
            (date(2026, 7, 13), {"NIR"}),  # Battle of the Boyne (Sun 12 Jul) substitute
            (date(2027, 7, 12), {"NIR"}),  # Battle of the Boyne on a Monday
            (date(2026, 4, 6), {"ENG", "WLS", "NIR"}),  # Easter Monday, not in Scotland
            (date(2026, 8, 3), {"SCT"}),  # Scotland's summer bank holiday
            (date(2026, 8, 31), {"ENG", "WLS", "NIR"}),  # late summer bank holiday
        ],
    )
    def test_regional_bank_holidays(self, day: date, off_in: set[str]) -> None:
        """Each region takes its own bank holidays off and works through the others'."""
        for region in REGIONS:
            cal = WorkingCalendar(region=region)
            assert cal.is_working_day(day) is (region not in off_in), region

    def test_closures_are_inclusive(self) -> None:
        """Both ends of a closure range are days off, and the days around it are not."""
        cal = WorkingCalendar(closures=((date(2026, 10, 26), date(2026, 10, 30)),))
        assert cal.is_working_day(date(2026, 10, 23))
        assert not cal.is_working_day(date(2026, 10, 26))
        assert not cal.is_working_day(date(2026, 10, 30))
        assert cal.is_working_day(date(2026, 11, 2))

    def test_bank_holidays_are_cached_per_instance(self) -> None:
        """A second look-up of a year returns the cached set rather than asking again."""
        cal = WorkingCalendar()
        first = cal.bank_holidays(2026)
        assert cal.bank_holidays(2026) is first
        assert WorkingCalendar(region="SCT").bank_holidays(2026) != first


class TestWindow:
    def test_window_on_a_working_day(self) -> None:
        """A working day's window runs from opening to closing in the academy's zone."""
        opens, closes = WorkingCalendar().window(date(2026, 11, 23)) or (None, None)
        assert opens == local("2026-11-23T08:00") and closes == local("2026-11-23T17:00")
        assert opens.tzinfo == LONDON  # type: ignore[union-attr]

    def test_no_window_on_a_day_off(self) -> None:
        """Weekends, bank holidays and closures have no window."""
        cal = WorkingCalendar(closures=((date(2026, 12, 1), date(2026, 12, 1)),))
        assert cal.window(date(2026, 11, 28)) is None
        assert cal.window(date(2026, 12, 25)) is None
        assert cal.window(date(2026, 12, 1)) is None

    def test_window_offsets_follow_daylight_saving(self) -> None:
        """The same wall-clock window is 07:00 UTC in summer and 08:00 UTC in winter."""
        cal = WorkingCalendar()
        summer = cal.window(date(2026, 10, 23))
        winter = cal.window(date(2026, 10, 26))
        assert summer is not None and winter is not None
        assert summer[0].astimezone(UTC).hour == 7
        assert winter[0].astimezone(UTC).hour == 8

    def test_opening_in_a_spring_forward_gap_opens_as_the_clocks_jump(self) -> None:
        """An opening time skipped by the clocks going forward opens at the instant they jump."""
        cal = WorkingCalendar(
            working_days=frozenset(range(7)), opens=time(1, 30), closes=time(2, 10)
        )
        opens, closes = cal.window(date(2026, 3, 29)) or (None, None)
        assert opens is not None and closes is not None
        assert opens.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        assert opens.utcoffset() == timedelta(hours=1)
        assert closes.astimezone(UTC) == datetime(2026, 3, 29, 1, 10, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("zone", "day"),
        [
            ("America/New_York", date(2026, 3, 8)),  # 02:00 -> 03:00
            ("Asia/Beirut", date(2026, 3, 29)),  # midnight -> 01:00
            ("Pacific/Chatham", date(2026, 9, 27)),  # 02:45 -> 03:45, quarter-hour offsets
        ],
    )
    def test_window_never_closes_before_it_opens(self, zone: str, day: date) -> None:
        """However the opening and closing times fall around a gap, opening is not after closing."""
        every_day = frozenset(range(7))
        for minutes in range(0, 4 * 60, 5):
            opens_at = time(minutes // 60, minutes % 60)
            for closes_at in (time(minutes // 60, 59), time(3, 55), time(23, 0)):
                if not opens_at < closes_at:
                    continue
                cal = WorkingCalendar(
                    timezone=zone, working_days=every_day, opens=opens_at, closes=closes_at
                )
                bounds = cal.window(day)
                assert bounds is not None
                assert bounds[0] <= bounds[1], (opens_at, closes_at)
                assert bounds[0].astimezone(cal.zone).date() == day

    def test_opening_in_a_fall_back_overlap_uses_the_first(self) -> None:
        """An opening time that happens twice when the clocks go back opens at the first."""
        cal = WorkingCalendar(working_days=frozenset(range(7)), opens=time(1, 30))
        opens, _ = cal.window(date(2026, 10, 25)) or (None, None)
        assert opens is not None
        assert opens.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


class TestInWindow:
    @pytest.mark.parametrize(
        ("when", "expected"),
        [
            ("2026-11-23T07:59:59", False),
            ("2026-11-23T08:00:00", True),
            ("2026-11-23T12:00:00", True),
            ("2026-11-23T17:00:00", True),
            ("2026-11-23T17:00:00.000001", False),
            ("2026-11-28T12:00:00", False),
        ],
    )
    def test_bounds_are_included(self, when: str, expected: bool) -> None:
        """Opening and closing instants are in the window; a moment outside either is not."""
        assert WorkingCalendar().in_window(local(when)) is expected

    def test_any_offset_names_the_same_instant(self) -> None:
        """An instant given in UTC or another offset is judged by the academy's local time."""
        cal = WorkingCalendar()
        assert cal.in_window(datetime(2026, 6, 1, 7, 0, tzinfo=UTC))  # 08:00 BST
        assert not cal.in_window(datetime(2026, 6, 1, 16, 30, tzinfo=UTC))  # 17:30 BST

    def test_naive_datetimes_are_refused(self) -> None:
        """A datetime without a zone has no instant, so asking about it is an error."""
        with pytest.raises(ValueError, match="no time zone"):
            WorkingCalendar().in_window(datetime(2026, 11, 23, 10))


class TestNextWindowOpening:
    def test_opening_exactly_at_t_is_not_later(self) -> None:
        """At exactly 08:00 on Monday the next opening is Tuesday's, since it must be later."""
        opens, closes = WorkingCalendar().next_window_opening_after(local("2026-11-23T08:00"))
        assert (opens, closes) == (local("2026-11-24T08:00"), local("2026-11-24T17:00"))

    def test_before_opening_finds_the_same_day(self) -> None:
        """Before Monday's opening the next window is Monday's."""
        opens, _ = WorkingCalendar().next_window_opening_after(local("2026-11-23T07:00"))
        assert opens == local("2026-11-23T08:00")

    def test_skips_weekend_holidays_and_closures(self) -> None:
        """From Christmas Eve, with a closure on the 29th, the next window is 30 December."""
        cal = WorkingCalendar(closures=(parse_closure("2026-12-29"),))
        opens, _ = cal.next_window_opening_after(local("2026-12-24T12:00"))
        assert opens == local("2026-12-30T08:00")

    def test_gives_up_when_there_is_no_window(self) -> None:
        """A calendar closed for a decade has no next window and says so."""
        cal = WorkingCalendar(closures=((date(2026, 1, 1), date(2040, 1, 1)),))
        with pytest.raises(ValueError, match="no working window"):
            cal.next_window_opening_after(local("2026-06-01T10:00"))


class TestParseClosure:
    def test_single_day_and_range(self) -> None:
        """A single date closes that one day; two dates joined by '..' are an inclusive range."""
        assert parse_closure("2026-12-01") == (date(2026, 12, 1), date(2026, 12, 1))
        assert parse_closure(" 2026-10-26..2026-10-30 ") == (date(2026, 10, 26), date(2026, 10, 30))

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "expected YYYY-MM-DD"),
            ("26-10-2026", "expected YYYY-MM-DD"),
            ("2026-10-26..", "expected YYYY-MM-DD"),
            ("2026-10-26..2026-10-27..2026-10-28", "expected YYYY-MM-DD"),
            ("2026-02-30", "invalid closure"),
            ("2026-10-30..2026-10-26", "ends before it starts"),
        ],
    )
    def test_bad_closures_say_why(self, text: str, message: str) -> None:
        """Malformed, impossible or backwards closures raise a ValueError quoting the input."""
        with pytest.raises(ValueError, match=message):
            parse_closure(text)


def vevent(uid: int, summary: str, *props: str) -> str:
    """One VEVENT with the given summary and raw property lines."""
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}", *props, "END:VEVENT"])


ICS = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Test Academy//Term dates//EN",
        vevent(1, "October Half Term", "DTSTART;VALUE=DATE:20261026", "DTEND;VALUE=DATE:20261031"),
        vevent(2, "INSET day", "DTSTART;VALUE=DATE:20261102"),
        vevent(
            3,
            "School closed (polling station)",
            "DTSTART;TZID=Europe/London:20261203T080000",
            "DTEND;TZID=Europe/London:20261204T000000",
        ),
        vevent(4, "Christmas holiday", "DTSTART:20261218T160000Z", "DTEND:20270104T090000Z"),
        vevent(5, "Parents' evening", "DTSTART;VALUE=DATE:20261110", "DTEND;VALUE=DATE:20261111"),
        vevent(6, "Snow closure", "STATUS:CANCELLED", "DTSTART;VALUE=DATE:20270115"),
        vevent(7, "Trip week holiday", "DTSTART;VALUE=DATE:20270201", "DURATION:P3D"),
        "END:VCALENDAR",
        "",
    ]
)


class TestClosuresFromIcs:
    @pytest.fixture
    def ics(self, tmp_path: Path) -> Path:
        """A term-dates calendar file with all-day, timed and irrelevant events."""
        path = tmp_path / "terms.ics"
        path.write_text(ICS, encoding="utf-8")
        return path

    def test_imports_matching_events(self, ics: Path) -> None:
        """Holiday, half-term, INSET and closed events become sorted inclusive date ranges."""
        assert closures_from_ics(ics) == (
            (date(2026, 10, 26), date(2026, 10, 30)),  # all-day, DTEND exclusive
            (date(2026, 11, 2), date(2026, 11, 2)),  # all-day without DTEND: one day
            (date(2026, 12, 3), date(2026, 12, 3)),  # timed, ending at midnight
            (date(2026, 12, 18), date(2027, 1, 4)),  # timed, covering both end dates
            (date(2027, 2, 1), date(2027, 2, 3)),  # all-day with a DURATION
        )

    def test_summary_filter_is_a_case_insensitive_parameter(self, ics: Path) -> None:
        """A custom keyword list keeps only events whose summary contains one of them."""
        assert closures_from_ics(ics, keywords=["PARENTS"]) == (
            (date(2026, 11, 10), date(2026, 11, 10)),
        )
        assert "half term" in DEFAULT_CLOSURE_KEYWORDS

    def test_no_filter_keeps_every_live_event(self, ics: Path) -> None:
        """With no keywords every event but the cancelled one is a closure."""
        assert len(closures_from_ics(ics, keywords=None)) == 6

    def test_timed_events_use_the_given_zone(self, ics: Path) -> None:
        """A timed event's dates are read in the academy's zone, not in UTC."""
        found = closures_from_ics(ics, keywords=["christmas"], timezone_name="Pacific/Auckland")
        assert found == ((date(2026, 12, 19), date(2027, 1, 4)),)

    def test_imported_closures_feed_a_calendar(self, ics: Path) -> None:
        """Closures read from a file make their days non-working days."""
        cal = WorkingCalendar(closures=closures_from_ics(ics))
        assert not cal.is_working_day(date(2026, 10, 28))
        assert not cal.is_working_day(date(2027, 1, 4))
        assert cal.is_working_day(date(2027, 1, 5))

    def test_garbage_is_a_value_error(self, tmp_path: Path) -> None:
        """A file that is not iCalendar raises a ValueError naming the file."""
        path = tmp_path / "bad.ics"
        path.write_text("not a calendar", encoding="utf-8")
        with pytest.raises(ValueError, match=r"bad\.ics"):
            closures_from_ics(path)


class TestCalendarDueCommand:
    @pytest.fixture
    def runner(self) -> CliRunner:
        """A runner that keeps stdout and stderr apart."""
        return CliRunner()

    def test_prints_one_due_time_per_received_in_order(self, runner: CliRunner) -> None:
        """Each RECEIVED gets its §4 due time on its own line, in the order given."""
        result = runner.invoke(
            build_calendar_app(None),
            ["due", "2026-11-27T10:00:00+00:00", "2026-11-23T10:00:00Z", "2026-11-23T07:00+00:00"],
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines() == [
            "2026-11-30T17:00:00+00:00",
            "2026-11-24T10:00:00+00:00",
            "2026-11-23T17:00:00+00:00",
        ]
        assert result.stderr == ""

    def test_output_is_in_the_academy_zone(self, runner: CliRunner) -> None:
        """A summer due time is shown with the British Summer Time offset."""
        result = runner.invoke(build_calendar_app(None), ["due", "2026-06-01T09:00:00Z"])
        assert result.stdout.strip() == "2026-06-02T10:00:00+01:00"

    def test_flags_override_the_defaults(self, runner: CliRunner) -> None:
        """Zone, hours, days, region, closures and response time all come from the flags."""
        args = [
            *("due", "--timezone", "America/New_York", "--open", "09:00", "--close", "15:30"),
            *("--days", "mon-thu", "--region", "sct", "--hours", "4"),
            *("--closure", "2026-11-24", "--closure", "2026-11-25..2026-11-26"),
            *("2026-11-23T10:00:00-05:00", "2026-11-23T15:00:00-05:00"),
        ]
        result = runner.invoke(build_calendar_app(None), args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines() == [
            "2026-11-23T14:00:00-05:00",
            "2026-12-01T15:30:00-05:00",  # Mon 30 Nov is St Andrew's Day in Scotland
        ]

    def test_config_goes_through_the_injected_loader(self, runner: CliRunner) -> None:
        """--config and --academy are handed to the loader, and flags override its calendar."""
        seen: list[tuple[Path, str | None]] = []

        def loader(path: Path, academy: str | None) -> WorkingCalendar:
            seen.append((path, academy))
            return WorkingCalendar(region="SCT", response_hours=48)

        app = build_calendar_app(loader)
        args = ["due", "--config", "modbot.yaml", "--academy", "north", "2026-11-26T10:00Z"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        assert seen == [(Path("modbot.yaml"), "north")]
        # Thu 10:00 + 48 h is Sat: the next window after Thu is Fri, so due Fri 17:00.
        assert result.stdout.strip() == "2026-11-27T17:00:00+00:00"
        result = runner.invoke(app, [*args[:5], "--hours", "24", "2026-11-27T10:00Z"])
        # In Scotland Monday 30 November is St Andrew's Day.
        assert result.stdout.strip() == "2026-12-01T17:00:00+00:00"

    def test_loader_failure_is_a_clean_error(self, runner: CliRunner) -> None:
        """A config the loader cannot read is a one-line error with exit code 2."""

        class LoaderError(Exception):
            """An error type of the loader's own, unknown to the command."""

        def loader(path: Path, academy: str | None) -> WorkingCalendar:
            raise LoaderError(f"no academy {academy!r}")

        app = build_calendar_app(loader)
        args = ["due", "--config", "m.yaml", "--academy", "x", "2026-11-23T10:00Z"]
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "m.yaml" in result.stderr and len(result.stderr.splitlines()) == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--config", "modbot.yaml", OK], "no config loader"),
            (["--academy", "north", OK], "--academy needs --config"),
            (["--open", "8am", OK], "--open: invalid time '8am'"),
            (["--close", "25:00", OK], "--close: invalid time '25:00'"),
            (["--open", "18:00", OK], "must be before closing time"),
            (["--region", "EU", OK], "--region: unknown region 'EU'"),
            (["--days", "mon,funday", OK], "--days: unknown day 'funday'"),
            (["--days", "fri-mon", OK], "runs backwards"),
            (["--days", ",", OK], "at least one day"),
            (["--timezone", "Mars/Olympus_Mons", OK], "unknown time zone"),
            (["--closure", "2026-13-01", OK], "--closure: invalid closure"),
            (["--hours", "soon", OK], "--hours: 'soon' is not a number"),
            (["--hours", "-3", OK], "positive number of hours"),
            (["--hours", "nan", OK], "positive number of hours"),
            (["2026-11-23T10:00:00"], "has no UTC offset"),
            (["yesterday"], "not an ISO 8601 date-time"),
            ([OK, "2026-11-23T11:00"], "has no UTC offset"),  # one bad among good ones
            ([], "at least one RECEIVED"),
        ],
    )
    def test_bad_input_is_one_line_on_stderr_and_exit_2(
        self, runner: CliRunner, args: list[str], message: str
    ) -> None:
        """Bad input prints nothing on stdout, one clear line on stderr, and exits with 2."""
        result = runner.invoke(build_calendar_app(None), ["due", *args])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert message in result.stderr

    def test_due_is_a_subcommand_of_the_group(self, runner: CliRunner) -> None:
        """The app is a command group, so it can be mounted as ``modbot calendar``."""
        result = runner.invoke(build_calendar_app(None), ["--help"])
        assert result.exit_code == 0
        assert "due" in result.stdout
