"""The core on a real database (SQLite, and PostgreSQL when configured) with the fake adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.base import PermanentError, RateLimited, TransientError
from adapters.testing import FakeAdapter
from adapters.testing import make_item as _make_item
from bot.app import Service
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store.models import (
    ActionRow,
    AlertRow,
    CursorRow,
    DecisionRow,
    EvidenceRow,
    IngestFailureRow,
    ItemRow,
    TicketRow,
)
from tests.conftest import FAKE_ENV

pytestmark = pytest.mark.storage



def make_item(external_id: str, text: str, **kw: object):  # noqa: ANN201
    """A comment on the test account."""
    return _make_item(external_id, text, account="oakfield-fb", **kw)  # type: ignore[arg-type]


ABUSE = "Mrs Hughes you are a useless fat cow"
QUERY = "What time does the Christmas fair start on Saturday?"


@pytest.fixture(name="fake")
def _fake() -> FakeAdapter:
    return FakeAdapter(account="oakfield-fb")


@pytest.fixture(name="service")
async def _service(
    db_url: str, make_settings: Callable[..., Settings], clock: ManualClock, fake: FakeAdapter
) -> AsyncIterator[Service]:
    svc = Service(make_settings(db_url), "test", clock=clock, environ=FAKE_ENV,
                  adapters={"oakfield-fb": fake})
    await svc.start(web_server=False, schedule=False)
    yield svc
    await svc.stop()


async def _count(svc: Service, model: type, *where: object) -> int:
    async with svc.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


class TestPipeline:
    async def test_abuse_is_hidden_with_evidence_and_one_explanation(
        self, service: Service, fake: FakeAdapter
    ) -> None:
        """An abusive comment is stored, evidenced, hidden and explained once in its thread."""
        fake.push(make_item("c1", ABUSE))
        fake.push(make_item("c2", "You are a pathetic idiot Mr Jones"))
        await service.tick()
        await service.tick()
        assert fake.hidden == {"c1", "c2"}
        assert len(fake.replies) == 1, fake.replies
        assert ABUSE not in fake.replies[0][1]
        assert await _count(service, EvidenceRow) == 2
        async with service.sessions() as s:
            ev = (await s.scalars(select(EvidenceRow))).first()
        assert ev is not None and len(ev.sha256) == 64 and ev.snapshot["text"]

    async def test_question_is_kept_with_a_ticket(
        self, service: Service, fake: FakeAdapter, clock: ManualClock
    ) -> None:
        """A polite question is kept and gets a ticket due 24 hours later on a working Monday."""
        fake.push(make_item("q1", QUERY))
        await service.tick()
        assert fake.applied == []
        async with service.sessions() as s:
            ticket = (await s.scalars(select(TicketRow))).one()
        assert ticket.due_at == clock.now() + timedelta(hours=24)

    async def test_items_are_deduplicated(self, service: Service, fake: FakeAdapter) -> None:
        """The same comment seen by poll twice (or by webhook and poll) is stored once."""
        item = make_item("c1", QUERY)
        await service.pipeline.ingest("oakfield-fb", "facebook", [item, item], service.clock.now())
        await service.pipeline.ingest("oakfield-fb", "facebook", [item], service.clock.now())
        assert await _count(service, ItemRow) == 1

    async def test_cursor_is_saved_with_items(self, service: Service, fake: FakeAdapter) -> None:
        """The poll cursor advances in the same transaction as the items it covers."""
        fake.push(make_item("c1", QUERY))
        await service.tick()
        async with service.sessions() as s:
            cur = await s.get(CursorRow, ("oakfield-fb", "poll"))
        assert cur is not None and cur.value == {"n": 1}

    async def test_failed_poll_keeps_cursor(self, service: Service, fake: FakeAdapter) -> None:
        """A poll that fails stores nothing and leaves the cursor where it was."""
        fake.push(make_item("c1", QUERY))
        fake.fail_next.append(TransientError("boom"))
        await service.tick()
        assert await _count(service, ItemRow) == 0
        await service.tick()
        assert await _count(service, ItemRow) == 1

    async def test_account_the_platform_will_not_serve_alerts_admins(
        self, service: Service, fake: FakeAdapter, clock: ManualClock
    ) -> None:
        """A refusal no retry can fix (X's free tier) tells the admins once and polls later."""
        fake.push(make_item("c1", QUERY))
        reason = "reading mentions needs the Basic or higher API tier"
        fake.fail_next.append(PermanentError(reason))
        await service.tick()
        fake.fail_next.append(PermanentError(reason))
        await service.tick()  # within the hour: not polled again, no second alert
        async with service.sessions() as s:
            alerts = (await s.scalars(select(AlertRow).where(
                AlertRow.kind == "account_refused"))).all()
        assert [a.summary for a in alerts] == [f"oakfield-fb cannot be moderated: {reason}"]
        assert await _count(service, ItemRow) == 0
        clock.advance(timedelta(hours=1, seconds=1))
        fake.fail_next.clear()
        await service.tick()
        assert await _count(service, ItemRow) == 1

    async def test_push_during_a_running_poll_is_polled_again_at_once(
        self, service: Service, fake: FakeAdapter
    ) -> None:
        """A gateway message that arrives while its account is being polled is not left for
        the next scheduled poll: the running poll job goes round again."""
        wakeup = service._wakeup_for("oakfield-fb")  # noqa: SLF001 - what a push adapter gets
        polls = 0
        real_poll = fake.poll

        async def poll_while_a_message_arrives(cursor: Any) -> Any:
            nonlocal polls
            polls += 1
            result = await real_poll(cursor)
            if polls == 1:  # the gateway delivers a message mid-poll and wakes the account
                fake.push(make_item("c2", QUERY + " Thanks!"))
                wakeup()
            return result

        fake.poll = poll_while_a_message_arrives  # type: ignore[method-assign]
        fake.push(make_item("c1", QUERY))
        await service._poll_job(fake)  # noqa: SLF001 - the scheduler's job, run once
        assert polls == 2
        assert await _count(service, ItemRow) == 2

    async def test_a_failure_repeated_every_poll_is_kept_once_an_hour(
        self, service: Service, clock: ManualClock
    ) -> None:
        """A payload that fails on every poll (a refused channel) is stored once per hour."""
        failure = ('{"channel": "123"}', "channel 123 is no longer visible to the bot")
        for _ in range(3):
            await service.pipeline.ingest("oakfield-fb", "facebook", [], clock.now(),
                                          failures=[failure])
        assert await _count(service, IngestFailureRow) == 1
        clock.advance(timedelta(hours=1, seconds=1))
        await service.pipeline.ingest("oakfield-fb", "facebook", [], clock.now(),
                                      failures=[failure, ("{}", "another problem")])
        assert await _count(service, IngestFailureRow) == 3

    async def test_safeguarding_alerts_dsl(self, service: Service, fake: FakeAdapter) -> None:
        """A disclosure is hidden and raises an urgent alert to the DSL and deputy."""
        fake.push(make_item("s1", "my stepdad hits me every night and I'm scared to go home"))
        await service.tick()
        async with service.sessions() as s:
            alert = (await s.scalars(select(AlertRow).where(AlertRow.kind == "safeguarding"))
                     ).first()
        assert alert is not None and alert.severity == "urgent"
        assert set(alert.audience) == {"dee", "dan"}
        assert "s1" in fake.hidden

    async def test_rate_limited_action_waits(
        self, service: Service, fake: FakeAdapter, clock: ManualClock
    ) -> None:
        """A throttled hide is put back with a later not-before time, not failed."""
        fake.push(make_item("c1", ABUSE))
        await service.tick()  # poll + decide + run (hide succeeds)
        fake.push(make_item("c2", "shut up you stupid cow Mrs Hughes", thread_id="post-2"))
        await service.pipeline.process_pending(clock.now())
        await service.poller.poll(fake, clock.now())
        await service.pipeline.process_pending(clock.now())
        fake.fail_next.append(RateLimited("slow down", retry_after=120))
        assert service.executor is not None
        await service.executor.run_once(clock.now())
        async with service.sessions() as s:
            row = (await s.scalars(select(ActionRow).where(ActionRow.target_id == "c2"))).one()
        assert row.status == "pending" and row.not_before >= clock.now() + timedelta(seconds=119)
        clock.advance(timedelta(minutes=3))
        await service.executor.run_once(clock.now())
        assert "c2" in fake.hidden

    async def test_crash_after_apply_is_not_repeated(
        self, service: Service, fake: FakeAdapter, clock: ManualClock
    ) -> None:
        """An action applied but not recorded (a crash) is checked on the platform, not redone."""
        fake.push(make_item("c1", ABUSE))
        await service.poller.poll(fake, clock.now())
        await service.pipeline.process_pending(clock.now())
        async with service.sessions.begin() as s:  # simulate: lease taken, platform call done,
            row = (await s.scalars(select(ActionRow).where(ActionRow.kind == "hide"))).one()
            row.status, row.attempts = "running", 1  # ... then the process died
            row.lease_until = clock.now()
        fake.hidden.add("c1")
        clock.advance(timedelta(minutes=2))
        assert service.executor is not None
        await service.executor.run_once(clock.now())
        assert [a for a in fake.applied if a.kind == "hide"] == []
        async with service.sessions() as s:
            row = (await s.scalars(select(ActionRow).where(ActionRow.kind == "hide"))).one()
        assert row.status == "done"


class TestModes:
    @pytest.mark.parametrize("mode", ["shadow", "assist"])
    async def test_non_enforce_modes_touch_nothing(
        self, db_url: str, make_settings: Callable[..., Settings], clock: ManualClock, mode: str
    ) -> None:
        """Shadow and assist modes decide and record but never act on the platform."""
        fake = FakeAdapter(account="oakfield-fb")
        svc = Service(make_settings(db_url, mode=mode), "t", clock=clock, environ=FAKE_ENV,
                      adapters={"oakfield-fb": fake})
        await svc.start(web_server=False, schedule=False)
        try:
            fake.push(make_item("c1", ABUSE))
            await svc.tick()
            assert fake.applied == []
            async with svc.sessions() as s:
                d = (await s.scalars(select(DecisionRow))).one()
            assert d.outcome == "hide" and d.effects == [] and d.mode == mode
        finally:
            await svc.stop()


class TestExplanations:
    async def test_batched_per_thread_and_window(
        self, db_url: str, make_settings: Callable[..., Settings], clock: ManualClock
    ) -> None:
        """Hides close together share one reply; a thread gets at most one per window."""
        fake = FakeAdapter(account="oakfield-fb")
        settings = make_settings(db_url, explanation_batch_seconds=30,
                                 explanation_window_minutes=10)
        svc = Service(settings, "t", clock=clock, environ=FAKE_ENV,
                      adapters={"oakfield-fb": fake})
        await svc.start(web_server=False, schedule=False)
        try:
            fake.push(make_item("c1", ABUSE))
            fake.push(make_item("c2", "Earn £500 a day from home!!! DM me now, click "
                                "www.quick-cash-now.example"))
            fake.push(make_item("c3", ABUSE, thread_id="post-2"))
            await svc.tick()
            assert fake.hidden == {"c1", "c2", "c3"} and fake.replies == []
            clock.advance(timedelta(seconds=31))
            await svc.tick()
            assert sorted(t for t, _ in fake.replies) == ["post-1", "post-2"]
            first = dict(fake.replies)["post-1"]
            fake.push(make_item("c4", "You are a pathetic idiot Mr Jones"))
            clock.advance(timedelta(minutes=1))
            await svc.tick()
            clock.advance(timedelta(minutes=1))
            await svc.tick()
            assert len(fake.replies) == 2, "a second reply came inside the window"
            clock.advance(timedelta(minutes=10))
            await svc.tick()
            assert len(fake.replies) == 3
            assert fake.replies[-1][0] == "post-1" and fake.replies[-1][1] != first
        finally:
            await svc.stop()
