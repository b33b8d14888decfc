"""Coverage checks: delegates, rotas, unreachable ladder levels, removed monitors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.calendar_config import CalendarBook
from bot.clock import ManualClock
from bot.coverage import (
    CoverageChecker,
    check_coverage,
    resolve_person,
    safeguarding_people,
)
from bot.notify import build_notifier
from bot.settings import parse_settings
from bot.store.models import AlertRow
from tests.conftest import settings_dict
from tests.test_escalation import build_env


def settings(tweak: Any = None) -> Any:
    data = settings_dict("sqlite:///x.db")
    if tweak:
        tweak(data)
    return parse_settings(data, "t")


class TestPeople:
    def test_delegates_chain_and_loops(self) -> None:
        """An away person's delegate is used, through chains, and a loop of absences is nobody."""
        def away(d: dict[str, Any]) -> None:
            d["people"]["alice"]["away"] = [{"from": "2026-11-23", "to": "2026-11-27",
                                             "delegate": "bob"}]
            d["people"]["bob"]["away"] = [{"from": "2026-11-25", "to": "2026-11-25",
                                           "delegate": "alice"}]

        s = settings(away)
        assert resolve_person(s, "alice", date(2026, 11, 22)) == "alice"
        assert resolve_person(s, "alice", date(2026, 11, 24)) == "bob"
        assert resolve_person(s, "alice", date(2026, 11, 25)) is None

    def test_unknown_delegate_is_a_config_error(self) -> None:
        """A delegate who is not a person is refused with the key path."""
        def bad(d: dict[str, Any]) -> None:
            d["people"]["alice"]["away"] = [{"from": "2026-11-23", "to": "2026-11-27",
                                             "delegate": "zed"}]

        with pytest.raises(Exception, match=r"people\.alice\.away\.0\.delegate"):
            settings(bad)

    def test_rota_only_out_of_hours(self) -> None:
        """The DSL holds safeguarding in working hours; the rota on evenings and bank holidays."""
        def rota(d: dict[str, Any]) -> None:
            d["people"]["rota"] = {"name": "On call", "email": "oncall@x.example"}
            d["academies"]["oakfield"]["safeguarding_rota"] = [{"people": ["rota"]}]

        s = settings(rota)
        cal = CalendarBook(s).get("oakfield")
        assert safeguarding_people(s, "oakfield", cal, datetime(2026, 11, 23, 10, tzinfo=UTC)
                                   ) == ["dee", "dan"]
        assert safeguarding_people(s, "oakfield", cal, datetime(2026, 11, 23, 19, tzinfo=UTC)
                                   ) == ["rota"]
        assert safeguarding_people(s, "oakfield", cal, datetime(2026, 12, 25, 10, tzinfo=UTC)
                                   ) == ["rota"]


class TestChecks:
    def test_levels_without_reachable_people_are_reported(self) -> None:
        """Level 1 with one reachable monitor and a DSL away without cover are both gaps."""
        def gaps(d: dict[str, Any]) -> None:
            d["people"]["bob"] = {"name": "Bob"}
            d["people"]["dee"]["away"] = [{"from": "2026-11-01", "to": "2026-11-30"}]

        s = settings(gaps)
        problems = check_coverage(s, build_notifier(s, {}), date(2026, 11, 23))
        text = [f"{p.where}: {p.problem}" for p in problems]
        assert "ladder level 1: bob has no working email or chat channel" in text
        assert "ladder level 1: only 1 reachable (needs 2): alice" in text
        assert "dsl: dee is away with no delegate" in text
        assert check_coverage(settings(), build_notifier(settings(), {}),
                              date(2026, 11, 23)) == []


@pytest.mark.storage
class TestChecker:
    async def test_removed_monitor_raises_rotation_reminder(self, db_url: str,
                                                            clock: ManualClock) -> None:
        """Dropping a monitor from the config reminds the admins to rotate the credentials."""
        env = await build_env(db_url, clock)
        try:
            await CoverageChecker(env.sessions, env.settings, build_notifier(env.settings, {})
                                  ).run(clock.now())
            data = settings_dict(db_url)
            data["people"]["carol"] = {"name": "Carol", "email": "carol@school.example"}
            data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["monitors"] = ["alice",
                                                                                    "carol"]
            changed = parse_settings(data, "t")
            checker = CoverageChecker(env.sessions, changed, build_notifier(changed, {}))
            assert await checker.sweep(clock.now()) == 0
            assert await checker.sweep(clock.now()) == 0  # once a day
            async with env.sessions() as s:
                found = (await s.scalars(select(AlertRow))).all()
            assert [(a.kind, a.audience) for a in found] == [("credentials_rotation", ["ian"])]
            assert "bob" in found[0].summary
        finally:
            for engine in env.engines:
                await engine.dispose()
