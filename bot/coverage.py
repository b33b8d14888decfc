"""Who actually covers an alert today, and whether every ladder level can be reached.

Escalation asks here who stands in for a person who is away (their delegate, followed through
chains of delegates) and who holds safeguarding out of hours (the rota).  The coverage check
runs at start-up and once a day: every ladder level must have someone with a working channel,
and a monitor removed from the configuration raises a reminder to rotate the account's
credentials (policy 001, "Handover").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.alerts import raise_alert
from bot.calendar import WorkingCalendar
from bot.notify import Notifier
from bot.settings import Settings
from bot.store.repository import audit, load_cursor, save_cursor

log = logging.getLogger(__name__)
_STATE_ACCOUNT = "_coverage"


def local_date(settings: Settings, academy_key: str, now: datetime) -> date:
    """The academy's local date at ``now`` (away dates are local dates)."""
    zone = ZoneInfo(settings.academies[academy_key].calendar.timezone)
    return now.astimezone(zone).date()


def resolve_person(settings: Settings, key: str, day: date) -> str | None:
    """The person to tell instead of ``key`` on ``day``: themselves, a delegate, or nobody."""
    seen: set[str] = set()
    while key not in seen:
        seen.add(key)
        person = settings.people.get(key)
        if person is None:
            return None
        away = next((a for a in person.away if a.starts <= day <= a.ends), None)
        if away is None:
            return key
        if not away.delegate:
            return None
        key = away.delegate
    return None  # a loop of delegates who are all away


def resolve_people(settings: Settings, keys: tuple[str, ...] | list[str], day: date
                   ) -> tuple[list[str], list[str]]:
    """(people to tell, in order and without repeats; people away with nobody covering)."""
    out: list[str] = []
    uncovered: list[str] = []
    for key in keys:
        who = resolve_person(settings, key, day)
        if who is None:
            uncovered.append(key)
        elif who not in out:
            out.append(who)
    return out, uncovered


def safeguarding_people(
    settings: Settings, academy_key: str, cal: WorkingCalendar | None, now: datetime
) -> list[str]:
    """The DSL level now: the DSL and deputy in working hours, else the rota when there is one."""
    academy = settings.academies[academy_key]
    if cal is None or cal.in_window(now) or not academy.safeguarding_rota:
        return list(academy.dsl)
    day = now.astimezone(cal.zone).date()
    for entry in academy.safeguarding_rota:
        if (entry.starts is None or entry.starts <= day) and (entry.ends is None or day <= entry.ends):
            return list(entry.people)
    return list(academy.dsl)


@dataclass(frozen=True, slots=True)
class CoverageProblem:
    """One gap: where (academy, account, level) and what is wrong."""

    academy: str
    account: str
    where: str
    problem: str


def check_coverage(settings: Settings, notifier: Notifier, day: date) -> list[CoverageProblem]:
    """Every ladder level and the DSL level must reach someone on ``day``."""
    channels = notifier.channels
    problems: list[CoverageProblem] = []

    def level(academy: str, account: str, where: str, keys: tuple[str, ...] | list[str],
              minimum: int = 1) -> None:
        people, uncovered = resolve_people(settings, keys, day)
        for key in uncovered:
            problems.append(CoverageProblem(academy, account, where,
                                            f"{key} is away with no delegate"))
        reachable = []
        for key in people:
            if channels(settings.people[key], academy):
                reachable.append(key)
            else:
                problems.append(CoverageProblem(academy, account, where,
                                                f"{key} has no working email or chat channel"))
        if len(reachable) < minimum:
            problems.append(CoverageProblem(
                academy, account, where,
                f"only {len(reachable)} reachable (needs {minimum}): {', '.join(reachable) or '-'}"))

    for ak, academy in settings.academies.items():
        level(ak, "", "dsl", academy.dsl)
        for i, entry in enumerate(academy.safeguarding_rota):
            if (entry.starts is None or entry.starts <= day) and (entry.ends is None or day <= entry.ends):
                level(ak, "", f"safeguarding_rota.{i}", entry.people)
        for ck, account in academy.accounts.items():
            for i, lvl in enumerate(account.levels()):
                level(ak, ck, f"ladder level {i + 1}", lvl.people, 2 if i == 0 else 1)
    return problems


class CoverageChecker:
    """Runs the coverage check at start-up and daily, alerting the trust's admins once a day."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 notifier: object) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier

    async def run(self, now: datetime) -> list[CoverageProblem]:
        """Check now; record problems, raise one alert per academy per day, note removed monitors."""
        s = self._settings
        problems: list[CoverageProblem] = []
        async with self._sessions.begin() as session:
            for ak in s.academies:
                day = local_date(s, ak, now)
                found = [p for p in check_coverage(s, self._notifier, day) if p.academy == ak]
                problems.extend(found)
                for p in found:
                    audit(session, now, "modbot", "coverage_gap", None, academy=ak,
                          account=p.account, where=p.where, problem=p.problem)
                if found:
                    text = "; ".join(f"{p.account or ak} {p.where}: {p.problem}" for p in found)
                    await raise_alert(session, s, now, kind="coverage", role="admins",
                                      academy_key=ak, account_key="",
                                      summary=f"Alerts may not reach anyone: {text}",
                                      dedupe_key=f"coverage:{ak}:{day.isoformat()}")
            await self._removed_monitors(session, now)
        return problems

    async def _removed_monitors(self, session: AsyncSession, now: datetime) -> None:
        for ak, ck, account in self._settings.accounts():
            before = await load_cursor(session, _STATE_ACCOUNT, f"monitors:{ck}"[:64])
            current = sorted(set(account.monitors))
            removed = sorted(set(before.get("monitors", [])) - set(current))
            if removed:
                audit(session, now, "modbot", "monitor_removed", None, account=ck,
                      removed=removed)
                await raise_alert(
                    session, self._settings, now, kind="credentials_rotation", role="admins",
                    academy_key=ak, account_key=ck,
                    summary=(f"{', '.join(removed)} no longer monitor {ck}: change the account's "
                             "password and review who can sign in (policy 001, Handover)."),
                    dedupe_key=f"rotate:{ck}:{','.join(removed)}:{now.date().isoformat()}")
            if before.get("monitors") != current:
                await save_cursor(session, _STATE_ACCOUNT, {"monitors": current}, now,
                                  name=f"monitors:{ck}"[:64])

    async def sweep(self, now: datetime) -> int:
        """Run once per UTC day (call it every few minutes); returns problems found or 0."""
        async with self._sessions.begin() as session:
            last = await load_cursor(session, _STATE_ACCOUNT, "daily")
            today = now.date().isoformat()
            if last.get("day") == today:
                return 0
            await save_cursor(session, _STATE_ACCOUNT, {"day": today}, now, name="daily")
        return len(await self.run(now))
