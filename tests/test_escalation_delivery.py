"""Sending alert deliveries: leases longer than a send, urgent first, one failure stops nothing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.ack import AckLinks
from bot.alerts import raise_alert
from bot.clock import ManualClock
from bot.escalation import Escalator
from bot.notify import DeliveryError
from bot.notify.message import Message
from bot.settings import Person
from bot.store.models import AlertDeliveryRow
from bot.store.session import make_engine, make_sessionmaker
from tests.test_escalation import Env, build_env

pytestmark = pytest.mark.storage
SECRET_TEXT = "secret comment text about a pupil"


class FakeNotifier:
    """Records (person email, subject) and runs an optional hook inside each send."""

    def __init__(self, sent: list[tuple[str, str]],
                 hook: Callable[[Person, Message], Awaitable[None]] | None = None) -> None:
        self.sent = sent
        self.hook = hook

    def channels(self, person: Person, academy: str | None = None) -> list[str]:
        return ["email"] if person.email else []

    async def send(self, channel: str, person: Person, message: Message) -> str:
        if self.hook is not None:
            await self.hook(person, message)
        self.sent.append((str(person.email), message.subject))
        return "ok"


@pytest.fixture(name="env")
async def _env(db_url: str, clock: ManualClock) -> AsyncIterator[Env]:
    env = await build_env(db_url, clock)
    yield env
    for engine in env.engines:
        await engine.dispose()


def escalator(env: Env, notifier: FakeNotifier) -> Escalator:
    """An escalator on its own engine, as another process would have."""
    engine = make_engine(env.url)
    env.engines.append(engine)
    links = AckLinks("k" * 32, "http://modbot.test", env.clock.now)
    return Escalator(make_sessionmaker(engine), env.settings, notifier,  # type: ignore[arg-type]
                     env.clock, links)


async def raise_many(env: Env, kind: str, role: str, n: int, prefix: str) -> None:
    async with env.sessions.begin() as s:
        for i in range(n):
            await raise_alert(s, env.settings, env.clock.now(), kind=kind, role=role,
                              academy_key="oakfield", account_key="oakfield-fb",
                              summary=f"{prefix} {i}", dedupe_key=f"{prefix}:{i}")


async def deliveries(env: Env) -> list[AlertDeliveryRow]:
    async with env.sessions() as s:
        return list((await s.scalars(select(AlertDeliveryRow))).all())


class TestLease:
    async def test_slow_sends_are_not_sent_twice_by_another_worker(
        self, env: Env, clock: ManualClock
    ) -> None:
        """With every send taking 30 s, a second worker sweeping meanwhile sends nothing twice."""
        sent: list[tuple[str, str]] = []
        other = escalator(env, FakeNotifier(sent))

        async def slow(person: Person, message: Message) -> None:
            clock.advance(timedelta(seconds=30))  # an SMTP server timing out
            await other.sweep(clock.now())

        first = escalator(env, FakeNotifier(sent, slow))
        await raise_many(env, "moderation", "monitors", 12, "m")
        await first.sweep(clock.now())
        await other.sweep(clock.now())
        rows = await deliveries(env)
        assert len(rows) == 24 and len(sent) == 24 and len(set(sent)) == 24
        assert all(r.status == "sent" and r.attempts == 1 for r in rows)

    async def test_lease_outlasts_the_worst_send(self, db_url: str, clock: ManualClock) -> None:
        """With a 60 s mail timeout a claim's lease outlasts every step of one SMTP send."""
        def slow_mail(d: dict[str, Any]) -> None:
            d["service"]["mail"]["timeout_seconds"] = 60

        env = await build_env(db_url, clock, slow_mail)
        seen: list[timedelta] = []

        async def look(person: Person, message: Message) -> None:
            for row in await deliveries(env):
                if row.status == "sending" and row.lease_until is not None:
                    seen.append(row.lease_until - clock.now())

        await raise_many(env, "moderation", "monitors", 1, "m")
        await escalator(env, FakeNotifier([], look)).sweep(clock.now())
        worst = timedelta(seconds=8 * env.settings.service.mail.timeout_seconds)
        for engine in env.engines:
            await engine.dispose()
        assert seen and all(lease > worst for lease in seen)

    async def test_late_sender_does_not_undo_a_newer_claim(
        self, env: Env, clock: ManualClock
    ) -> None:
        """A send that outlives its lease and then fails does not reset a row another sent."""
        sent: list[tuple[str, str]] = []
        other = escalator(env, FakeNotifier(sent))
        hung: list[str] = []

        async def hang(person: Person, message: Message) -> None:
            if not hung:
                hung.append(str(person.email))
                clock.advance(timedelta(hours=2))  # far past any lease
                await other.sweep(clock.now())
                raise DeliveryError("timed out")

        await raise_many(env, "moderation", "monitors", 1, "m")
        await escalator(env, FakeNotifier(sent, hang)).sweep(clock.now())
        await other.sweep(clock.advance(timedelta(minutes=20)))
        mine = [r for r in await deliveries(env) if r.person in ("alice", "bob") and r.step == 0]
        assert all(r.status == "sent" for r in mine)
        assert sorted(to for to, _ in sent).count(hung[0]) == 1


class TestOrderAndFailures:
    async def test_urgent_deliveries_go_first(self, env: Env, clock: ManualClock) -> None:
        """A safeguarding alert raised after many ordinary ones is emailed before them."""
        sent: list[tuple[str, str]] = []
        await raise_many(env, "moderation", "monitors", 10, "ordinary")
        await raise_many(env, "safeguarding", "dsl", 1, "urgent")
        await escalator(env, FakeNotifier(sent)).sweep(clock.now())
        assert len(sent) == 22
        assert {to for to, _ in sent[:2]} == {"dsl@school.example", "deputy@school.example"}

    async def test_unexpected_error_is_retried_and_does_not_stop_others(
        self, env: Env, clock: ManualClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A delivery that raises an unexpected error is retried later; the rest are sent now."""
        sent: list[tuple[str, str]] = []
        failed: list[str] = []

        async def crash_once(person: Person, message: Message) -> None:
            if not failed:
                failed.append(str(person.email))
                raise RuntimeError(SECRET_TEXT)

        esc = escalator(env, FakeNotifier(sent, crash_once))
        await raise_many(env, "moderation", "monitors", 3, "m")
        with caplog.at_level(logging.WARNING):
            await esc.sweep(clock.now())
        assert len(sent) == 5
        assert SECRET_TEXT not in caplog.text
        bad = [r for r in await deliveries(env) if r.status != "sent"]
        assert len(bad) == 1 and bad[0].status == "pending" and bad[0].attempts == 1
        await esc.sweep(clock.advance(timedelta(minutes=1)))
        rows = await deliveries(env)
        assert len(sent) == 6 and all(r.status == "sent" for r in rows)


