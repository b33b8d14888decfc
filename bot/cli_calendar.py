"""``modbot calendar due``: the SLA rule of DESIGN §4 on the command line (DESIGN §7).

People use it to check an academy's settings and acceptance checks call it, so its output is
exactly one ISO 8601 due time per RECEIVED, in order, and any bad input is a one-line error on
stderr with exit code 2 and nothing on stdout.  The config loader is injected by the caller
(:func:`build_calendar_app`) so this module holds no state and does not depend on settings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.calendar import REGIONS, WorkingCalendar, parse_closure
from bot.sla import due_at

CalendarLoader = Callable[[Path, str | None], WorkingCalendar]

_DAY_NAMES: dict[str, int] = {
    name: index
    for index, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_PROG = "modbot calendar due"


class InputError(ValueError):
    """Bad command-line input, reported as one line on stderr with exit code 2."""


def parse_hhmm(text: str, option: str) -> time:
    """Parse an ``HH:MM`` wall-clock time for ``option``."""
    match = _HH_MM.fullmatch(text.strip())
    if match is None:
        raise InputError(f"{option}: invalid time {text!r}; expected HH:MM, e.g. 08:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_days(text: str) -> frozenset[int]:
    """Parse ``mon,tue,...`` (names or three-letter abbreviations, ranges like ``mon-fri``)."""
    days: set[int] = set()
    for raw in text.split(","):
        token = raw.strip().lower()
        if not token:
            continue
        first, sep, last = token.partition("-")
        if first not in _DAY_NAMES or (sep and last not in _DAY_NAMES):
            raise InputError(
                f"--days: unknown day {raw.strip()!r}; use mon,tue,wed,thu,fri,sat,sun or mon-fri"
            )
        start = _DAY_NAMES[first]
        end = _DAY_NAMES[last] if sep else start
        if end < start:
            raise InputError(f"--days: range {raw.strip()!r} runs backwards; write it Monday first")
        days.update(range(start, end + 1))
    if not days:
        raise InputError("--days: give at least one day, e.g. mon,tue,wed,thu,fri")
    return frozenset(days)


def parse_received(text: str) -> datetime:
    """Parse one RECEIVED argument, which must carry a UTC offset to name an instant."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"RECEIVED {text!r} is not an ISO 8601 date-time, e.g. 2026-11-23T10:00:00+00:00"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            f"RECEIVED {text!r} has no UTC offset; add one, e.g. {text.strip()}+00:00 or Z"
        )
    return value


def parse_hours(text: str) -> float:
    """Parse ``--hours`` as a positive, finite number of elapsed hours."""
    try:
        hours = float(text)
    except ValueError:
        raise InputError(f"--hours: {text!r} is not a number") from None
    if not (hours > 0 and hours != float("inf")):
        raise InputError(f"--hours: must be a positive number of hours, not {text!r}")
    return hours


def resolve_calendar(
    load_calendar: CalendarLoader | None,
    config: Path | None,
    academy: str | None,
    overrides: dict[str, Any],
) -> WorkingCalendar:
    """The academy's calendar from config (or §4 defaults) with the command-line overrides."""
    if config is None:
        if academy is not None:
            raise InputError("--academy needs --config FILE to look the academy up in")
        base = WorkingCalendar()
    elif load_calendar is None:
        raise InputError("--config is not supported here: no config loader is installed")
    else:
        try:
            base = load_calendar(config, academy)
        except Exception as exc:  # an injected loader has its own error types (ConfigError)
            raise InputError(f"--config {config}: {_one_line(exc)}") from exc
    try:
        return dataclasses.replace(base, **overrides)
    except ValueError as exc:
        raise InputError(_one_line(exc)) from exc


def build_calendar_app(load_calendar: CalendarLoader | None) -> typer.Typer:
    """A ``calendar`` command group whose ``--config`` goes through ``load_calendar``."""
    calendar_app = typer.Typer(
        name="calendar",
        help="Working calendars and SLA due times (DESIGN §4).",
        no_args_is_help=True,
        add_completion=False,
    )

    @calendar_app.callback()
    def _group() -> None:
        """Working calendars and SLA due times (DESIGN §4)."""

    @calendar_app.command("due")
    def due(
        received: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="RECEIVED",
                help="When each item was received: ISO 8601 with a UTC offset.",
                show_default=False,
            ),
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", help="Config file holding the academy.")
        ] = None,
        academy: Annotated[
            str | None, typer.Option("--academy", help="Academy id in the config.")
        ] = None,
        timezone: Annotated[
            str | None, typer.Option("--timezone", help="IANA zone, e.g. Europe/London.")
        ] = None,
        opens: Annotated[str | None, typer.Option("--open", help="Opening time HH:MM.")] = None,
        closes: Annotated[str | None, typer.Option("--close", help="Closing time HH:MM.")] = None,
        days: Annotated[
            str | None, typer.Option("--days", help="Working days, e.g. mon,tue,wed,thu,fri.")
        ] = None,
        region: Annotated[
            str | None,
            typer.Option("--region", help=f"Bank holiday region: {'|'.join(REGIONS)}."),
        ] = None,
        closure: Annotated[
            list[str] | None,
            typer.Option(
                "--closure",
                help="Closure YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; repeatable; replaces "
                "the config's closures.",
            ),
        ] = None,
        hours: Annotated[
            str | None, typer.Option("--hours", help="Response time in elapsed hours.")
        ] = None,
    ) -> None:
        """Print the due time of an item received at each RECEIVED, one per line, in order."""
        try:
            overrides = _overrides(timezone, opens, closes, days, region, closure, hours)
            cal = resolve_calendar(load_calendar, config, academy, overrides)
            if not received:
                raise InputError("give at least one RECEIVED time, e.g. 2026-11-23T10:00:00Z")
            instants = [parse_received(text) for text in received]
            lines = [due_at(instant, cal).isoformat() for instant in instants]
        except ValueError as exc:
            typer.echo(f"{_PROG}: error: {_one_line(exc)}", err=True)
            raise typer.Exit(code=2) from None
        for line in lines:
            typer.echo(line)

    return calendar_app


def _overrides(
    timezone: str | None,
    opens: str | None,
    closes: str | None,
    days: str | None,
    region: str | None,
    closure: list[str] | None,
    hours: str | None,
) -> dict[str, Any]:
    """The calendar fields given on the command line, parsed, keyed by field name."""
    out: dict[str, Any] = {}
    if timezone is not None:
        out["timezone"] = timezone
    if opens is not None:
        out["opens"] = parse_hhmm(opens, "--open")
    if closes is not None:
        out["closes"] = parse_hhmm(closes, "--close")
    if days is not None:
        out["working_days"] = parse_days(days)
    if region is not None:
        if region.upper() not in REGIONS:
            raise InputError(f"--region: unknown region {region!r}; use {'|'.join(REGIONS)}")
        out["region"] = region.upper()
    if closure:
        try:
            out["closures"] = tuple(parse_closure(text) for text in closure)
        except ValueError as exc:
            raise InputError(f"--closure: {exc}") from exc
    if hours is not None:
        out["response_hours"] = parse_hours(hours)
    return out


def _one_line(exc: BaseException) -> str:
    """An exception's message folded onto one line for stderr."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
