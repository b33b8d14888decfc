"""Weekly reports are delivered once to each recipient; a failed recipient is retried alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.notify import DeliveryError
from bot.notify.message import Message
from bot.reports import WeeklyReporter
from bot.settings import Person
from bot.store.models import WeeklyReportRow
from tests.test_escalation import Env, build_env

pytestmark = pytest.mark.storage
MONDAY_0700 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


class FlakyNotifier:
    """Fails the first ``failures`` sends to each person in ``flaky``; records the rest."""

    def __init__(self, sent: list[tuple[str, str]], flaky: dict[str, Exception],
                 failures: int = 1) -> None:
        self.sent = sent
        self.flaky = flaky
        self.left = {key: failures for key in flaky}

    async def send(self, channel: str, person: Person, message: Message) -> str:
        await asyncio.sleep(0)
        key = str(person.email).split("@")[0]
        if self.left.get(key, 0) > 0:
            self.left[key] -= 1
            raise self.flaky[key]
        self.sent.append((key, message.subject))
        return "ok"


@pytest.fixture(name="env")
async def _env(db_url: str, clock: ManualClock) -> AsyncIterator[Env]:
    def two(d: dict[str, Any]) -> None:
        d["academies"]["oakfield"]["weekly_report_to"] = ["hannah", "gill"]

    env = await build_env(db_url, clock, two)
    yield env
    for engine in env.engines:
        await engine.dispose()


def reporter(env: Env, notifier: FlakyNotifier) -> WeeklyReporter:
    """A reporter on its own engine, as another process would have."""
    return WeeklyReporter(env.escalator()._sessions, env.settings,
                          notifier)  # type: ignore[arg-type]


class TestPerRecipient:
    @pytest.mark.parametrize("error", [DeliveryError("421 try later"), RuntimeError("boom")])
    async def test_failed_recipient_is_retried_without_resending_others(
        self, env: Env, error: Exception
    ) -> None:
        """The chair's send fails at 07:00: the head gets it once, the chair gets it later."""
        sent: list[tuple[str, str]] = []
        r = reporter(env, FlakyNotifier(sent, {"chair": error}))
        await r.sweep(MONDAY_0700)
        assert sorted(k for k, s in sent if "Oakfield" in s) == ["head"]
        await r.sweep(MONDAY_0700 + timedelta(minutes=2))  # backing off
        await r.sweep(MONDAY_0700 + timedelta(minutes=10))
        await r.sweep(MONDAY_0700 + timedelta(hours=5))
        assert sorted(k for k, s in sent if "Oakfield" in s) == ["chair", "head"]
        async with env.sessions() as s:
            row = (await s.scalars(select(WeeklyReportRow).where(
                WeeklyReportRow.scope == "oakfield"))).one()
        assert row.status == "sent"

    async def test_each_recipient_once_across_workers(self, env: Env) -> None:
        """Two processes sweeping all morning with a flaky server send each recipient one copy."""
        sent: list[tuple[str, str]] = []
        a = reporter(env, FlakyNotifier(sent, {"chair": DeliveryError("busy")}, failures=2))
        b = reporter(env, FlakyNotifier(sent, {"head": DeliveryError("busy")}))
        for minutes in range(0, 240, 5):
            now = MONDAY_0700 + timedelta(minutes=minutes)
            await asyncio.gather(a.sweep(now), b.sweep(now), a.sweep(now))
        assert sorted(sent) == sorted(set(sent))
        assert sorted(k for k, _ in sent) == ["chair", "head", "it"]

    async def test_recipient_without_email_does_not_block_others(self, env: Env) -> None:
        """A recipient with no email address is given up at once; the other still gets it."""
        env.settings.people["gill"] = Person(name="Gill Governor")
        sent: list[tuple[str, str]] = []
        await reporter(env, FlakyNotifier(sent, {})).sweep(MONDAY_0700)
        async with env.sessions() as s:
            row = (await s.scalars(select(WeeklyReportRow).where(
                WeeklyReportRow.scope == "oakfield"))).one()
        assert sorted(k for k, _ in sent) == ["head", "it"]
        assert row.status == "failed" and "gill" in row.error
