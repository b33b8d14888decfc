"""The issue's "done means": an unanswered Friday complaint on the emulated Facebook page.

Real pieces throughout: the Graph emulator on 127.0.0.1, the FacebookAdapter through the real
facebook-sdk, the Service on a real database, SMTP to a real server on 127.0.0.1 and the
acknowledge page over a socket.  Only time is manual.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from adapters.emulators.graph import GraphEmulator
from bot.app import Service
from bot.clock import ManualClock
from bot.notify.catcher import MailCatcher
from bot.settings import parse_settings
from bot.store.models import TicketRow
from tests.conftest import FAKE_ENV, settings_dict

pytestmark = pytest.mark.storage

PAGE = "1000000000001"
COMPLAINT = ("Absolutely fuming. Third week running the after-school club has been cancelled "
             "with no notice. Who do I speak to about this?")
FRIDAY_1630 = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # London is on GMT in November


class World:
    """The emulated page, the service and the SLA/escalation/report pieces, on one clock."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.catcher = MailCatcher()
        self.emu = GraphEmulator(app_secret=FAKE_ENV["FB_SECRET"],
                                 verify_token=FAKE_ENV["FB_VERIFY"],
                                 clock=lambda: clock.now().timestamp())

    async def start(self, db_url: str) -> None:
        self.emu.add_page("Oakfield Academy", page_id=PAGE, access_token=FAKE_ENV["FB_TOKEN"])
        await self.emu.start()
        await self.catcher.start()
        data = settings_dict(db_url)
        data["service"]["mail"] = {"host": "127.0.0.1", "port": self.catcher.port}
        data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["facebook"]["base_url"] = \
            self.emu.base_url
        self.settings = parse_settings(data, "e2e")
        self.svc = Service(self.settings, "e2e", clock=self.clock, environ=FAKE_ENV)
        # The service's own web endpoint (port 0) serves the acknowledge links it mails.
        await self.svc.start(schedule=False)
        assert self.svc.escalator is not None and self.svc.reporter is not None
        self.escalator = self.svc.escalator
        self.tickets = self.svc.tickets
        self.reporter = self.svc.reporter

    async def stop(self) -> None:
        await self.svc.stop()
        await self.emu.stop()
        await self.catcher.stop()

    async def run_until(self, until: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        """Tick the service and every sweep, step by step, as the scheduler would."""
        while self.clock.now() < until:
            self.clock.set(min(self.clock.now() + step, until))
            await self.tick()

    async def tick(self) -> None:
        await self.svc.tick()  # poll, decide, act, ticket clock, escalation, weekly reports

    def mail(self, subject_start: str) -> list[tuple[str, Any]]:
        return [(e["to"][0], m) for m, e in zip(self.catcher.messages, self.catcher.envelopes,
                                                 strict=True)
                if m["Subject"].startswith(subject_start)]


@pytest.fixture(name="world")
async def _world(db_url: str, clock: ManualClock) -> AsyncIterator[World]:
    clock.set(FRIDAY_1630 - timedelta(minutes=30))
    w = World(clock)
    await w.start(db_url)
    yield w
    await w.stop()


class TestUnansweredFridayComplaint:
    async def test_done_means(self, world: World, clock: ManualClock) -> None:
        """At risk to both monitors, breach to level 2, the link stops it, a reply closes it."""
        post = world.emu.add_post("After-school clubs update")
        clock.set(FRIDAY_1630)
        complaint = world.emu.add_comment(post["id"], COMPLAINT, author="Mark Dobson")
        await world.tick()
        async with world.svc.sessions() as s:
            ticket = (await s.scalars(select(TicketRow))).one()
        assert ticket.label == "complaint"
        assert ticket.due_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 17:00

        # Nobody answers over the weekend: no alert email before Monday 13:00.
        await world.run_until(datetime(2026, 11, 30, 12, 45, tzinfo=UTC), timedelta(hours=1))
        assert world.mail("Answer") == []
        await world.run_until(datetime(2026, 11, 30, 13, 0, tzinfo=UTC))
        at_risk = world.mail("Answer due soon")
        assert sorted(to for to, _ in at_risk) == ["alice@school.example", "bob@school.example"]
        assert "Mark Dobson" in at_risk[0][1].get_body(("plain",)).get_content()

        await world.run_until(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
        breach = world.mail("Answer overdue")
        assert [to for to, _ in breach] == ["head@school.example"]

        # The head opens the link (GET changes nothing) and presses Acknowledge (POST).
        text = breach[0][1].get_body(("plain",)).get_content()
        url = re.search(r"http://127\.0\.0\.1:\d+/ack/\S+", text)
        assert url is not None
        async with aiohttp.ClientSession() as http:
            async with http.get(url.group(0)) as r:
                assert r.status == 200 and "Acknowledge</button>" in await r.text()
            async with http.post(url.group(0), data={"acknowledge": "yes"}) as r:
                assert r.status == 200 and "acknowledged" in await r.text()
        sent_before = len(world.mail("Answer overdue"))
        await world.run_until(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
        assert len(world.mail("Answer overdue")) == sent_before  # the climb stopped

        # A member of staff replies on the page itself; the poll brings it in; it answers.
        clock.set(datetime(2026, 11, 30, 20, 30, tzinfo=UTC))
        world.emu.world.add_comment(complaint["id"], "Mark, sorry for the wait: Mrs Ali will "
                                    "call you tomorrow morning.", from_id=PAGE,
                                    from_name="Oakfield Academy")
        await world.tick()
        async with world.svc.sessions() as s:
            ticket = (await s.scalars(select(TicketRow))).one()
        assert ticket.state == "answered"
        assert ticket.answered_at == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)

        # The weekly report of the week it arrived (and of the week it fell due) lists it.
        for week in ("2026-W48", "2026-W49"):
            report = json.loads(await world.reporter.render("oakfield", week, clock.now(), "json"))
            assert [b["item_id"] for b in report["breaches"]] == [ticket.item_id], week
            assert report["breaches"][0]["hours_late"] == 3.5
        # ... and the Monday 07:00 email for week 49 carries it, with chart and CSV.
        await world.run_until(datetime(2026, 12, 7, 7, 0, tzinfo=UTC), timedelta(hours=6))
        weekly = [m for to, m in world.mail("Weekly SLA summary 2026-W49: Oakfield")
                  if to == "head@school.example"]
        assert len(weekly) == 1
        parts = {p.get_content_type(): p for p in weekly[0].walk()}
        assert parts["image/png"].get_content()[:4] == b"\x89PNG"
        assert "breach" in parts["text/csv"].get_content()
        assert "Mark Dobson" in parts["text/html"].get_content()
