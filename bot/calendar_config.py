"""Build each academy's :class:`~bot.calendar.WorkingCalendar` from its settings, once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.calendar import WorkingCalendar, closures_from_ics, parse_closure
from bot.settings import CalendarSettings, ConfigError, Settings, load_settings

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def calendar_from_settings(cs: CalendarSettings, where: str = "calendar") -> WorkingCalendar:
    """Translate validated settings into a calendar; closure and .ics errors name the key."""
    closures = []
    for i, text in enumerate(cs.closures):
        try:
            closures.append(parse_closure(text))
        except ValueError as exc:
            raise ConfigError(f"{where}.closures.{i}: {exc}") from None
    if cs.ics_file is not None:
        try:
            closures.extend(closures_from_ics(cs.ics_file, timezone_name=cs.timezone))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{where}.ics_file: {exc}") from None
    return WorkingCalendar(
        timezone=cs.timezone,
        working_days=frozenset(_DAYS.index(d) for d in cs.days),
        opens=cs.opens,
        closes=cs.closes,
        region=cs.region,
        closures=tuple(closures),
        response_hours=cs.response_hours,
    )


class CalendarBook:
    """The calendars of every academy in the configuration, built at start-up."""

    def __init__(self, settings: Settings, source: str = "config") -> None:
        self._by_academy: Mapping[str, WorkingCalendar] = {
            key: calendar_from_settings(a.calendar, f"{source}: academies.{key}.calendar")
            for key, a in settings.academies.items()
        }

    def get(self, academy_key: str) -> WorkingCalendar:
        """The calendar of one academy."""
        return self._by_academy[academy_key]


def load_calendar(path: Path, academy: str | None) -> WorkingCalendar:
    """The calendar of ``academy`` (or of the only academy) in the config file at ``path``."""
    settings = load_settings(path)
    if academy is None:
        if len(settings.academies) != 1:
            raise ConfigError(f"{path}: several academies; name one with --academy")
        academy = next(iter(settings.academies))
    if academy not in settings.academies:
        raise ConfigError(f"{path}: academies: no academy {academy!r}")
    return calendar_from_settings(
        settings.academies[academy].calendar, f"{path}: academies.{academy}.calendar"
    )
