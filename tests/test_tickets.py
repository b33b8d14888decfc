"""Ticket lifecycle on a real database: answers, bot posts, closing, restores, at risk, breach."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.testing import FakeAdapter
from bot.app import Service
from bot.clock import ManualClock
from bot.domain import Author, Item
from bot.settings import Settings, parse_settings
from bot.store.models import ActionRow, AlertRow, AuditRow, ItemRow, TicketRow
from bot.tickets import TicketClock, addressed_to, courtesy_text
from tests.conftest import FAKE_ENV, settings_dict

pytestmark = pytest.mark.storage

COMPLAINT = ("Absolutely fuming. Third week running the after-school club has been cancelled "
             "with no notice. Who do I speak to about this?")
ABUSE = "Mrs Hughes you are a useless fat cow"
PAGE = "page-1"


def comment(ext: str, text: str, at: datetime, *, author: str = "Mark Dobson",
            official: bool = False, parent: str | None = None, thread: str = "post-1") -> Item:
    return Item(platform="facebook", account="oakfield-fb", external_id=ext, thread_id=thread,
                author=Author(id=PAGE if official else author.lower().replace(" ", "-"),
                              name="Oakfield Academy" if official else author,
                              is_official=official),
                text=text, created_at=at, parent_id=parent)


@pytest.fixture(name="world")
async def _world(db_url: str, clock: ManualClock
                 ) -> AsyncIterator[Callable[..., Any]]:
    made: list[Service] = []

    async def make(tweak: Callable[[dict[str, Any]], None] | None = None
                   ) -> tuple[Service, FakeAdapter, TicketClock]:
        data = settings_dict(db_url)
        if tweak:
            tweak(data)
        settings: Settings = parse_settings(data, "t")
        fake = FakeAdapter(account="oakfield-fb")
        svc = Service(settings, "t", clock=clock, environ=FAKE_ENV,
                      adapters={"oakfield-fb": fake})
        await svc.start(web_server=False, schedule=False)
        made.append(svc)
        return svc, fake, TicketClock(svc.sessions, settings, svc.calendars)

    yield make
    for svc in made:
        await svc.stop()


async def ticket(svc: Service) -> TicketRow:
    async with svc.sessions() as s:
        return (await s.scalars(select(TicketRow))).one()


async def alerts(svc: Service) -> list[AlertRow]:
    async with svc.sessions() as s:
        return list((await s.scalars(select(AlertRow).order_by(AlertRow.id))).all())


class TestAnswers:
    async def test_staff_reply_answers_the_ticket(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A page reply to the complaint answers it at the reply's own time."""
        svc, fake, tc = await world()
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        replied = clock.now() + timedelta(hours=2)
        fake.push(comment("r1", "Sorry Mark, Mrs Ali will ring you today.", replied,
                          official=True, parent="c1"))
        clock.advance(timedelta(hours=3))
        assert (await svc.tick())["tickets"] == 1  # the service's own ticket sweep
        assert await tc.sweep(clock.now()) == 0  # a second sweep finds nothing more to do
        t = await ticket(svc)
        assert t.state == "answered" and t.answered_at == replied

    async def test_bot_courtesy_reply_never_answers(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """The courtesy reply points to the complaints procedure but leaves the ticket open."""
        def courtesy(d: dict[str, Any]) -> None:
            d["academies"]["oakfield"]["courtesy_reply"] = True
            d["academies"]["oakfield"]["complaints_procedure_url"] = "https://oak.example/c"

        svc, fake, tc = await world(courtesy)
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        await tc.sweep(clock.now())
        await svc.tick()  # the executor posts the courtesy reply
        assert len(fake.replies) == 1 and fake.replies[0][0] == "c1"
        assert "https://oak.example/c" in fake.replies[0][1]
        # the platform shows the bot's reply back to the poller as an official comment
        fake.push(comment("reply-1", fake.replies[0][1], clock.now(), official=True,
                          parent="c1"))
        await svc.tick()
        await tc.sweep(clock.advance(timedelta(minutes=1)))
        await tc.sweep(clock.now())
        assert (await ticket(svc)).state == "open"
        assert len(fake.replies) == 1  # sent once

    async def test_sibling_reply_counts_only_when_addressed(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A page comment elsewhere in the thread answers only if it names the author."""
        svc, fake, tc = await world()
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        fake.push(comment("p1", "Reminder: fair on Saturday!", clock.now(), official=True))
        await svc.tick()
        await tc.sweep(clock.now())
        assert (await ticket(svc)).state == "open"
        fake.push(comment("p2", "@Mark Dobson please message us", clock.now(), official=True))
        await svc.tick()
        await tc.sweep(clock.now())
        assert (await ticket(svc)).state == "answered"

    def test_name_matching(self) -> None:
        """Names match whole words, first names of three letters or more, with or without @."""
        assert addressed_to("Thanks @Mark, we'll call", "Mark Dobson")
        assert addressed_to("mark dobson: see DM", "Mark Dobson")
        assert not addressed_to("Bookmark this page", "Mark Dobson")
        assert not addressed_to("Hi all", "")
        assert courtesy_text("See {url}", "https://x") == "See https://x"


class TestClock:
    async def test_friday_afternoon_complaint_goes_at_risk_then_breached(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Friday 16:30 is due Monday 17:00; at risk at 13:00 to level 1, breach to level 2."""
        svc, fake, tc = await world()
        clock.set(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        t = await ticket(svc)
        assert t.due_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
        for hour in range(1, 74):  # through the weekend to Monday 17:30, hour by hour
            clock.set(datetime(2026, 11, 27, 16, 30, tzinfo=UTC) + timedelta(hours=hour))
            await tc.sweep(clock.now())
            if clock.now() < datetime(2026, 11, 30, 13, 0, tzinfo=UTC):
                assert await alerts(svc) == [], clock.now()
        found = await alerts(svc)
        assert [(a.kind, a.state) for a in found] == [
            ("sla_at_risk", "superseded"), ("sla_breached", "open")]
        assert found[0].audience == ["alice", "bob"] and found[1].audience == ["hannah"]
        assert (await ticket(svc)).state == "breached"

    async def test_restart_does_not_raise_twice(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A second TicketClock (a restart or another worker) never raises the breach again."""
        svc, fake, tc = await world()
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        clock.advance(timedelta(days=2))
        again = TicketClock(svc.sessions, svc.settings, svc.calendars)
        assert await tc.sweep(clock.now()) == 1
        assert await again.sweep(clock.now()) == 0
        assert [a.kind for a in await alerts(svc)] == ["sla_breached"]

    async def test_answer_resolves_open_sla_alerts(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Marking a ticket handled stops its SLA alert climbing."""
        svc, fake, tc = await world()
        fake.push(comment("c1", COMPLAINT, clock.now()))
        await svc.tick()
        await tc.sweep(clock.advance(timedelta(hours=21)))
        t = await ticket(svc)
        assert t.state == "at_risk"
        assert await tc.mark_handled(t.item_id, "alice", clock.now(), "rang the parent")
        assert not await tc.mark_handled(t.item_id, "alice", clock.now())
        assert [(a.kind, a.state) for a in await alerts(svc)] == [("sla_at_risk", "resolved")]
        t = await ticket(svc)
        assert t.state == "handled" and t.close_reason == "handled by alice"


class TestClosingAndRestoring:
    async def test_hidden_or_deleted_items_need_no_answer(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A ticket closes when its item is hidden by policy or deleted by its author."""
        svc, fake, tc = await world()
        fake.push(comment("c1", COMPLAINT, clock.now()))
        fake.push(comment("c2", COMPLAINT + " Again.", clock.now(), author="Jo Bloggs"))
        await svc.tick()
        async with svc.sessions.begin() as s:
            item = (await s.scalars(select(ItemRow).where(ItemRow.external_id == "c1"))).one()
            item.visibility = "hidden"
        assert await tc.item_deleted("facebook", "c2", clock.now())
        await tc.sweep(clock.now())
        async with svc.sessions() as s:
            reasons = sorted((await s.scalars(select(TicketRow.close_reason))).all())
        assert reasons == ["deleted_by_author", "hidden_by_policy"]

    async def test_restore_unhides_and_opens_ticket_with_original_due(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Restoring a wrongly hidden comment unhides it, records a false positive, opens a ticket."""
        svc, fake, tc = await world()
        fake.push(comment("c1", ABUSE, clock.now()))
        await svc.tick()
        assert "c1" in fake.hidden
        async with svc.sessions() as s:
            item = (await s.scalars(select(ItemRow))).one()
        clock.advance(timedelta(hours=3))
        message = await tc.restore(item.id, "alice", clock.now())
        assert "ticket opened" in message
        await svc.tick()
        assert "c1" not in fake.hidden
        t = await ticket(svc)
        assert t.due_at == item.created_at + timedelta(hours=24) and t.state == "open"
        await tc.sweep(clock.now())
        assert (await ticket(svc)).state == "open"  # not closed again as hidden
        async with svc.sessions() as s:
            ev = (await s.scalars(select(AuditRow).where(AuditRow.event == "item_restored"))
                  ).one()
        assert ev.actor == "alice" and ev.data["false_positive"] is True

    async def test_restore_waits_for_a_hide_already_on_its_way(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A hide a worker is sending when a monitor restores cannot land after the unhide."""
        svc, fake, tc = await world()
        fake.push(comment("c1", ABUSE, clock.now()))
        await svc.tick()
        async with svc.sessions.begin() as s:  # put the hide back "in flight" on a worker
            hide = (await s.scalars(select(ActionRow).where(ActionRow.kind == "hide"))).one()
            hide.status, hide.attempts = "running", hide.attempts + 1
            hide.lease_until = clock.now() + timedelta(minutes=5)
            item = (await s.scalars(select(ItemRow))).one()
        await tc.restore(item.id, "alice", clock.now())
        async with svc.sessions() as s:
            rows = {a.kind: a for a in (await s.scalars(select(ActionRow))).all()}
        assert rows["hide"].status == "cancelled"  # the worker's record of it will be refused
        assert rows["unhide"].not_before == clock.now() + timedelta(minutes=5)
        await svc.tick()
        assert "c1" in fake.hidden  # the unhide has not run yet...
        clock.advance(timedelta(minutes=5, seconds=1))
        await svc.tick()
        assert "c1" not in fake.hidden  # ...and runs once the hide can no longer land

    async def test_restore_on_discord_withdraws_the_delete_timeout_and_notice(
        self, world: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Discord cannot hide: restoring before the delete runs cancels it, the author's
        timeout and the channel notice, and queues no unhide the platform cannot do."""
        def discord(data: dict[str, Any]) -> None:
            account = data["academies"]["oakfield"]["accounts"]["oakfield-fb"]
            account.pop("facebook")
            account.update(platform="discord", discord={
                "guild_id": "9", "channel_ids": ["post-1"], "bot_token": {"env": "FB_TOKEN"},
                "timeout_minutes": 10})

        svc, fake, tc = await world(discord)
        fake.platform = "discord"
        fake.push(Item(platform="discord", account="oakfield-fb", external_id="m1",
                       thread_id="post-1", author=Author(id="u1", name="Troll"),
                       text=ABUSE, created_at=clock.now()))
        await svc.poller.poll(fake, clock.now())
        await svc.pipeline.process_pending(clock.now())
        async with svc.sessions() as s:
            queued = sorted(a.kind for a in (await s.scalars(select(ActionRow))).all())
            item = (await s.scalars(select(ItemRow))).one()
        assert queued == ["delete", "reply", "timeout"]
        await tc.restore(item.id, "alice", clock.now())
        async with svc.sessions() as s:
            rows = (await s.scalars(select(ActionRow))).all()
        assert {a.kind: a.status for a in rows} == {
            "delete": "cancelled", "timeout": "cancelled", "reply": "cancelled"}
        clock.advance(timedelta(minutes=1))
        await svc.tick()
        assert fake.applied == [] and fake.replies == []
