"""Escalation ladders on a real database, delivering to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.ack import AckLinks
from bot.alerts import raise_alert
from bot.clock import ManualClock
from bot.escalation import Escalator
from bot.notify import build_notifier
from bot.notify.catcher import MailCatcher
from bot.settings import Settings, parse_settings
from bot.store.migrate import upgrade_async
from bot.store.models import AlertDeliveryRow, AlertRow, AuditRow
from bot.store.session import make_engine, make_sessionmaker
from tests.conftest import settings_dict

pytestmark = pytest.mark.storage


@dataclass
class Env:
    """A migrated database, settings pointing at a mail catcher, and an escalator."""

    url: str
    settings: Settings
    clock: ManualClock
    catcher: MailCatcher
    sessions: Any
    engines: list[Any]

    def escalator(self) -> Escalator:
        """A fresh Escalator (as a new process would build) on its own engine."""
        engine = make_engine(self.url)
        self.engines.append(engine)
        links = AckLinks("k" * 32, "http://modbot.test", self.clock.now)
        return Escalator(make_sessionmaker(engine), self.settings,
                         build_notifier(self.settings, {}), self.clock, links)

    async def raise_(self, kind: str, role: str, key: str = "", **kw: Any) -> int:
        async with self.sessions.begin() as s:
            await raise_alert(s, self.settings, self.clock.now(), kind=kind, role=role,
                              academy_key="oakfield", account_key="oakfield-fb",
                              summary=f"{kind} test", dedupe_key=key or f"{kind}:{role}", **kw)
        async with self.sessions() as s:
            return int(await s.scalar(select(func.max(AlertRow.id))) or 0)

    def inbox(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every message that arrived, in order."""
        return [(e["to"][0], m["Subject"]) for m, e in
                zip(self.catcher.messages, self.catcher.envelopes, strict=True)]

    def people(self) -> list[str]:
        return sorted(e["to"][0].split("@")[0] for e in self.catcher.envelopes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def build_env(db_url: str, clock: ManualClock, tweak: Callable[[dict[str, Any]], None]
                    | None = None, port: int | None = None) -> Env:
    await upgrade_async(db_url)
    catcher = MailCatcher()
    port = port or free_port()
    data = settings_dict(db_url)
    data["service"]["mail"] = {"host": "127.0.0.1", "port": port, "timeout_seconds": 3}
    if tweak:
        tweak(data)
    settings = parse_settings(data, "test")
    engine = make_engine(db_url)
    return Env(db_url, settings, clock, catcher, make_sessionmaker(engine), [engine])


@pytest.fixture(name="env_factory")
async def _env_factory(db_url: str, clock: ManualClock) -> AsyncIterator[Callable[..., Any]]:
    made: list[Env] = []

    async def make(tweak: Callable[[dict[str, Any]], None] | None = None,
                   start_mail: bool = True) -> Env:
        env = await build_env(db_url, clock, tweak)
        if start_mail:
            await env.catcher.start(port=env.settings.service.mail.port)
        made.append(env)
        return env

    yield make
    for env in made:
        await env.catcher.stop()
        for engine in env.engines:
            await engine.dispose()


class TestLadder:
    async def test_climbs_levels_and_repeats_the_last(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Level 1 is told at once, level 2 after its wait, and the last level repeats."""
        env = await env_factory()
        esc = env.escalator()
        await env.raise_("moderation", "monitors")
        assert await esc.sweep(clock.now()) == 2
        assert env.people() == ["alice", "bob"]
        await esc.sweep(clock.advance(timedelta(minutes=29)))
        assert len(env.catcher.messages) == 2
        await esc.sweep(clock.advance(timedelta(minutes=1)))
        assert env.people() == ["alice", "bob", "head"]
        assert "has come to you" in env.catcher.messages[-1].get_body(("plain",)).get_content()
        await esc.sweep(clock.advance(timedelta(minutes=60)))
        assert env.people() == ["alice", "bob", "head", "head"]

    async def test_acknowledgement_stops_the_climb_once(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """The first acknowledgement stops everything and is audited; a second one is refused."""
        env = await env_factory()
        esc = env.escalator()
        alert_id = await env.raise_("moderation", "monitors")
        await esc.sweep(clock.now())
        assert await esc.acknowledge(alert_id, "bob", "link", clock.advance(timedelta(minutes=5)))
        assert not await esc.acknowledge(alert_id, "alice", "link", clock.now())
        await esc.sweep(clock.advance(timedelta(hours=5)))
        assert env.people() == ["alice", "bob"]
        async with env.sessions() as s:
            alert = await s.get(AlertRow, alert_id)
            ev = (await s.scalars(select(AuditRow).where(
                AuditRow.event == "alert_acknowledged"))).one()
        assert alert is not None and alert.state == "acknowledged"
        assert ev.actor == "bob" and ev.data["via"] == "link"

    async def test_safeguarding_starts_at_dsl_with_short_wait(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Safeguarding goes to the DSL and deputy, says call 999, and adds the head after 15 min."""
        env = await env_factory()
        esc = env.escalator()
        await env.raise_("safeguarding", "dsl")
        await esc.sweep(clock.now())
        assert env.people() == ["deputy", "dsl"]
        assert "call 999" in env.catcher.messages[0].get_body(("plain",)).get_content()
        await esc.sweep(clock.advance(timedelta(minutes=15)))
        assert env.people() == ["deputy", "deputy", "dsl", "dsl", "head"]

    async def test_allegation_about_head_never_reaches_the_head(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """An alert to the chair of governors (about the head) climbs without the head."""
        env = await env_factory()
        esc = env.escalator()
        await env.raise_("safeguarding", "chair_of_governors")
        for _ in range(4):
            await esc.sweep(clock.advance(timedelta(minutes=15)))
        assert "head" not in env.people() and "chair" in env.people()

    async def test_rota_out_of_hours(self, env_factory: Callable[..., Any],
                                     clock: ManualClock) -> None:
        """On a Saturday night the safeguarding rota is told instead of the DSL and deputy."""
        def rota(d: dict[str, Any]) -> None:
            d["people"]["rota"] = {"name": "On Call", "email": "oncall@trust.example"}
            d["academies"]["oakfield"]["safeguarding_rota"] = [{"people": ["rota"]}]

        env = await env_factory(rota)
        clock.set(datetime(2026, 11, 28, 22, 0, tzinfo=UTC))
        await env.raise_("safeguarding", "dsl")
        await env.escalator().sweep(clock.now())
        assert env.people() == ["oncall"]

    async def test_sla_alerts_start_at_their_levels(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """"At risk" goes to level 1 and "breached" straight to level 2."""
        env = await env_factory()
        esc = env.escalator()
        await env.raise_("sla_at_risk", "monitors")
        await env.raise_("sla_breached", "monitors")
        await esc.sweep(clock.now())
        subjects = env.inbox()
        assert sorted(to for to, s in subjects if s.startswith("Answer due soon")) == [
            "alice@school.example", "bob@school.example"]
        assert [to for to, s in subjects if s.startswith("Answer overdue")] == [
            "head@school.example"]

    async def test_delegate_covers_an_away_person(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Alice is away this week, so her delegate Carol is told instead."""
        def away(d: dict[str, Any]) -> None:
            d["people"]["carol"] = {"name": "Carol Cover", "email": "carol@school.example"}
            d["people"]["alice"]["away"] = [
                {"from": "2026-11-20", "to": "2026-11-27", "delegate": "carol"}]

        env = await env_factory(away)
        await env.raise_("moderation", "monitors")
        await env.escalator().sweep(clock.now())
        assert env.people() == ["bob", "carol"]


class TestDeliveryProblems:
    async def test_unreachable_person_is_reported_to_next_level(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Bob has no channel: Alice is told, and the head is told nobody could reach Bob."""
        def no_bob(d: dict[str, Any]) -> None:
            d["people"]["bob"] = {"name": "Bob Monitor"}

        env = await env_factory(no_bob)
        esc = env.escalator()
        await env.raise_("moderation", "monitors")
        await esc.sweep(clock.now())
        assert env.people() == ["alice", "head"]
        notice = env.catcher.to("head@school.example")[0].get_body(("plain",)).get_content()
        assert "could not reach Bob Monitor" in notice

    async def test_nobody_reachable_climbs_at_once(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """When no one at level 1 has a channel, level 2 is told in the same minute."""
        def nobody(d: dict[str, Any]) -> None:
            d["people"]["alice"] = {"name": "Alice"}
            d["people"]["bob"] = {"name": "Bob"}

        env = await env_factory(nobody)
        esc = env.escalator()
        await env.raise_("moderation", "monitors")
        await esc.sweep(clock.now())
        await esc.sweep(clock.now())
        assert env.people() == ["head"]
        assert "could not reach Alice, Bob" in env.catcher.messages[0].get_body(
            ("plain",)).get_content()

    async def test_failed_send_is_retried(self, env_factory: Callable[..., Any],
                                          clock: ManualClock) -> None:
        """With the mail server down the send fails; it is retried once the server is back."""
        env = await env_factory(start_mail=False)
        esc = env.escalator()
        await env.raise_("moderation", "monitors")
        await esc.sweep(clock.now())
        assert env.catcher.messages == []
        await env.catcher.start(port=env.settings.service.mail.port)
        await esc.sweep(clock.advance(timedelta(seconds=30)))
        assert env.catcher.messages == []  # back-off: not yet
        await esc.sweep(clock.advance(timedelta(minutes=1)))
        assert env.people() == ["alice", "bob"]
        async with env.sessions() as s:
            rows = (await s.scalars(select(AlertDeliveryRow))).all()
        assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}


class TestRestartsAndWorkers:
    async def test_restart_mid_wait(self, env_factory: Callable[..., Any],
                                    clock: ManualClock) -> None:
        """A new process after a restart sends level 2 on time and never repeats level 1."""
        env = await env_factory()
        await env.raise_("moderation", "monitors")
        await env.escalator().sweep(clock.now())
        second = env.escalator()  # "restarted": new engine, new objects, same database
        await second.sweep(clock.advance(timedelta(minutes=10)))
        assert env.people() == ["alice", "bob"]
        await second.sweep(clock.advance(timedelta(minutes=20)))
        assert env.people() == ["alice", "bob", "head"]

    async def test_two_escalators_send_each_step_exactly_once(
        self, env_factory: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Two workers sweeping the same database at the same moments send each message once."""
        env = await env_factory()
        a, b = env.escalator(), env.escalator()
        for n in range(6):
            await env.raise_("moderation", "monitors", key=f"m{n}")
        for minutes in (0, 30, 0, 60, 0):
            now = clock.advance(timedelta(minutes=minutes))
            await asyncio.gather(a.sweep(now), b.sweep(now), a.sweep(now), b.sweep(now))
        await a.sweep(clock.now())
        # 6 alerts x (alice, bob) + 6 x head at 30 min + 6 x head at 90 min
        assert len(env.catcher.messages) == 6 * 4
        keys = [(m["Subject"], e["to"][0]) for m, e in
                zip(env.catcher.messages, env.catcher.envelopes, strict=True)]
        async with env.sessions() as s:
            sent = (await s.scalars(select(AlertDeliveryRow))).all()
        assert len(sent) == 24 and all(r.status == "sent" and r.attempts == 1 for r in sent)
        assert len(set(keys)) == 6 * 3  # head twice per alert (two steps), others once
