"""Items over their life: edits, history on first start, shadow mode, deletions, poison items."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.testing import FakeAdapter
from adapters.testing import make_item as _make_item
from bot.app import Service
from bot.clock import ManualClock
from bot.domain import Item
from bot.settings import Settings
from bot.store.models import AlertRow, AuditRow, ItemRow, TicketRow
from tests.conftest import FAKE_ENV

pytestmark = pytest.mark.storage

ABUSE = "Mrs Hughes you are a useless fat cow"
QUESTION = "What time does the Christmas fair start on Saturday?"
DISCLOSURE = "my stepdad hits me and i dont want to go home tonight"


def item(external_id: str, text: str, **kw: Any) -> Item:
    """A comment on the test account."""
    return _make_item(external_id, text, account="oakfield-fb", **kw)


@pytest.fixture(name="make_service")
async def _make_service(
    db_url: str, make_settings: Callable[..., Settings], clock: ManualClock
) -> AsyncIterator[Callable[..., Any]]:
    started: list[Service] = []

    async def make(mode: str = "enforce") -> tuple[Service, FakeAdapter]:
        fake = FakeAdapter(account="oakfield-fb")
        svc = Service(make_settings(db_url, mode=mode), "t", clock=clock, environ=FAKE_ENV,
                      adapters={"oakfield-fb": fake})
        await svc.start(web_server=False, schedule=False)
        started.append(svc)
        return svc, fake

    yield make
    for svc in started:
        await svc.stop()


async def rows(svc: Service, model: type, *where: Any) -> list[Any]:
    async with svc.sessions() as s:
        return list((await s.scalars(select(model).where(*where))).all())


class TestEdits:
    async def test_edit_into_abuse_is_reassessed(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A kind comment later edited into abuse is assessed again and hidden."""
        svc, fake = await make_service()
        fake.push(item("c1", "Lovely concert, well done everyone", created_at=clock.now()))
        await svc.tick()
        assert fake.hidden == set()
        fake.push(item("c1", ABUSE, created_at=clock.now()))
        await svc.tick()
        await svc.tick()
        assert fake.hidden == {"c1"}
        edits = await rows(svc, AuditRow, AuditRow.event == "item_edited")
        assert edits and edits[0].data["previous_text"] == "Lovely concert, well done everyone"


class TestHistory:
    async def test_first_poll_history_opens_no_tickets(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Comments from before the service started get no overdue tickets on its first poll."""
        svc, fake = await make_service()
        fake.push(item("old", QUESTION, created_at=clock.now() - timedelta(days=30)))
        fake.push(item("new", QUESTION, created_at=clock.now() - timedelta(hours=1)))
        await svc.tick()
        tickets = await rows(svc, TicketRow)
        assert [t.item_id for t in tickets] == [
            r.id for r in await rows(svc, ItemRow, ItemRow.external_id == "new")]

    async def test_old_disclosure_still_reaches_dsl(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """History or not, a child at risk is reported to the DSL."""
        svc, fake = await make_service()
        fake.push(item("old", DISCLOSURE, created_at=clock.now() - timedelta(days=3)))
        await svc.tick()
        assert [a.kind for a in await rows(svc, AlertRow)] == ["safeguarding"]


class TestShadowMode:
    async def test_shadow_records_but_alerts_only_safeguarding(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Shadow mode tells nobody about abuse, but still tells the DSL about a disclosure."""
        svc, fake = await make_service(mode="shadow")
        fake.push(item("a", ABUSE, created_at=clock.now()))
        fake.push(item("s", DISCLOSURE, created_at=clock.now()))
        await svc.tick()
        assert fake.applied == []
        assert [a.kind for a in await rows(svc, AlertRow)] == ["safeguarding"]


class TestDeletion:
    async def test_author_deletion_closes_ticket(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A question its author deleted needs no answer any more."""
        svc, fake = await make_service()
        fake.push(item("q", QUESTION, created_at=clock.now()))
        await svc.tick()
        fake.author_deleted.append("q")
        await svc.tick()
        ticket = (await rows(svc, TicketRow))[0]
        assert ticket.state == "closed" and ticket.close_reason == "deleted_by_author"


class _Exploding:
    """Stands in for a rule engine with a bug that fires on one text."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def assess(self, text: str, platform: str | None = None) -> Any:
        if "BOOM" in text:
            raise RuntimeError("bug in a rule")
        return self._real.assess(text, platform)


class TestPoisonItem:
    async def test_item_that_breaks_processing_is_set_aside_and_reported(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """An item the rules crash on is parked, the monitors are asked to look, others go on."""
        svc, fake = await make_service()
        svc.engines["oakfield"] = _Exploding(svc.engines["oakfield"])  # type: ignore[assignment]
        fake.push(item("bad", "BOOM", created_at=clock.now()))
        fake.push(item("ok", QUESTION, created_at=clock.now()))
        await svc.tick()
        states = {r.external_id: r.state for r in await rows(svc, ItemRow)}
        assert states == {"bad": "error", "ok": "assessed"}
        alerts = await rows(svc, AlertRow, AlertRow.kind == "review")
        assert len(alerts) == 1 and set(alerts[0].audience) == {"alice", "bob"}


class TestSpamExplanation:
    async def test_spam_is_explained_once_per_thread(
        self, make_service: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A thread hit by spam twice, hours apart, gets one explanation, not two."""
        svc, fake = await make_service()
        spam = "Earn £500 a day from home!!! DM me now, click www.quick-cash-now.example"
        fake.push(item("s1", spam, created_at=clock.now()))
        await svc.tick()
        clock.advance(timedelta(hours=3))
        fake.push(item("s2", spam + " today", created_at=clock.now()))
        await svc.tick()
        clock.advance(timedelta(hours=3))
        await svc.tick()
        assert fake.hidden == {"s1", "s2"}
        assert len(fake.replies) == 1
